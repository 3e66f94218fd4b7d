package dev.cotangent.nn;

import dev.cotangent.autodiff.Tensor;

/**
 * An elementwise (or last-axis) differentiable function applied after a layer's affine part. The constants
 * print by name and let {@link Dense} fuse their work into its bias pass.
 */
@FunctionalInterface
public interface Activation {
    Tensor apply(Tensor x);

    Activation IDENTITY = named("identity", x -> x);
    Activation RELU = named("relu", Activations::relu);
    Activation LEAKY_RELU = named("leakyRelu", Activations::leakyRelu);
    Activation SIGMOID = named("sigmoid", Activations::sigmoid);
    Activation TANH = named("tanh", Activations::tanh);
    Activation GELU = named("gelu", Activations::gelu);
    Activation SOFTMAX = named("softmax", Activations::softmax);
    Activation LOG_SOFTMAX = named("logSoftmax", Activations::logSoftmax);

    /** {@code f} printing as {@code name}. */
    static Activation named(String name, Activation f) {
        return new Named(name, f);
    }

    /** An activation with a name for printing. */
    record Named(String name, Activation f) implements Activation {
        @Override
        public Tensor apply(Tensor x) {
            return f.apply(x);
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
