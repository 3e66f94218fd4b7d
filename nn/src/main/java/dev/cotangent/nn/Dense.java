package dev.cotangent.nn;

import dev.cotangent.autodiff.NoDerivative;
import dev.cotangent.autodiff.Tensor;
import dev.cotangent.core.Shape;

/**
 * A fully connected layer, {@code activation(x · weight + bias)} with weight [inputSize, outputSize] (Swift's
 * layout), Glorot-uniform weights and zero bias by default. Input [batch, inputSize].
 */
public record Dense(Tensor weight, Tensor bias, @NoDerivative Activation activation) implements Layer<Dense> {
    public Dense {
        if (weight.rank() != 2 || bias.rank() != 1 || bias.shape().dim(0) != weight.shape().dim(1)
                || bias.dtype() != weight.dtype()) {
            throw new IllegalArgumentException("Dense: weight " + weight.dtype() + weight.shape() + " and bias "
                    + bias.dtype() + bias.shape() + "; expected weight [in, out] and bias [out] of the same dtype");
        }
    }

    /** A layer with no activation. */
    public Dense(int inputSize, int outputSize) {
        this(inputSize, outputSize, Activation.IDENTITY);
    }

    /** Weights drawn with a seed from {@link Initializers}' global generator. */
    public Dense(int inputSize, int outputSize, Activation activation) {
        this(inputSize, outputSize, activation, Initializers.nextSeed());
    }

    /** Weights drawn with {@code seed}: the same seed gives the same bits. */
    public Dense(int inputSize, int outputSize, Activation activation, long seed) {
        this(Initializers.glorotUniform(Shape.of(positive(inputSize), positive(outputSize)), inputSize, outputSize,
                seed), Initializers.zeros(outputSize), activation);
    }

    public int inputSize() {
        return weight.shape().dim(0);
    }

    public int outputSize() {
        return weight.shape().dim(1);
    }

    @Override
    public Tensor apply(Tensor input) {
        if (input.rank() != 2 || input.shape().dim(1) != inputSize() || input.dtype() != weight.dtype()) {
            throw new IllegalArgumentException(this + ": input " + input.dtype() + input.shape() + "; expected "
                    + weight.dtype() + "[batch, " + inputSize() + "]");
        }
        return DenseOps.dense(input, weight, bias, activation);
    }

    @Override
    public String toString() {
        return "Dense(" + inputSize() + " -> " + outputSize() + ", " + activation + ")";
    }

    private static int positive(int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("Dense: sizes must be positive; got " + size);
        }
        return size;
    }
}
