package dev.cotangent.autodiff;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The working state of one reverse sweep, kept in arrays indexed by a number written into each node it visits
 * (cheaper than hash maps keyed by node, which dominated small graphs). A sweep nested inside a pullback of
 * another (checkpointing, a gradient inside a pullback) may visit the same nodes; it saves their numbers on
 * claiming them and {@link #restore() restores} them when it ends, so sweeps nest strictly. The graph of a
 * differentiation belongs to the thread that traces it.
 */
final class SweepState {
    static final byte UNKNOWN = 0;
    static final byte REACHES = 1;
    static final byte UNREACHED = 2;

    private final Object token = new Object();
    private Node[] nodes = new Node[64];
    private @Nullable Object[] savedMarks = new Object[64];
    private int[] savedSlots = new int[64];
    byte[] state = new byte[64];
    int[] target = new int[64];
    @Nullable Tensor[] cotangent = new Tensor[64];
    private int count;

    /** Whether this sweep has numbered {@code n}. */
    boolean claimed(Node n) {
        return n.sweepMark == token;
    }

    /** The number of {@code n} in this sweep, numbering it first if needed. */
    int slot(Node n) {
        if (n.sweepMark == token) {
            return n.sweepSlot;
        }
        if (count == nodes.length) {
            int size = count * 2;
            nodes = Arrays.copyOf(nodes, size);
            savedMarks = Arrays.copyOf(savedMarks, size);
            savedSlots = Arrays.copyOf(savedSlots, size);
            state = Arrays.copyOf(state, size);
            target = Arrays.copyOf(target, size);
            cotangent = Arrays.copyOf(cotangent, size);
        }
        int s = count++;
        nodes[s] = n;
        savedMarks[s] = n.sweepMark;
        savedSlots[s] = n.sweepSlot;
        target[s] = -1;
        n.sweepMark = token;
        n.sweepSlot = s;
        return s;
    }

    /** Whether {@code n} was found to lead to a target. */
    boolean reaches(@Nullable Node n) {
        return n != null && n.sweepMark == token && state[n.sweepSlot] == REACHES;
    }

    /** Gives every visited node back the number an enclosing sweep had written, newest first. */
    void restore() {
        for (int s = count - 1; s >= 0; s--) {
            nodes[s].sweepMark = savedMarks[s];
            nodes[s].sweepSlot = savedSlots[s];
            nodes[s] = null;
            cotangent[s] = null;
        }
        count = 0;
    }
}
