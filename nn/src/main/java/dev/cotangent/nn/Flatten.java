package dev.cotangent.nn;

import dev.cotangent.autodiff.Tensor;

/** Reshapes [batch, ...] to [batch, rest]; no parameters. */
public record Flatten() implements Layer<Flatten> {
    @Override
    public Tensor apply(Tensor input) {
        if (input.rank() < 1) {
            throw new IllegalArgumentException("Flatten: input " + input.dtype() + input.shape()
                    + "; expected a batch axis (rank >= 1)");
        }
        int batch = input.shape().dim(0);
        return input.reshape(batch, batch == 0 ? 0 : (int) (input.size() / batch));
    }
}
