package dev.cotangent.nn;

import dev.cotangent.autodiff.NoDerivative;
import dev.cotangent.autodiff.Tensor;

/**
 * A layer whose activations are discarded after application and recomputed during backpropagation (see
 * {@link Layer#discardingActivations()}); {@code policy} says which primitive outputs are kept instead.
 * Gradients are bit-identical to the wrapped layer's.
 */
public record ActivationDiscarding<L extends Layer<L>>(L wrapped, @NoDerivative SavePolicy policy)
        implements Layer<ActivationDiscarding<L>> {
    /** Recomputes everything. */
    public ActivationDiscarding(L wrapped) {
        this(wrapped, SavePolicy.NOTHING);
    }

    @Override
    public Tensor apply(Tensor input) {
        return Recomputation.apply(wrapped, input, policy);
    }

    @Override
    public String toString() {
        return wrapped + ".discardingActivations(" + policy + ")";
    }
}
