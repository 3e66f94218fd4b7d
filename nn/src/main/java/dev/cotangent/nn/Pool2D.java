package dev.cotangent.nn;

import dev.cotangent.autodiff.Tensor;

/** The input check shared by the pooling layers. */
final class Pool2D {
    private Pool2D() {}

    static void checkInput(Layer<?> layer, Tensor input) {
        if (input.rank() != 4) {
            throw new IllegalArgumentException(layer + ": input " + input.dtype() + input.shape()
                    + "; expected rank 4 [batch, height, width, channels] (NHWC)");
        }
    }
}
