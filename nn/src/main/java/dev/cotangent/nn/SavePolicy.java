package dev.cotangent.nn;

import java.util.Set;

/**
 * What a recomputed region keeps from its forward pass instead of recomputing it, as JAX's checkpoint
 * policies do: a plain predicate over the name of the primitive being recorded. nn's own primitives consult it
 * ({@code dense}, {@code denseRelu}, {@code conv2d}); everything else in the region is recomputed.
 */
@FunctionalInterface
public interface SavePolicy {
    /** Whether the output of primitive {@code op} is kept. */
    boolean save(String op);

    /** Keep nothing: recompute the whole region. */
    SavePolicy NOTHING = named("nothing", op -> false);

    /** Keep the outputs of matrix products and convolutions (JAX's {@code dots_saveable}). */
    SavePolicy MATMUL_OUTPUTS = saving(DenseOps.OP, DenseOps.OP_RELU, ConvOps.OP, ConvOps.OP_RELU);

    /** Keep the outputs of exactly these primitives. */
    static SavePolicy saving(String... ops) {
        Set<String> names = Set.of(ops);
        return named("saving" + names, names::contains);
    }

    /** {@code policy} printing as {@code name}. */
    static SavePolicy named(String name, SavePolicy policy) {
        return new SavePolicy() {
            @Override
            public boolean save(String op) {
                return policy.save(op);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
