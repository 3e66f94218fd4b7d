package dev.cotangent.autodiff;

import org.jspecify.annotations.Nullable;

/**
 * One recorded application of a primitive: its tracked inputs and the pullback that maps the output's
 * cotangent to theirs. The graph lives in the tensors themselves; there is no global tape.
 */
final class Node {
    final String op;
    final Tensor[] inputs;
    final PrimitivePullback pullback;
    /** The tensor this node produced, handed back to the pullback (exp's pullback needs exp(x)). */
    @Nullable Tensor output;
    /** The reverse sweep that currently numbers this node, and its number there (see {@link SweepState}). */
    @Nullable Object sweepMark;
    int sweepSlot;

    Node(String op, Tensor[] inputs, PrimitivePullback pullback) {
        this.op = op;
        this.inputs = inputs;
        this.pullback = pullback;
    }

    /** The pullback of a node that passes the cotangent straight through (leaves, identities). */
    static final PrimitivePullback IDENTITY = (g, y, needed) -> new Tensor[] {g};
}
