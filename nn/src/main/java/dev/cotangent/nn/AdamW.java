package dev.cotangent.nn;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter): each step also shrinks the parameters,
 * p -= lr_t λ p, before Adam's step. Defaults: learning rate 1e-3, λ 0.01, β1 0.9, β2 0.999, ε 1e-8.
 */
public final class AdamW<M> implements Optimizer<M> {
    private final Adam<M> adam;

    public AdamW(M model) {
        this(model, 1e-3, 0.01);
    }

    public AdamW(M model, double learningRate, double weightDecay) {
        this(model, learningRate, weightDecay, 0.9, 0.999, 1e-8, 0);
    }

    public AdamW(M model, double learningRate, double weightDecay, double beta1, double beta2, double epsilon,
            double decay) {
        this.adam = new Adam<>("AdamW", model, learningRate, beta1, beta2, epsilon, decay, weightDecay);
    }

    @Override
    public void update(M model, M gradient) {
        adam.update(model, gradient);
    }
}
