package dev.cotangent.autodiff;

import java.util.ArrayList;
import java.util.List;

/**
 * The per-thread state of differentiation: how many derivative computations are running on this thread and
 * whether primitives record nodes. Nothing here is shared between threads.
 */
final class DiffContext {
    private static final ThreadLocal<DiffContext> CURRENT = ThreadLocal.withInitial(DiffContext::new);

    /** Derivative computations (forward traces or backward sweeps) running on this thread. */
    int depth;
    /** Whether primitives with tracked inputs record nodes. */
    boolean recording = true;
    /** Nodes cut off by withoutDerivative during the current computations, to silence the zero warning. */
    final List<Node> stopped = new ArrayList<>();

    static DiffContext get() {
        return CURRENT.get();
    }

    /**
     * Whether a derivative of a derivative may be taken here, i.e. an enclosing differentiation is running.
     * Only then must backward sweeps record, and custom derivatives run their forward on tracked inputs.
     */
    boolean nested() {
        return depth > 1;
    }
}
