package dev.cotangent.nn;

/**
 * Updates a model's parameters in place along a gradient of the model's structure ({@code update(&model,
 * along:)} in Swift). Its state (velocities, moments) is a tangent of the same structure, made once.
 *
 * @param <M> the model's type, which is also its gradient's
 */
public interface Optimizer<M> {
    /** Writes the updated parameters into {@code model}'s memory. */
    void update(M model, M gradient);
}
