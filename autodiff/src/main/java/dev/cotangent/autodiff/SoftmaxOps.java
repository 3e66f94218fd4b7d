package dev.cotangent.autodiff;

import static dev.cotangent.autodiff.Domain.REAL;
import static dev.cotangent.autodiff.Tensor.input;

import dev.cotangent.core.Softmax;
import java.util.List;

/** Softmax, log-softmax and log-sum-exp along an axis, computed stably (shifted by the maximum). */
public final class SoftmaxOps {
    private SoftmaxOps() {}

    static void register(OpRegistry r) {
        r.add("softmax", Signature.AXIS, List.of(REAL), (in, p) -> softmax(in.get(0), ((OpParams.Axis) p).axis()));
        r.add("logSoftmax", Signature.AXIS, List.of(REAL),
                (in, p) -> logSoftmax(in.get(0), ((OpParams.Axis) p).axis()));
        r.add("logSumExp", Signature.AXIS, List.of(REAL),
                (in, p) -> logSumExp(in.get(0), ((OpParams.Axis) p).axis()));
    }

    public static Tensor softmax(Tensor x, int axis) {
        return Tensor.record("softmax", Softmax.softmax(input(x, "softmax", "x"), axis), x, (g, y, need) -> {
            Tensor gy = ElementwiseOps.mul(g, y);
            // dx = y * (g - sum(g * y, axis))
            return new Tensor[] {ElementwiseOps.sub(gy, ElementwiseOps.mul(y, ReductionOps.sum(gy, new int[] {axis}, true)))};
        });
    }

    public static Tensor logSoftmax(Tensor x, int axis) {
        return Tensor.record("logSoftmax", Softmax.logSoftmax(input(x, "logSoftmax", "x"), axis), x, (g, y, need) -> {
            Tensor p = ElementwiseOps.exp(y);
            // dx = g - exp(y) * sum(g, axis)
            return new Tensor[] {ElementwiseOps.sub(g, ElementwiseOps.mul(p, ReductionOps.sum(g, new int[] {axis}, true)))};
        });
    }

    /** log(sum(exp(x), axis)) with the axis removed. */
    public static Tensor logSumExp(Tensor x, int axis) {
        input(x, "logSumExp", "x");
        int a = x.shape().normalizeAxis("logSumExp", axis);
        return Tensor.record("logSumExp", Softmax.logSumExp(input(x, "logSumExp", "x"), a, false), x, (g, y, need) -> {
            Tensor gk = ShapeOps.expandDims(g, a);
            return new Tensor[] {ElementwiseOps.mul(gk, softmax(x, a))}; // dx = g * softmax(x)
        });
    }
}
