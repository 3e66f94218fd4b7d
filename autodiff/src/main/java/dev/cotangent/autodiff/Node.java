package dev.cotangent.autodiff;

import org.jspecify.annotations.Nullable;

/**
 * One recorded application of a primitive: its tracked inputs and the pullback that maps the output's
 * cotangent to theirs. The graph lives in the tensors themselves; there is no global tape.
 */
final class Node {
    final String op;
    final Tensor[] inputs;
    final NodePullback pullback;
    /** The tensor this node produced, handed back to the pullback (exp's pullback needs exp(x)). */
    @Nullable Tensor output;
    /** The reverse sweep that currently numbers this node, and its number there (see {@link SweepState}). */
    @Nullable Object sweepMark;
    int sweepSlot;

    Node(String op, Tensor[] inputs, NodePullback pullback) {
        this.op = op;
        this.inputs = inputs;
        this.pullback = pullback;
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
