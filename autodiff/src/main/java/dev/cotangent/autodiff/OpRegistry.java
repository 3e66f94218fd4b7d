package dev.cotangent.autodiff;

import dev.cotangent.core.Checks;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Every differentiable primitive, with its domain. Property tests enumerate this list, so an op cannot escape
 * checking. Each op family registers itself from the file where its kernels and pullbacks are written.
 */
public final class OpRegistry {
    private static final List<Consumer<OpRegistry>> FAMILIES = List.of(
            ElementwiseOps::register,
            ReductionOps::register,
            ShapeOps::register,
            LinearAlgebraOps::register,
            SoftmaxOps::register,
            ConvolutionOps::register);

    private static final Map<String, OpDefinition> OPS = load();

    private final Map<String, OpDefinition> ops = new LinkedHashMap<>();

    private OpRegistry() {}

    private static Map<String, OpDefinition> load() {
        OpRegistry r = new OpRegistry();
        for (Consumer<OpRegistry> family : FAMILIES) {
            family.accept(r);
        }
        return Collections.unmodifiableMap(r.ops);
    }

    /** All registered ops, in registration order. */
    public static List<OpDefinition> all() {
        return new ArrayList<>(OPS.values());
    }

    /** The op named {@code name}. */
    public static OpDefinition get(String name) {
        Checks.notNull(name, "OpRegistry.get", "name");
        OpDefinition op = OPS.get(name);
        if (op == null) {
            throw new IllegalArgumentException("OpRegistry: no op named '" + name + "'; registered: " + OPS.keySet());
        }
        return op;
    }

    /** Registers an op whose pullback is written in differentiable ops. */
    void add(String name, Signature signature, List<Domain> domains, OpDefinition.Applier applier) {
        add(new OpDefinition(name, signature, domains, true, applier));
    }

    /** Registers an op whose pullback is not itself differentiable (second derivatives through it throw). */
    void addFirstOrderOnly(String name, Signature signature, List<Domain> domains, OpDefinition.Applier applier) {
        add(new OpDefinition(name, signature, domains, false, applier));
    }

    private void add(OpDefinition op) {
        if (op.domains().isEmpty()) { // List.copyOf in OpDefinition already rejects null domains
            throw new IllegalStateException("OpRegistry: op '" + op.name() + "' must give a domain for every input");
        }
        if (ops.putIfAbsent(op.name(), op) != null) {
            throw new IllegalStateException("OpRegistry: op '" + op.name() + "' registered twice");
        }
    }
}
