package dev.cotangent.nn;

import dev.cotangent.autodiff.NoDerivative;
import dev.cotangent.autodiff.Tensor;
import java.util.List;

/**
 * Layers applied in order; parameters are named {@code layers.<index>.<name>}. With
 * {@link #recomputingSegments} the layers run in segments whose activations are recomputed during
 * backpropagation, keeping what a {@link SavePolicy} asks for.
 *
 * {@snippet :
 * var mlp = new Sequential(new Dense(784, 512, Activation.RELU), new Dense(512, 10));
 * var lowMemory = mlp.recomputingSegments(4, SavePolicy.NOTHING);
 * }
 */
public record Sequential(List<Layer<?>> layers, @NoDerivative int segmentLength, @NoDerivative SavePolicy policy)
        implements Layer<Sequential> {
    public Sequential {
        layers = List.copyOf(layers);
        if (segmentLength < 0) {
            throw new IllegalArgumentException("Sequential: segment length " + segmentLength
                    + "; expected 0 (no recomputation) or a positive number of layers");
        }
    }

    public Sequential(List<Layer<?>> layers) {
        this(layers, 0, SavePolicy.NOTHING);
    }

    public Sequential(Layer<?>... layers) {
        this(List.of(layers));
    }

    /**
     * The same layers, run in segments of {@code length} layers whose activations are discarded after the
     * forward pass and recomputed during backpropagation, except the primitive outputs {@code policy} keeps.
     * Gradients are bit-identical to this model's and have its structure.
     */
    public Sequential recomputingSegments(int length, SavePolicy policy) {
        if (length <= 0) {
            throw new IllegalArgumentException("Sequential.recomputingSegments: length " + length
                    + "; expected a positive number of layers");
        }
        return new Sequential(layers, length, policy);
    }

    @Override
    public Tensor apply(Tensor input) {
        if (segmentLength == 0) {
            return new Segment(layers, 0).apply(input);
        }
        Tensor x = input;
        for (int start = 0; start < layers.size(); start += segmentLength) {
            int end = Math.min(layers.size(), start + segmentLength);
            x = Recomputation.apply(new Segment(this, start, end), x, policy);
        }
        return x;
    }

    /** Layers [start, end) of a Sequential, as one differentiable layer for recomputation. */
    record Segment(List<Layer<?>> layers, @NoDerivative int start) implements Layer<Segment> {
        Segment(Sequential whole, int start, int end) {
            this(whole.layers.subList(start, end), start);
        }

        @Override
        public Tensor apply(Tensor input) {
            Tensor x = input;
            for (int i = 0; i < layers.size(); i++) {
                try {
                    x = layers.get(i).apply(x);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("layers." + (start + i) + ": " + e.getMessage(), e);
                }
            }
            return x;
        }
    }
}
