package dev.cotangent.nn;

import dev.cotangent.autodiff.NoDerivative;
import dev.cotangent.autodiff.Tensor;
import dev.cotangent.core.Conv2dParams;
import dev.cotangent.core.Padding;
import dev.cotangent.core.Shape;

/**
 * A 2-D convolution over NHWC input with a filter [height, width, inChannels, outChannels], Glorot-uniform
 * filter and zero bias by default; Swift's defaults: strides (1, 1), VALID padding, dilations (1, 1), no
 * activation.
 */
public record Conv2D(Tensor filter, Tensor bias, @NoDerivative Conv2dParams params, @NoDerivative Activation activation)
        implements Layer<Conv2D> {
    public Conv2D {
        Shape f = filter.shape();
        if (f.rank() != 4 || bias.rank() != 1 || bias.shape().dim(0) != f.dim(3) || bias.dtype() != filter.dtype()) {
            throw new IllegalArgumentException("Conv2D: filter " + filter.dtype() + f + " and bias " + bias.dtype()
                    + bias.shape() + "; expected filter [h, w, in, out] and bias [out] of the same dtype");
        }
    }

    /** {@code Conv2D(filterShape: (h, w, in, out))} with Swift's defaults. */
    public Conv2D(int height, int width, int inChannels, int outChannels) {
        this(height, width, inChannels, outChannels, Activation.IDENTITY);
    }

    public Conv2D(int height, int width, int inChannels, int outChannels, Activation activation) {
        this(height, width, inChannels, outChannels, new Conv2dParams(1, 1, Padding.VALID, 1, 1), activation,
                Initializers.nextSeed());
    }

    /** Every option, and the seed of the filter's initial values. */
    public Conv2D(int height, int width, int inChannels, int outChannels, Conv2dParams params, Activation activation,
            long seed) {
        this(Initializers.glorotUniform(filterShape(height, width, inChannels, outChannels),
                height * width * inChannels, height * width * outChannels, seed), Initializers.zeros(outChannels),
                params, activation);
    }

    @Override
    public Tensor apply(Tensor input) {
        Shape f = filter.shape();
        if (input.rank() != 4 || input.shape().dim(3) != f.dim(2) || input.dtype() != filter.dtype()) {
            throw new IllegalArgumentException(this + ": input " + input.dtype() + input.shape() + "; expected "
                    + filter.dtype() + "[batch, height, width, " + f.dim(2) + "] (NHWC)");
        }
        boolean relu = activation == Activation.RELU;
        Tensor y = ConvOps.conv2dBias(input, filter, bias, params, relu);
        return relu || activation == Activation.IDENTITY ? y : activation.apply(y);
    }

    @Override
    public String toString() {
        Shape f = filter.shape();
        return "Conv2D(" + f.dim(0) + "x" + f.dim(1) + ", " + f.dim(2) + " -> " + f.dim(3) + ", " + params + ", "
                + activation + ")";
    }

    private static Shape filterShape(int height, int width, int inChannels, int outChannels) {
        if (height <= 0 || width <= 0 || inChannels <= 0 || outChannels <= 0) {
            throw new IllegalArgumentException("Conv2D: filter shape (" + height + ", " + width + ", " + inChannels
                    + ", " + outChannels + "); expected positive sizes");
        }
        return Shape.of(height, width, inChannels, outChannels);
    }
}
