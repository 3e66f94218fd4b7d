package dev.cotangent.nn;

import dev.cotangent.autodiff.Tensor;

/** The gradient of a layer (of the layer's type) and of its input; {@code val (dModel, dInput) = ...} in Kotlin. */
public record LayerGradients<L>(L layer, Tensor input) {
    public L component1() {
        return layer;
    }

    public Tensor component2() {
        return input;
    }
}
