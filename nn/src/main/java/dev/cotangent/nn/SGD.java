package dev.cotangent.nn;

import dev.cotangent.core.Elementwise;
import dev.cotangent.core.NdArray;
import java.util.List;

/**
 * Stochastic gradient descent with Swift for TensorFlow's rule and defaults (learning rate 0.01, momentum 0,
 * decay 0, no Nesterov): at step t, lr_t = lr / (1 + decay t); v = momentum v - lr_t g; p += v (Nesterov:
 * p += momentum v - lr_t g). Without momentum the update is one axpy pass per parameter.
 */
public final class SGD<M> implements Optimizer<M> {
    private final double learningRate;
    private final double momentum;
    private final double decay;
    private final boolean nesterov;
    private final M velocity;
    private long step;

    /** Swift's defaults. */
    public SGD(M model) {
        this(model, 0.01);
    }

    public SGD(M model, double learningRate) {
        this(model, learningRate, 0, 0, false);
    }

    public SGD(M model, double learningRate, double momentum, double decay, boolean nesterov) {
        if (!(learningRate >= 0) || !(momentum >= 0) || !(decay >= 0)) {
            throw new IllegalArgumentException("SGD: learning rate " + learningRate + ", momentum " + momentum
                    + ", decay " + decay + "; expected all >= 0");
        }
        this.learningRate = learningRate;
        this.momentum = momentum;
        this.decay = decay;
        this.nesterov = nesterov;
        this.velocity = ParameterSlots.zeros(model);
    }

    @Override
    public void update(M model, M gradient) {
        List<NdArray[]> slots = ParameterSlots.of("SGD", model, gradient, List.of(velocity));
        step++;
        double lr = learningRate / (1 + decay * step);
        for (NdArray[] s : slots) {
            if (momentum == 0) {
                Elementwise.axpyInPlace(s[0], -lr, s[1]); // p -= lr g
            } else {
                OptimizerKernels.momentum(s[0], s[2], s[1], lr, momentum, nesterov);
            }
        }
    }

    /** The velocity, a tangent of the model's structure. */
    public M velocity() {
        return velocity;
    }
}
