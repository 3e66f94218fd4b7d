package dev.cotangent.autodiff;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The reverse sweep: from a result and its cotangent back to a chosen set of leaves, visiting only the nodes
 * that lie on a path between them, in reverse creation order.
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
        IdentityHashMap<Node, Integer> targetIndex = new IdentityHashMap<>();
        for (int i = 0; i < targets.length; i++) {
            targetIndex.put(targets[i].node, i);
        }
        IdentityHashMap<Node, Boolean> needed = new IdentityHashMap<>();
        List<Node> order = neededNodes(root.node, targetIndex, needed);
        DiffContext ctx = DiffContext.get();
        boolean wasRecording = ctx.recording;
        ctx.depth++;
        // A sweep records only when an enclosing differentiation may differentiate through it.
        ctx.recording = ctx.nested();
        try {
            IdentityHashMap<Node, Tensor> cotangents = new IdentityHashMap<>();
            cotangents.put(root.node, seed);
            for (Node node : order) {
                Tensor g = cotangents.remove(node);
                if (g == null) {
                    continue;
                }
                Integer target = targetIndex.get(node);
                if (target != null) {
                    result[target] = g;
                    continue;
                }
                boolean[] inputNeeded = new boolean[node.inputs.length];
                for (int i = 0; i < inputNeeded.length; i++) {
                    Node in = node.inputs[i].node;
                    inputNeeded[i] = in != null && needed.getOrDefault(in, Boolean.FALSE);
                }
                Tensor[] grads = node.pullback.apply(g, node.output, inputNeeded);
                for (int i = 0; i < inputNeeded.length; i++) {
                    if (inputNeeded[i] && grads[i] != null) {
                        cotangents.merge(node.inputs[i].node, grads[i], Tensor::plus);
                    }
                }
            }
        } finally {
            ctx.depth--;
            ctx.recording = wasRecording;
        }
        return result;
    }

    /**
     * Nodes from which a target is reachable, in an order where every node precedes its inputs (reverse DFS
     * post-order, so no sort is needed); {@code reaches} records the answer for every node visited. Targets
     * are not explored further: a gradient stops at the argument it was asked for.
     */
    private static List<Node> neededNodes(Node root, IdentityHashMap<Node, Integer> targets,
            IdentityHashMap<Node, Boolean> reaches) {
        List<Node> postOrder = new ArrayList<>();
        // Iterative DFS: deep graphs (long chains) must not overflow the stack.
        ArrayDeque<Node> stack = new ArrayDeque<>();
        ArrayDeque<Integer> childIndex = new ArrayDeque<>();
        stack.push(root);
        childIndex.push(0);
        while (!stack.isEmpty()) {
            Node n = stack.peek();
            int i = childIndex.pop();
            if (!targets.containsKey(n) && i < n.inputs.length) {
                childIndex.push(i + 1);
                Node child = n.inputs[i].node;
                if (child != null && !reaches.containsKey(child)) {
                    stack.push(child);
                    childIndex.push(0);
                }
                continue;
            }
            boolean any = targets.containsKey(n);
            for (int k = 0; !any && k < n.inputs.length; k++) {
                Node in = n.inputs[k].node;
                any = in != null && reaches.getOrDefault(in, Boolean.FALSE);
            }
            reaches.put(n, any);
            if (any) {
                postOrder.add(n);
            }
            stack.pop();
        }
        return postOrder.reversed();
    }
}
