package dev.cotangent.autodiff;

import java.util.List;

/**
 * One registered differentiable primitive: its name, how it is called, the domain of each tensor input, and
 * whether its pullback is itself differentiable (so second derivatives through it work).
 */
public record OpDefinition(String name, Signature signature, List<Domain> domains, boolean secondOrder,
        Applier applier) {

    /** Calls the op on tensors and parameters. */
    @FunctionalInterface
    public interface Applier {
        Tensor apply(List<Tensor> inputs, OpParams params);
    }

    public OpDefinition {
        domains = List.copyOf(domains);
    }

    /** Applies the op. */
    public Tensor apply(List<Tensor> inputs, OpParams params) {
        if (inputs.size() != domains.size()) {
            throw new IllegalArgumentException(name + ": " + inputs.size() + " inputs; expected " + domains.size());
        }
        return applier.apply(inputs, params);
    }
}
