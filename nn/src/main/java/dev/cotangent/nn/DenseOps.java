package dev.cotangent.nn;

import dev.cotangent.autodiff.Diff;
import dev.cotangent.autodiff.ElementwiseOps;
import dev.cotangent.autodiff.LinearAlgebraOps;
import dev.cotangent.autodiff.ReductionOps;
import dev.cotangent.autodiff.Tensor;
import dev.cotangent.core.LinearAlgebra;
import dev.cotangent.core.NdArray;

/**
 * The Dense layer as one primitive: one GEMM and one fused bias(+relu) pass forward; two GEMMs, a bias
 * reduction and (for relu) one masking pass backward. Other activations are applied after it as ops.
 */
final class DenseOps {
    private DenseOps() {}

    static final String OP = "dense";
    static final String OP_RELU = "denseRelu";

    static Tensor dense(Tensor x, Tensor w, Tensor b, Activation activation) {
        boolean relu = activation == Activation.RELU;
        if (!relu && activation != Activation.IDENTITY) {
            return activation.apply(affine(x, w, b, false));
        }
        return affine(x, w, b, relu);
    }

    /** {@code x · w + b}, then relu when asked, recorded as one node. */
    static Tensor affine(Tensor x, Tensor w, Tensor b, boolean relu) {
        String op = relu ? OP_RELU : OP;
        NdArray y = Recomputation.reuseOrCompute(op, () -> {
            NdArray z = LinearAlgebra.matmul(x.value(), w.value());
            DenseKernels.addBiasInPlace(op, z, b.value(), relu);
            return z;
        });
        return Tensor.record(op, y, new Tensor[] {x, w, b}, (g, out, need) -> {
            Tensor gz = relu ? reluGradient(g, out) : g; // gz = g * (y > 0) for relu
            return new Tensor[] {
                need[0] ? LinearAlgebraOps.matmul(gz, w, false, true) : null, // dx = gz wᵀ
                need[1] ? LinearAlgebraOps.matmul(x, gz, true, false) : null, // dw = xᵀ gz
                need[2] ? ReductionOps.sum(gz, 0) : null}; // db = Σ_batch gz
        });
    }

    static Tensor reluGradient(Tensor g, Tensor y) {
        if (g.isTracked() || (Diff.isRecording() && y.isTracked())) { // differentiable, for second order
            return ElementwiseOps.mul(g, ElementwiseOps.greater(y, Tensor.zeros(y.dtype())));
        }
        return Tensor.of(DenseKernels.reluGradient(g.value(), y.value()));
    }
}
