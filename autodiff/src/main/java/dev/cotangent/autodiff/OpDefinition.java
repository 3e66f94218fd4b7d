package dev.cotangent.autodiff;

import dev.cotangent.core.Checks;
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
        Checks.notNull(name, "OpDefinition", "name");
        Checks.notNull(signature, "OpDefinition", "signature");
        Checks.notNullElements(Checks.notNull(domains, "OpDefinition", "domains").toArray(new Domain[0]),
                "OpDefinition", "domains");
        Checks.notNull(applier, "OpDefinition", "applier");
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

    /** Applies the op to its tensors and the parameters its {@link Signature} names. */
    public Tensor apply(List<Tensor> inputs, OpParams params) {
        String where = name + " (OpDefinition.apply)";
        Checks.notNullElements(Checks.notNull(inputs, where, "inputs").toArray(new Tensor[0]), where, "inputs");
        Checks.notNull(params, where, "params");
        if (inputs.size() != domains.size()) {
            throw new IllegalArgumentException(name + ": " + inputs.size() + " inputs; expected " + domains.size());
        }
        if (!signature.params().isInstance(params)) {
            throw new IllegalArgumentException(name + ": parameters " + params + " are a "
                    + params.getClass().getSimpleName() + "; expected OpParams." + signature.params().getSimpleName()
                    + " for signature " + signature);
        }
        try {
            return applier.apply(inputs, params);
        } catch (IllegalArgumentException e) {
            throw namesThisOp(e) ? e : new IllegalArgumentException(name + ": " + e.getMessage(), e);
        } catch (IllegalStateException e) {
            throw namesThisOp(e) ? e : new IllegalStateException(name + ": " + e.getMessage(), e);
        } catch (UnsupportedOperationException e) {
            throw namesThisOp(e) ? e : new UnsupportedOperationException(name + ": " + e.getMessage(), e);
        }
    }

    // An op built of others (dense of matmul, a loss of sub) fails in one of them, whose message names that one:
    // the caller learns both when this op's name comes first.
    private boolean namesThisOp(RuntimeException e) {
        String m = e.getMessage();
        return m != null && m.startsWith(name)
                && (m.length() == name.length() || !Character.isJavaIdentifierPart(m.charAt(name.length())));
    }
}
