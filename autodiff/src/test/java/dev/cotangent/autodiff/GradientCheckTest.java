package dev.cotangent.autodiff;

import static dev.cotangent.autodiff.ElementwiseOps.cos;
import static dev.cotangent.autodiff.ElementwiseOps.exp;
import static dev.cotangent.autodiff.ElementwiseOps.log;
import static dev.cotangent.autodiff.ElementwiseOps.sin;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cotangent.core.DType;
import dev.cotangent.core.RandomArrays;
import dev.cotangent.core.Shape;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GradientCheckTest {

    private static Tensor random(long seed, int... shape) {
        return Tensor.of(RandomArrays.normal(DType.F64, Shape.of(shape), 0, 1, seed));
    }

    @Test
    void aCorrectCustomDerivativePasses() {
        // softplus(x) = log(1 + exp(x)); derivative sigmoid(x)
        DifferentiableFunction<Tensor> softplus = Diff.differentiableFunction(x -> {
            Tensor y = log(exp(x).plus(1));
            return ValueWithPullback.of(y, v -> v.times(ElementwiseOps.sigmoid(x)));
        });
        GradientCheck.Report r = GradientCheck.check(in -> softplus.apply(in.get(0)).sum(), random(1, 3, 4));
        assertTrue(r.passed(), r::toString);
        assertEquals(1, r.inputs().size());
    }

    @Test
    void aWrongDerivativeIsCaughtWithAReadableMessage() {
        DifferentiableFunction<Tensor> wrongSin = Diff.differentiableFunction(
                x -> ValueWithPullback.of(sin(x), v -> v.times(cos(x)).times(1.01)));
        var failure = assertThrows(GradientCheck.GradientCheckFailure.class, () -> GradientCheck.options()
                .name("wrongSin").seed(7).check(in -> wrongSin.apply(in.get(0)), random(3, 2, 3)));
        String m = failure.getMessage();
        assertTrue(m.contains("wrongSin") && m.contains("[2, 3]") && m.contains("seed(7L)")
                && m.contains("at index"), m);
        assertFalse(failure.report().passed());
    }

    @Test
    void randomCompositionsAgreeWithFiniteDifferences() {
        SplittableRandom random = new SplittableRandom(11);
        for (int trial = 0; trial < 20; trial++) {
            int rows = 1 + random.nextInt(4);
            int cols = 1 + random.nextInt(5);
            Tensor a = random(random.nextLong(), rows, cols);
            Tensor b = random(random.nextLong(), cols);
            Tensor w = random(random.nextLong(), cols, 2);
            GradientCheck.options().name("composition " + trial).check(in -> {
                Tensor h = ElementwiseOps.tanh(in.get(0).times(in.get(1)).plus(sin(in.get(0))));
                Tensor z = h.matmul(in.get(2));
                return SoftmaxOps.logSoftmax(z, -1).mean().plus(ReductionOps.max(h, 1).sum());
            }, a, b, w);
        }
    }

    @Test
    void reportHasOneEntryPerInputAndTheWorstIndex() {
        GradientCheck.Report r = GradientCheck.options().run(in -> in.get(0).times(in.get(1)).sum(),
                random(5, 2, 2), random(6, 2, 2));
        assertEquals(2, r.inputs().size());
        assertArrayEquals(new int[] {2, 2}, r.inputs().get(1).shape().dims());
        assertTrue(r.toString().startsWith("GradientCheck passed"), r::toString);
        assertEquals(List.of(true, true), r.inputs().stream().map(GradientCheck.InputReport::passed).toList());
    }
}
