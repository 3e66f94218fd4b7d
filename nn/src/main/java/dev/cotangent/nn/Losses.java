package dev.cotangent.nn;

import dev.cotangent.autodiff.Tensor;

/** Loss functions; each returns a scalar (mean reduction). */
public final class Losses {
    private Losses() {}

    /** {@code mean((predicted - expected)²)}, broadcasting as the subtraction does. */
    public static Tensor meanSquaredError(Tensor predicted, Tensor expected) {
        return predicted.minus(expected).squared().mean();
    }

    /**
     * Softmax cross-entropy of logits [batch, classes] against integer labels, averaged over the batch; fused
     * and stable (log-softmax shifted by the row maximum; gradient {@code (softmax - onehot) / batch}).
     */
    public static Tensor softmaxCrossEntropy(Tensor logits, int[] labels) {
        return LossOps.softmaxCrossEntropy(logits, labels);
    }

    /** {@link #softmaxCrossEntropy(Tensor, int[])} with labels given as a rank-1 tensor of whole numbers. */
    public static Tensor softmaxCrossEntropy(Tensor logits, Tensor labels) {
        if (labels.rank() != 1) {
            throw new IllegalArgumentException("softmaxCrossEntropy: labels " + labels.dtype() + labels.shape()
                    + " for logits " + logits.dtype() + logits.shape() + "; expected a rank-1 tensor of class indices");
        }
        double[] values = labels.toDoubleArray();
        int[] classes = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            if (values[i] != Math.rint(values[i]) || Math.abs(values[i]) > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("softmaxCrossEntropy: label " + values[i] + " at index " + i
                        + " is not a class index; expected whole numbers");
            }
            classes[i] = (int) values[i];
        }
        return LossOps.softmaxCrossEntropy(logits, classes);
    }

    /** Sigmoid cross-entropy of logits against labels in [0, 1] of the same shape, averaged; stable. */
    public static Tensor sigmoidCrossEntropy(Tensor logits, Tensor labels) {
        return LossOps.sigmoidCrossEntropy(logits, labels);
    }
}
