package dev.cotangent.autodiff;

import java.util.List;

/**
 * Opt-in for classes whose values can be differentiated: they list their differentiable parts (tensors,
 * records, lists or other {@code Differentiable}s) and rebuild themselves from replacements. Records need
 * nothing: their components are found by reflection.
 *
 * {@snippet :
 * final class Affine implements Differentiable<Affine> {
 *     final Tensor w, b;
 *     Affine(Tensor w, Tensor b) { this.w = w; this.b = b; }
 *     public List<Object> differentiableParts() { return List.of(w, b); }
 *     public Affine withDifferentiableParts(List<Object> p) { return new Affine((Tensor) p.get(0), (Tensor) p.get(1)); }
 * }
 * }
 */
public interface Differentiable<S extends Differentiable<S>> {
    /** The differentiable parts, always in the same order. */
    List<Object> differentiableParts();

    /** Names of the parts, in {@link #differentiableParts()} order, for parameter paths; indices by default. */
    default List<String> differentiablePartNames() {
        return List.of();
    }

    /** A value of the same type with {@code parts} (same order and kinds) in place of its own. */
    S withDifferentiableParts(List<Object> parts);
}
