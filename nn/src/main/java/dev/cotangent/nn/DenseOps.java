package dev.cotangent.nn;

import dev.cotangent.autodiff.Diff;
import dev.cotangent.autodiff.ElementwiseOps;
import dev.cotangent.autodiff.LinearAlgebraOps;
import dev.cotangent.autodiff.ReductionOps;
import dev.cotangent.autodiff.Tensor;
import dev.cotangent.core.LinearAlgebra;
import dev.cotangent.core.NdArray;
import org.jspecify.annotations.Nullable;

/**
 * The Dense layer as one primitive: one GEMM and one fused bias(+relu) pass forward; backward, one pass for the
 * relu mask and the bias gradient, then two GEMMs. Other activations are applied after it as ops.
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
            Tensor[] gzAndBias = gradientAndBiasSum(g, relu ? out : null, need[2]);
            Tensor gz = gzAndBias[0];
            return new Tensor[] {
                need[0] ? LinearAlgebraOps.matmul(gz, w, false, true) : null, // dx = gz wᵀ
                need[1] ? LinearAlgebraOps.matmul(x, gz, true, false) : null, // dw = xᵀ gz
                gzAndBias[1]};
        });
    }

    /**
     * A bias layer's pullback before its products: {@code gz}, which is {@code g * (y > 0)} after a relu
     * ({@code y} its output) or {@code g} itself ({@code y} null), and, when {@code sumBias}, the bias gradient
     * {@code db = Σ gz} over every axis but the last. One fused pass, unless it must itself be differentiable.
     */
    static Tensor[] gradientAndBiasSum(Tensor g, @Nullable Tensor y, boolean sumBias) {
        if (g.isTracked() || (Diff.isRecording() && y != null && y.isTracked())) { // differentiable, for second order
            Tensor gz = y == null ? g : ElementwiseOps.mul(g, ElementwiseOps.greater(y, Tensor.zeros(y.dtype())));
            int[] rows = new int[Math.max(0, gz.rank() - 1)];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = i;
            }
            return new Tensor[] {gz, sumBias ? ReductionOps.sum(gz, rows) : null};
        }
        NdArray[] fused = DenseKernels.gradientAndBiasSum(g.value(), y == null ? null : y.value(), sumBias);
        return new Tensor[] {y == null ? g : Tensor.of(fused[0]), fused[1] == null ? null : Tensor.of(fused[1])};
    }
}
