package dev.cotangent.nn;

import dev.cotangent.core.NdArray;
import java.util.List;

/**
 * RMSProp with Swift for TensorFlow's rule and defaults (learning rate 1e-3, ρ 0.9, ε 1e-8, decay 0):
 * a = ρ a + (1 - ρ) g²; p -= lr_t g / (√a + ε), lr_t = lr / (1 + decay t). One fused pass per parameter.
 */
public final class RMSProp<M> implements Optimizer<M> {
    private final double learningRate;
    private final double rho;
    private final double epsilon;
    private final double decay;
    private final M alpha;
    private long step;

    public RMSProp(M model) {
        this(model, 1e-3);
    }

    public RMSProp(M model, double learningRate) {
        this(model, learningRate, 0.9, 1e-8, 0);
    }

    public RMSProp(M model, double learningRate, double rho, double epsilon, double decay) {
        if (!(learningRate >= 0) || !(rho >= 0 && rho < 1) || !(epsilon > 0) || !(decay >= 0)) {
            throw new IllegalArgumentException("RMSProp: learning rate " + learningRate + ", rho " + rho + ", epsilon "
                    + epsilon + ", decay " + decay + "; expected rates >= 0, rho in [0, 1), epsilon > 0");
        }
        this.learningRate = learningRate;
        this.rho = rho;
        this.epsilon = epsilon;
        this.decay = decay;
        this.alpha = ParameterSlots.zeros(model);
    }

    @Override
    public void update(M model, M gradient) {
        List<NdArray[]> slots = ParameterSlots.of("RMSProp", model, gradient, List.of(alpha));
        step++;
        double lr = learningRate / (1 + decay * step);
        for (NdArray[] s : slots) {
            OptimizerKernels.rmsProp(s[0], s[2], s[1], lr, rho, epsilon);
        }
    }
}
