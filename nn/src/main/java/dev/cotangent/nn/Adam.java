package dev.cotangent.nn;

import dev.cotangent.core.NdArray;
import java.util.List;

/**
 * Adam with Swift for TensorFlow's rule and defaults (learning rate 1e-3, β1 0.9, β2 0.999, ε 1e-8, decay 0):
 * m = β1 m + (1 - β1) g; v = β2 v + (1 - β2) g²; p -= lr_t √(1 - β2ᵗ) / (1 - β1ᵗ) · m / (√v + ε), with
 * lr_t = lr / (1 + decay t). One fused pass per parameter.
 */
public final class Adam<M> implements Optimizer<M> {
    private final double learningRate;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double decay;
    private final double weightDecay;
    private final String name;
    private final M firstMoments;
    private final M secondMoments;
    private long step;

    public Adam(M model) {
        this(model, 1e-3);
    }

    public Adam(M model, double learningRate) {
        this(model, learningRate, 0.9, 0.999, 1e-8, 0);
    }

    public Adam(M model, double learningRate, double beta1, double beta2, double epsilon, double decay) {
        this("Adam", model, learningRate, beta1, beta2, epsilon, decay, 0);
    }

    Adam(String name, M model, double learningRate, double beta1, double beta2, double epsilon, double decay,
            double weightDecay) {
        if (!(learningRate >= 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(epsilon > 0)
                || !(decay >= 0) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException(name + ": learning rate " + learningRate + ", beta1 " + beta1
                    + ", beta2 " + beta2 + ", epsilon " + epsilon + ", decay " + decay + ", weight decay " + weightDecay
                    + "; expected rates >= 0, betas in [0, 1), epsilon > 0");
        }
        this.name = name;
        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.decay = decay;
        this.weightDecay = weightDecay;
        this.firstMoments = ParameterSlots.zeros(model);
        this.secondMoments = ParameterSlots.zeros(model);
    }

    @Override
    public void update(M model, M gradient) {
        List<NdArray[]> slots = ParameterSlots.of(name, model, gradient, List.of(firstMoments, secondMoments));
        step++;
        double lr = learningRate / (1 + decay * step);
        double stepSize = lr * Math.sqrt(1 - Math.pow(beta2, step)) / (1 - Math.pow(beta1, step));
        double keep = 1 - lr * weightDecay; // AdamW's decoupled decay: p -= lr λ p
        for (NdArray[] s : slots) {
            OptimizerKernels.adam(s[0], s[2], s[3], s[1], beta1, beta2, stepSize, epsilon, keep);
        }
    }

    /** The first moments, a tangent of the model's structure. */
    public M firstMoments() {
        return firstMoments;
    }

    /** The second moments, a tangent of the model's structure. */
    public M secondMoments() {
        return secondMoments;
    }
}
