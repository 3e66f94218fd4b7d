package dev.cotangent.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cotangent.core.NdArray;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every gradient a differential operator returns is the caller's own: writing into it changes nothing else. */
class GradientOwnershipTest {

    /** Asserts that the tensors are writable, contiguous and pairwise share no buffer. */
    private static void assertOwned(Tensor... gradients) {
        for (int i = 0; i < gradients.length; i++) {
            NdArray g = gradients[i].value();
            assertTrue(g.isWritable() && g.isContiguous(), "gradient " + i + " is a view: " + g.shape());
            for (int j = 0; j < i; j++) {
                assertFalse(g.sharesBufferWith(gradients[j].value()), "gradients " + j + " and " + i + " share memory");
            }
        }
    }

    @Test
    void twoArgumentsReceivingTheSameCotangentGetTheirOwnCopies() {
        Tensor c = Tensor.scalar(2f);
        Gradients2<Tensor, Tensor> g = Diff.gradient(Tensor.scalar(1f), Tensor.scalar(3f),
                (a, b) -> a.plus(b).times(c).sum());
        assertOwned(g.first(), g.second());
        g.first().fill(0);
        assertEquals(0, g.first().floatValue());
        assertEquals(2, g.second().floatValue(), "zeroing dx leaves dy alone");
        Gradients3<Tensor, Tensor, Tensor> g3 = Diff.gradient(Tensor.scalar(1f), Tensor.scalar(2f), Tensor.scalar(3f),
                (a, b, d) -> a.plus(b).plus(d));
        assertOwned(g3.first(), g3.second(), g3.third());
    }

    @Test
    void broadcastCotangentsBecomeWritableArrays() {
        Tensor x = Tensor.of(new float[] {1, 2, 3});
        Tensor dx = Diff.gradient(x, t -> t.sum()); // sum's pullback broadcasts a scalar
        assertOwned(dx);
        dx.fill(0.5);
        assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f}, dx.toFloatArray());
        Tensor dt = Diff.gradient(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2), t -> t.transpose().times(t).sum());
        assertOwned(dt);
        ValueWithGradient<Tensor> vg = Diff.valueWithGradient(x, t -> t.sum());
        assertOwned(vg.gradient(), vg.value());
    }

    @Test
    void structuresAndListsHoldNoSharedTensors() {
        List<Tensor> params = List.of(Tensor.scalar(1.0), Tensor.scalar(2.0), Tensor.scalar(3.0));
        List<Tensor> g = Diff.gradient(params, p -> p.get(0).plus(p.get(1)).plus(p.get(2)));
        assertOwned(g.toArray(new Tensor[0]));
    }

    @Test
    void aCustomPullbackReturningACapturedConstantOrTheArgumentIsCopied() {
        Tensor constant = Tensor.of(new double[] {7, 7});
        DifferentiableFunction<Tensor> leaky = Diff.differentiableFunction(x ->
                ValueWithPullback.of(x.times(2), v -> constant));
        Tensor x = Tensor.of(new double[] {1, 2});
        Tensor dx = Diff.gradient(x, t -> leaky.apply(t).sum());
        assertFalse(dx.value().sharesBufferWith(constant.value()));
        dx.fill(0);
        assertArrayEquals(new double[] {7, 7}, constant.toDoubleArray(), "the constant is untouched");

        DifferentiableFunction<Tensor> echo = Diff.differentiableFunction(t ->
                ValueWithPullback.of(t.times(2), v -> x));
        Tensor dEcho = Diff.gradient(x, t -> echo.apply(t).sum());
        assertFalse(dEcho.value().sharesBufferWith(x.value()), "the gradient is not the argument");
    }

    @Test
    void aPullbackNeverHandsBackTheCotangentItWasGiven() {
        Tensor x = Tensor.of(new double[] {1, 2});
        Tensor v = Tensor.of(new double[] {3, 4});
        Tensor dx = Diff.pullback(x, t -> t.plus(1)).apply(v);
        assertFalse(dx.value().sharesBufferWith(v.value()));
        dx.fill(0);
        assertArrayEquals(new double[] {3, 4}, v.toDoubleArray());
        Gradients2<Tensor, Tensor> g = Diff.pullback(x, x, (a, b) -> a.plus(b).reshape(2)).apply(v);
        assertOwned(g.first(), g.second());
        assertFalse(g.first().value().sharesBufferWith(v.value()));
    }

    @Test
    void anExclusiveGradientIsReturnedWithoutACopy() {
        List<Tensor> made = new ArrayList<>();
        DifferentiableFunction<Tensor> f = Diff.differentiableFunction(x -> ValueWithPullback.of(x.times(3), v -> {
            Tensor g = v.times(3);
            made.add(g);
            return g;
        }));
        Tensor dx = Diff.gradient(Tensor.of(new double[] {1, 2}), t -> f.apply(t).sum());
        assertSame(made.get(0), dx, "a fresh, contiguous, unshared gradient is not copied");
    }

    @Test
    void copiesStayDifferentiableInsideAnOuterDerivative() {
        // d/dx of (d/da + d/db of (a + b) * x * x) at a = b = x: the inner gradients are copies of one tensor.
        Tensor x = Tensor.scalar(3.0);
        Tensor outer = Diff.gradient(x, t -> {
            Gradients2<Tensor, Tensor> inner = Diff.gradient(t, t, (a, b) -> a.plus(b).times(t).times(t));
            return inner.first().plus(inner.second());
        });
        assertEquals(4 * 3.0, outer.doubleValue(), 1e-12); // d/dx (2 x^2) = 4x
    }
}
