package dev.cotangent.nn;

import dev.cotangent.autodiff.ConvolutionOps;
import dev.cotangent.autodiff.NoDerivative;
import dev.cotangent.autodiff.Tensor;
import dev.cotangent.core.Padding;
import dev.cotangent.core.PoolParams;

/** Max pooling over NHWC input; no parameters. */
public record MaxPool2D(@NoDerivative PoolParams params) implements Layer<MaxPool2D> {
    /** {@code MaxPool2D(poolSize: (h, w), strides: (sh, sw))} with VALID padding (Swift's default). */
    public MaxPool2D(int poolHeight, int poolWidth, int strideHeight, int strideWidth) {
        this(poolHeight, poolWidth, strideHeight, strideWidth, Padding.VALID);
    }

    public MaxPool2D(int poolHeight, int poolWidth, int strideHeight, int strideWidth, Padding padding) {
        this(new PoolParams(poolHeight, poolWidth, strideHeight, strideWidth, padding));
    }

    @Override
    public Tensor apply(Tensor input) {
        Pool2D.checkInput(this, input);
        return ConvolutionOps.maxPool2d(input, params);
    }
}
