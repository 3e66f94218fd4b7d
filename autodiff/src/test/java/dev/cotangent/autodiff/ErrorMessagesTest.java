package dev.cotangent.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cotangent.core.DType;
import dev.cotangent.core.Shape;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Errors of the autodiff API name the op and what was wrong; nothing is silently accepted. */
class ErrorMessagesTest {
    record Affine(Tensor w, Tensor b) {}

    private static void assertMentions(Throwable e, String... fragments) {
        for (String f : fragments) {
            assertTrue(String.valueOf(e.getMessage()).contains(f), () -> "message lacks \"" + f + "\": " + e);
        }
    }

    @Test
    void nullArgumentsAndNullsInsideStructuresNameTheOpAndTheSpot() {
        assertMentions(assertThrows(NullPointerException.class, () -> Diff.gradient((Tensor) null, x -> x.sum())),
                "gradient", "x");
        Affine broken = new Affine(Tensor.scalar(1.0), null);
        assertMentions(assertThrows(NullPointerException.class, () -> Diff.gradient(broken, m -> m.w().sum())),
                "gradient", "the argument is null at 'b'");
        Tensor[] withHole = {Tensor.scalar(1.0), null};
        assertMentions(assertThrows(NullPointerException.class,
                () -> Diff.gradient(Tensor.scalar(2.0), withHole, (y, l) -> y)), "gradient", "argument 2 is null at '1'");
        assertMentions(assertThrows(NullPointerException.class, () -> Tangents.add(Tensor.scalar(1.0), null)),
                "add", "b");
        DifferentiableFunction2<Tensor, Tensor> halfNull = Diff.differentiableFunction2((a, b) ->
                ValueWithPullback2.of(a.times(b), v -> new Gradients2<>(null, v)));
        assertMentions(assertThrows(IllegalArgumentException.class,
                () -> Diff.gradient(Tensor.scalar(1.0), Tensor.scalar(2.0), (a, b) -> halfNull.apply(a, b))),
                "differentiableFunction2", "null first cotangent");
        var pb = Diff.pullback(Tensor.scalar(1.0), x -> x.times(2));
        assertMentions(assertThrows(NullPointerException.class, () -> pb.apply(null)), "pullback", "cotangent");
    }

    @Test
    void aMapWithKeysThatAreNotStringsIsNotSilentlyItsOwnGradient() {
        Map<Integer, Tensor> params = Map.of(1, Tensor.scalar(1.0));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Diff.gradient(params, m -> m.get(1))),
                "Map", "String keys");
    }

    @Test
    void inPlaceWritesIntoBroadcastViewsAreRefused() {
        Tensor b = ReductionOps.broadcastTo(Tensor.of(new float[] {1, 2}), Shape.of(3, 2));
        assertMentions(assertThrows(IllegalStateException.class, () -> b.fill(0)), "fill", "read-only");
        assertMentions(assertThrows(IllegalStateException.class, () -> b.assign(Tensor.zeros(DType.F32, 3, 2))),
                "assign", "read-only");
        Tensor copy = b.copy();
        copy.fill(0);
        assertArrayEquals(new float[] {1, 2, 1, 2, 1, 2}, b.toFloatArray());
    }

    @Test
    void assignOverwritesNonFiniteValues() {
        Tensor t = Tensor.of(new double[] {Double.NaN, Double.POSITIVE_INFINITY});
        t.assign(Tensor.of(new double[] {1, 2}));
        assertArrayEquals(new double[] {1, 2}, t.toDoubleArray());
    }

    @Test
    void sliceWithAHugeStepAndItsGradient() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5});
        assertArrayEquals(new double[] {1}, ShapeOps.slice(x, 0, 0, 5, Integer.MAX_VALUE).toDoubleArray());
        assertArrayEquals(new double[] {1}, ShapeOps.slice(x, 0, 0, 5, Integer.MAX_VALUE - 2).toDoubleArray());
        Tensor dx = Diff.gradient(x, t -> ShapeOps.slice(t, 0, 1, Integer.MAX_VALUE, 3).sum());
        assertArrayEquals(new double[] {0, 1, 0, 0, 1}, dx.toDoubleArray());
        assertMentions(assertThrows(IllegalArgumentException.class, () -> ShapeOps.slice(x, 0, 0, 5, 0)), "slice",
                "step >= 1");
    }

    @Test
    void registeredOpsCheckTheirParameterType() {
        OpDefinition reshape = OpRegistry.get("reshape");
        assertMentions(assertThrows(IllegalArgumentException.class,
                () -> reshape.apply(List.of(Tensor.scalar(1.0)), new OpParams.Scalar(2))), "reshape",
                "OpParams.Target");
        assertEquals(Shape.of(1), reshape.apply(List.of(Tensor.scalar(1.0)), new OpParams.Target(Shape.of(1))).shape());
    }
}
