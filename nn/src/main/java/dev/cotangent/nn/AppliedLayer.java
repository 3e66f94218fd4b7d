package dev.cotangent.nn;

import dev.cotangent.autodiff.Tensor;

/** A layer's output and its backpropagator, as returned by {@link Layer#appliedForBackpropagation}. */
public record AppliedLayer<L>(Tensor output, Backpropagator<L> backpropagator) {
    public Tensor component1() {
        return output;
    }

    public Backpropagator<L> component2() {
        return backpropagator;
    }

    /** Maps the cotangent of a layer's output to the gradients of the layer and of its input. */
    @FunctionalInterface
    public interface Backpropagator<L> {
        LayerGradients<L> apply(Tensor outputCotangent);

        /** Kotlin and Scala call syntax. */
        default LayerGradients<L> invoke(Tensor outputCotangent) {
            return apply(outputCotangent);
        }
    }
}
