package dev.cotangent.nn;

import dev.cotangent.autodiff.ElementwiseOps;
import dev.cotangent.autodiff.SoftmaxOps;
import dev.cotangent.autodiff.Tensor;

/** The activation functions, composed of differentiable ops; softmax and logSoftmax act on the last axis. */
public final class Activations {
    private Activations() {}

    /** Swift's default slope of {@link #leakyRelu(Tensor)} for negative inputs. */
    public static final double LEAKY_RELU_ALPHA = 0.2;

    public static Tensor relu(Tensor x) {
        return ElementwiseOps.relu(x);
    }

    /** {@code x} where positive, {@code 0.2 x} elsewhere. */
    public static Tensor leakyRelu(Tensor x) {
        return leakyRelu(x, LEAKY_RELU_ALPHA);
    }

    /** {@code x} where positive, {@code alpha x} elsewhere. */
    public static Tensor leakyRelu(Tensor x, double alpha) {
        Tensor positive = ElementwiseOps.greater(x, Tensor.zeros(x.dtype()));
        return ElementwiseOps.select(positive, x, x.times(alpha));
    }

    public static Tensor sigmoid(Tensor x) {
        return ElementwiseOps.sigmoid(x);
    }

    public static Tensor tanh(Tensor x) {
        return ElementwiseOps.tanh(x);
    }

    /** The tanh approximation of GELU, as Swift for TensorFlow computes it. */
    public static Tensor gelu(Tensor x) {
        Tensor inner = x.plus(x.times(x).times(x).times(0.044715)).times(Math.sqrt(2 / Math.PI));
        return x.times(0.5).times(ElementwiseOps.tanh(inner).plus(1)); // 0.5 x (1 + tanh(√(2/π)(x + 0.044715x³)))
    }

    /** Softmax over the last axis. */
    public static Tensor softmax(Tensor x) {
        return SoftmaxOps.softmax(x, -1);
    }

    /** Log-softmax over the last axis. */
    public static Tensor logSoftmax(Tensor x) {
        return SoftmaxOps.logSoftmax(x, -1);
    }
}
