package dev.cotangent.autodiff;

import dev.cotangent.core.Checks;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Every differentiable primitive, with its domain. Property tests enumerate this list, so an op cannot escape
 * checking. Each built-in family registers itself from the file where its kernels and pullbacks are written;
 * families of other modules (nn's fused ops, a user's kernels) are {@link OpFamily} services found on the
 * class path.
 */
public final class OpRegistry {
    private static final List<OpFamily> BUILT_IN = List.of(
            ElementwiseOps::register,
            ReductionOps::register,
            ShapeOps::register,
            LinearAlgebraOps::register,
            SoftmaxOps::register,
            ConvolutionOps::register);

    private static final Map<String, OpDefinition> OPS = load();

    private final Map<String, OpDefinition> ops = new LinkedHashMap<>();
    private String family = "built-in";

    OpRegistry() {}

    private static Map<String, OpDefinition> load() {
        OpRegistry r = new OpRegistry();
        for (OpFamily f : BUILT_IN) {
            f.register(r);
        }
        for (OpFamily f : ServiceLoader.load(OpFamily.class, OpRegistry.class.getClassLoader())) {
            r.family = f.getClass().getName();
            f.register(r);
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

    private static void checkAdd(String method, String name, Signature signature, List<Domain> domains,
            OpDefinition.Applier applier) {
        String op = "OpRegistry." + method;
        Checks.notNull(name, op, "name");
        Checks.notNull(signature, op, "signature");
        Checks.notNull(domains, op, "domains");
        Checks.notNull(applier, op, "applier");
    }

    /** Registers an op whose pullback is written in differentiable ops. */
    public void add(String name, Signature signature, List<Domain> domains, OpDefinition.Applier applier) {
        checkAdd("add", name, signature, domains, applier);
        add(new OpDefinition(name, signature, domains, true, applier));
    }

    /** Registers an op whose pullback is not itself differentiable (second derivatives through it throw). */
    public void addFirstOrderOnly(String name, Signature signature, List<Domain> domains,
            OpDefinition.Applier applier) {
        checkAdd("addFirstOrderOnly", name, signature, domains, applier);
        add(new OpDefinition(name, signature, domains, false, applier));
    }

    /** Registers any op, e.g. one of {@link Signature#CUSTOM} signature with its own {@link CaseGenerator}. */
    public void add(OpDefinition op) {
        Checks.notNull(op, "OpRegistry.add", "op");
        if (op.domains().isEmpty()) { // List.copyOf in OpDefinition already rejects null domains
            throw new IllegalStateException("OpRegistry: op '" + op.name() + "' (" + family
                    + ") must give a domain for every input");
        }
        if (ops.putIfAbsent(op.name(), op) != null) {
            throw new IllegalStateException("OpRegistry: op '" + op.name() + "' registered twice (again by "
                    + family + ")");
        }
    }
}
