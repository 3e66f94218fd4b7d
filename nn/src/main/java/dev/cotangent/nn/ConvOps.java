package dev.cotangent.nn;

import dev.cotangent.autodiff.ConvolutionOps;
import dev.cotangent.autodiff.Tensor;
import dev.cotangent.core.Conv2dParams;
import dev.cotangent.core.Convolution;
import dev.cotangent.core.NdArray;

/**
 * The Conv2D layer as one primitive: the im2col convolution, then one fused bias(+relu) pass over the NHWC
 * output; backward, one pass for the relu mask and the bias gradient, then the two convolution products. Its output can be kept by a
 * {@link SavePolicy} in recomputed regions.
 */
final class ConvOps {
    private ConvOps() {}

    static final String OP = "conv2dBias";
    static final String OP_RELU = "conv2dBiasRelu";

    /** act(conv2d(x, filter) + bias), act being relu or the identity. */
    static Tensor conv2dBias(Tensor x, Tensor filter, Tensor bias, Conv2dParams p, boolean relu) {
        String op = relu ? OP_RELU : OP;
        NdArray y = Recomputation.reuseOrCompute(op, () -> {
            NdArray z = Convolution.conv2d(x.value(), filter.value(), p);
            int channels = z.shape().dim(3);
            DenseKernels.addBiasInPlace(op, z.reshape((int) (z.size() / Math.max(1, channels)), channels), bias.value(), relu);
            return z;
        });
        return Tensor.record(op, y, new Tensor[] {x, filter, bias}, (g, out, need) -> {
            Tensor[] gzAndBias = DenseOps.gradientAndBiasSum(g, relu ? out : null, need[2]);
            Tensor gz = gzAndBias[0];
            return new Tensor[] {
                need[0] ? ConvolutionOps.conv2dBackwardInput(gz, filter, x.shape(), p) : null, // dx = convᵀ(gz, w)
                need[1] ? ConvolutionOps.conv2dBackwardFilter(x, gz, filter.shape(), p) : null, // dw = corr(x, gz)
                gzAndBias[1]};
        });
    }
}
