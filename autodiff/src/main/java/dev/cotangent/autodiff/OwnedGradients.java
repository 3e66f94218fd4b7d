package dev.cotangent.autodiff;

import dev.cotangent.core.NdArray;
import dev.cotangent.core.Scope;
import java.util.List;

/**
 * Makes the gradients a differential operator returns own their memory, copying only those that do not: a
 * pullback may pass its cotangent straight through ({@code dx = g}, so {@code a + b} gives both arguments the
 * same tensor), return a read-only broadcast view ({@code sum}'s pullback), a strided view, or a constant or
 * argument the caller holds (a custom pullback). Writing into one of those would change something else.
 */
final class OwnedGradients {
    private OwnedGradients() {}

    /**
     * {@code grads} with each tensor replaced by a copy unless it is contiguous, writable, allocated in
     * {@code scope} (so no caller holds it), and shares its buffer with no earlier gradient nor any of
     * {@code held} (arrays also returned to the caller).
     */
    static Object[] of(Object[] grads, Scope scope, List<NdArray> held) {
        Object[] out = new Object[grads.length];
        for (int i = 0; i < grads.length; i++) {
            out[i] = Structure.map(grads[i], t -> {
                NdArray v = t.value();
                Tensor owned = exclusive(v, scope, held) ? t : ShapeOps.copy(t);
                held.add(owned.value());
                return owned;
            });
        }
        return out;
    }

    private static boolean exclusive(NdArray v, Scope scope, List<NdArray> held) {
        if (!v.isWritable() || !v.isContiguous() || !v.belongsTo(scope)) {
            return false;
        }
        for (NdArray h : held) {
            if (v.sharesBufferWith(h)) {
                return false;
            }
        }
        return true;
    }
}
