package dev.cotangent.autodiff;

import dev.cotangent.core.Checks;
import dev.cotangent.core.Shape;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.function.Function;

/**
 * One forward evaluation of a function at arguments whose tensors were replaced by fresh tracked leaves,
 * ready for any number of reverse sweeps back to those leaves.
 */
final class Trace {
    private static final System.Logger LOG = System.getLogger("dev.cotangent.autodiff");

    final String op;
    final Object[] args;
    final Tensor result;
    private final Tensor[][] leaves;
    private final List<Node> stopped;

    private Trace(String op, Object[] args, Tensor result, Tensor[][] leaves, List<Node> stopped) {
        this.op = op;
        this.args = args;
        this.result = result;
        this.leaves = leaves;
        this.stopped = stopped;
    }

    /** Runs {@code f} on tracked copies of {@code args}. */
    static Trace run(String op, Object[] args, Function<Object[], Tensor> f) {
        Tensor[][] leaves = new Tensor[args.length][];
        Object[] tracked = new Object[args.length];
        for (int i = 0; i < args.length; i++) {
            String what = args.length == 1 ? "the argument" : "argument " + (i + 1);
            List<Tensor> flat = Structure.flatten(op, what, args[i]);
            Structure.requireDifferentiable(op, what, args[i]);
            Tensor[] ls = new Tensor[flat.size()];
            for (int j = 0; j < ls.length; j++) {
                ls[j] = Tensor.leaf(flat.get(j), op, Node.IDENTITY);
            }
            leaves[i] = ls;
            tracked[i] = Structure.rebuild(args[i], List.of(ls).iterator());
        }
        DiffContext ctx = DiffContext.get();
        boolean wasRecording = ctx.recording;
        int stoppedBefore = ctx.stopped.size();
        ctx.depth++;
        ctx.recording = true;
        Tensor result;
        List<Node> stopped;
        try {
            result = f.apply(tracked);
            if (result == null) {
                throw new IllegalArgumentException(op + ": the function returned null; expected a tensor");
            }
            stopped = new ArrayList<>(ctx.stopped.subList(stoppedBefore, ctx.stopped.size()));
        } finally {
            ctx.depth--;
            ctx.recording = wasRecording;
            if (ctx.depth == 0) {
                ctx.stopped.clear();
            }
        }
        return new Trace(op, args, result, leaves, stopped);
    }

    /** Whether this trace runs inside another differentiation on this thread. */
    static boolean insideDifferentiation() {
        return DiffContext.get().depth > 0;
    }

    /** Fails unless the result is a scalar (what {@code gradient} needs). */
    void requireScalarResult() {
        if (result.size() != 1) {
            throw new IllegalArgumentException(op + ": the function's result has shape " + result.shape() + " ("
                    + result.dtype() + "); expected a scalar. For a non-scalar result use pullback(at, f) with a"
                    + " cotangent of that shape");
        }
    }

    /** The cotangents of every argument, with the structure of that argument, for cotangent {@code seed}. */
    Object[] pullback(Tensor seed) {
        Checks.notNull(seed, op + " (pullback)", "cotangent");
        if (!seed.shape().equals(result.shape()) || seed.dtype() != result.dtype()) {
            throw new IllegalArgumentException(op + ": pullback got a cotangent " + seed.dtype() + seed.shape()
                    + "; expected the result's " + result.dtype() + result.shape());
        }
        int total = 0;
        for (Tensor[] ls : leaves) {
            total += ls.length;
        }
        Tensor[] all = new Tensor[total];
        for (int i = 0, k = 0; i < leaves.length; i++) {
            for (Tensor leaf : leaves[i]) {
                all[k++] = leaf;
            }
        }
        Tensor[] grads = Backprop.sweep(result, seed, all);
        Object[] out = new Object[args.length];
        for (int i = 0, k = 0; i < args.length; i++) {
            List<Tensor> g = new ArrayList<>(leaves[i].length);
            for (Tensor leaf : leaves[i]) {
                Tensor gi = grads[k++];
                if (gi == null) {
                    warnIfUnexpectedZero(i, leaf);
                    gi = Tensor.zerosLike(leaf);
                } else if (!gi.shape().equals(leaf.shape())) {
                    throw new IllegalStateException(op + ": internal error, gradient of shape " + gi.shape()
                            + " for an argument of shape " + leaf.shape());
                }
                g.add(gi);
            }
            out[i] = Structure.rebuildTangent(args[i], g.iterator());
        }
        return out;
    }

    /** Seed of ones for a scalar result. */
    Tensor onesSeed() {
        return Tensor.full(result.dtype(), result.shape(), 1);
    }

    private void warnIfUnexpectedZero(int argument, Tensor leaf) {
        if (!LOG.isLoggable(Level.DEBUG) || reachesThroughStop(leaf.node)) {
            return;
        }
        Shape shape = leaf.shape();
        LOG.log(Level.DEBUG, op + ": the result does not depend on argument " + (argument + 1) + " (a tensor of shape "
                + shape + "); its derivative is zero. Wrap the expression in withoutDerivative(...) if that is"
                + " intended");
    }

    /** Whether a withoutDerivative cut during this trace depended on {@code leaf}, which silences the warning. */
    private boolean reachesThroughStop(Node leaf) {
        IdentityHashMap<Node, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Node> todo = new ArrayDeque<>(stopped);
        while (!todo.isEmpty()) {
            Node n = todo.pop();
            if (n == leaf) {
                return true;
            }
            if (seen.put(n, Boolean.TRUE) == null) {
                for (Tensor in : n.inputs) {
                    if (in.node != null) {
                        todo.push(in.node);
                    }
                }
            }
        }
        return false;
    }
}
