package dev.cotangent.nn;

import dev.cotangent.autodiff.Diff;
import dev.cotangent.autodiff.DifferentiableFunction;
import dev.cotangent.autodiff.ValueWithGradient;
import dev.cotangent.core.Scope;

/**
 * Updates a model's parameters in place along a gradient of the model's structure ({@code update(&model,
 * along:)} in Swift). Its state (velocities, moments) is a tangent of the same structure, made once.
 *
 * {@snippet :
 * var optimizer = new SGD<>(model, 0.1);
 * for (int epoch = 0; epoch < 10; epoch++) {
 *     double loss = optimizer.step(model, m -> Losses.softmaxCrossEntropy(m.apply(x), labels));
 * }
 * }
 *
 * @param <M> the model's type, which is also its gradient's
 */
public interface Optimizer<M> {
    /** Writes the updated parameters into {@code model}'s memory. */
    void update(M model, M gradient);

    /**
     * One training step: the gradient of {@code loss} at {@code model}, then {@link #update}; returns the loss.
     * Everything the step allocated, the gradient included, goes back to the pool before it returns, so a loop
     * of steps reuses the same memory instead of waiting for the garbage collector to free old gradients.
     */
    default double step(M model, DifferentiableFunction<M> loss) {
        try (Scope scope = Scope.open()) {
            ValueWithGradient<M> vg = Diff.valueWithGradient(model, loss);
            update(model, vg.gradient());
            return vg.value().doubleValue();
        }
    }
}
