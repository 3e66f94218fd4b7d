package dev.cotangent.nn;

import dev.cotangent.autodiff.ConvolutionOps;
import dev.cotangent.autodiff.NoDerivative;
import dev.cotangent.autodiff.Tensor;
import dev.cotangent.core.Padding;
import dev.cotangent.core.PoolParams;

/** Average pooling over NHWC input (with SAME padding, each window averages its valid elements); no parameters. */
public record AvgPool2D(@NoDerivative PoolParams params) implements Layer<AvgPool2D> {
    /** {@code AvgPool2D(poolSize: (h, w), strides: (sh, sw))} with VALID padding (Swift's default). */
    public AvgPool2D(int poolHeight, int poolWidth, int strideHeight, int strideWidth) {
        this(poolHeight, poolWidth, strideHeight, strideWidth, Padding.VALID);
    }

    public AvgPool2D(int poolHeight, int poolWidth, int strideHeight, int strideWidth, Padding padding) {
        this(new PoolParams(poolHeight, poolWidth, strideHeight, strideWidth, padding));
    }

    @Override
    public Tensor apply(Tensor input) {
        Pool2D.checkInput(this, input);
        return ConvolutionOps.avgPool2d(input, params);
    }
}
