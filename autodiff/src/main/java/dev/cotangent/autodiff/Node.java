package dev.cotangent.autodiff;

import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * One recorded application of a primitive: its tracked inputs and the pullback that maps the output's
 * cotangent to theirs. The graph lives in the tensors themselves; there is no global tape.
 */
final class Node {
    private static final AtomicLong SEQUENCE = new AtomicLong();

    final String op;
    final Tensor[] inputs;
    final NodePullback pullback;
    /** Creation order: inputs always precede outputs, so descending order is a valid reverse sweep. */
    final long sequence;
    /** The tensor this node produced, handed back to the pullback (exp's pullback needs exp(x)). */
    @Nullable Tensor output;

    Node(String op, Tensor[] inputs, NodePullback pullback) {
        this.op = op;
        this.inputs = inputs;
        this.pullback = pullback;
        this.sequence = SEQUENCE.getAndIncrement();
    }

    /** Pullback of one recorded primitive. */
    @FunctionalInterface
    interface NodePullback {
        /**
         * Cotangents of the inputs given the output's cotangent {@code g}; entries whose {@code needed} flag
         * is false may be null.
         */
        @Nullable Tensor[] apply(Tensor g, Tensor y, boolean[] needed);
    }

    /** The pullback of a node that passes the cotangent straight through (leaves, identities). */
    static final NodePullback IDENTITY = (g, y, needed) -> new Tensor[] {g};
}
