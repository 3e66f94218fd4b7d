package dev.cotangent.autodiff;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One registered differentiable primitive: its name, how it is called, the domain of each tensor input, whether
 * its pullback is itself differentiable (so second derivatives through it work), and, for a
 * {@link Signature#CUSTOM} op, the generator of its calls.
 */
public record OpDefinition(String name, Signature signature, List<Domain> domains, boolean secondOrder,
        Applier applier, @Nullable CaseGenerator cases) {

    /** Calls the op on tensors and parameters. */
    @FunctionalInterface
    public interface Applier {
        Tensor apply(List<Tensor> inputs, OpParams params);
    }

    public OpDefinition {
        domains = List.copyOf(domains);
        if ((signature == Signature.CUSTOM) != (cases != null)) {
            throw new IllegalArgumentException("op '" + name + "': a case generator is given exactly when the"
                    + " signature is CUSTOM (signature " + signature + ", generator " + (cases != null) + ")");
        }
    }

    /** An op of a built-in signature. */
    public OpDefinition(String name, Signature signature, List<Domain> domains, boolean secondOrder,
            Applier applier) {
        this(name, signature, domains, secondOrder, applier, null);
    }

    /** Applies the op. */
    public Tensor apply(List<Tensor> inputs, OpParams params) {
        if (inputs.size() != domains.size()) {
            throw new IllegalArgumentException(name + ": " + inputs.size() + " inputs; expected " + domains.size());
        }
        return applier.apply(inputs, params);
    }
}
