package dev.cotangent.autodiff;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The reverse sweep: from a result and its cotangent back to a chosen set of leaves, visiting only the nodes
 * that lie on a path between them, each after every node that consumes it.
 */
final class Backprop {
    private Backprop() {}

    /**
     * Cotangents of {@code targets} (leaves made by the caller) for result {@code root} receiving {@code seed};
     * a null entry means the result does not depend on that target.
     */
    static @Nullable Tensor[] sweep(Tensor root, Tensor seed, Tensor[] targets) {
        Tensor[] result = new Tensor[targets.length];
        if (root.node == null) {
            return result;
        }
        SweepState st = new SweepState();
        DiffContext ctx = DiffContext.get();
        boolean wasRecording = ctx.recording;
        ctx.depth++;
        // A sweep records only when an enclosing differentiation may differentiate through it.
        // A sweep inside a pullback of a sweep that does not record (recomputation) need not record either.
        ctx.recording = wasRecording && ctx.nested();
        try {
            int[] targetSlots = new int[targets.length];
            for (int i = 0; i < targets.length; i++) {
                targetSlots[i] = st.slot(targets[i].node);
                st.target[targetSlots[i]] = i;
                st.state[targetSlots[i]] = SweepState.REACHES;
            }
            Node[] order = neededNodes(root.node, st);
            st.cotangent[root.node.sweepSlot] = seed;
            for (int k = order.length - 1; k >= 0; k--) {
                Node node = order[k];
                int slot = node.sweepSlot;
                if (st.target[slot] >= 0) {
                    continue; // its cotangent is complete once every consumer has run; read below
                }
                Tensor g = st.cotangent[slot];
                st.cotangent[slot] = null;
                if (g == null) {
                    continue;
                }
                boolean[] inputNeeded = new boolean[node.inputs.length];
                for (int i = 0; i < inputNeeded.length; i++) {
                    inputNeeded[i] = st.reaches(node.inputs[i].node);
                }
                Tensor[] grads = node.pullback.apply(g, node.output, inputNeeded);
                for (int i = 0; i < inputNeeded.length; i++) {
                    if (inputNeeded[i] && grads[i] != null) {
                        int in = node.inputs[i].node.sweepSlot;
                        Tensor sum = st.cotangent[in];
                        st.cotangent[in] = sum == null ? grads[i] : sum.plus(grads[i]);
                    }
                }
            }
            for (int i = 0; i < targets.length; i++) {
                result[i] = st.cotangent[targetSlots[i]];
            }
        } finally {
            st.restore();
            ctx.depth--;
            ctx.recording = wasRecording;
        }
        return result;
    }

    /**
     * Nodes from which a target is reachable, in DFS post-order: every node comes after its inputs, so walking
     * the array backwards visits consumers first. Targets are not explored further: a gradient stops at the
     * argument it was asked for.
     */
    private static Node[] neededNodes(Node root, SweepState st) {
        Node[] postOrder = new Node[16];
        int found = 0;
        // Iterative DFS with explicit arrays: deep graphs (long chains) must not overflow the stack.
        Node[] stack = new Node[16];
        int[] nextChild = new int[16];
        int top = 0;
        stack[0] = root;
        st.slot(root);
        while (top >= 0) {
            Node n = stack[top];
            int slot = n.sweepSlot;
            // Targets are claimed (and marked as reaching) before the walk, so only the root can be one here.
            boolean isTarget = st.target[slot] >= 0;
            int i = nextChild[top];
            if (!isTarget && i < n.inputs.length) {
                nextChild[top] = i + 1;
                Node child = n.inputs[i].node;
                if (child != null && !st.claimed(child)) {
                    st.slot(child);
                    if (++top == stack.length) {
                        stack = Arrays.copyOf(stack, top * 2);
                        nextChild = Arrays.copyOf(nextChild, top * 2);
                    }
                    stack[top] = child;
                    nextChild[top] = 0;
                }
                continue;
            }
            boolean any = isTarget;
            for (int k = 0; !any && k < n.inputs.length; k++) {
                any = st.reaches(n.inputs[k].node);
            }
            st.state[slot] = any ? SweepState.REACHES : SweepState.UNREACHED;
            if (any) {
                if (found == postOrder.length) {
                    postOrder = Arrays.copyOf(postOrder, found * 2);
                }
                postOrder[found++] = n;
            }
            top--;
        }
        return Arrays.copyOf(postOrder, found);
    }
}
