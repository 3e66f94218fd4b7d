package dev.cotangent.nn;

import dev.cotangent.autodiff.Diff;
import dev.cotangent.autodiff.DifferentiableFunction;
import dev.cotangent.autodiff.DifferentiableFunction2;
import dev.cotangent.autodiff.Gradients2;
import dev.cotangent.autodiff.Tangents;
import dev.cotangent.autodiff.Tensor;
import dev.cotangent.autodiff.ValueWithPullback;
import dev.cotangent.autodiff.ValueWithPullback2;
import dev.cotangent.core.NdArray;
import dev.cotangent.core.Scope;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runs a layer so that its activations are discarded after the forward pass and recomputed in the pullback.
 * The forward pass runs in its own {@link Scope}, which keeps only the output and what the {@link SavePolicy}
 * saves; the recomputation and its backward sweep run in another, which keeps only the gradients. Random
 * draws (dropout masks) made in the forward pass are replayed in the recomputation, so gradients are
 * bit-identical to the plain layer's.
 */
final class Recomputation {
    private Recomputation() {}

    private static final ThreadLocal<Deque<Frame>> FRAMES = ThreadLocal.withInitial(ArrayDeque::new);

    /** One recomputed region's record of its forward pass. */
    private static final class Frame {
        final SavePolicy policy;
        final List<String> savedOps = new ArrayList<>();
        final List<NdArray> saved = new ArrayList<>();
        final List<Long> seeds = new ArrayList<>();
        boolean replaying;
        int savedCursor;
        int seedCursor;

        Frame(SavePolicy policy) {
            this.policy = policy;
        }
    }

    /** {@code layer(input)}, with its activations recomputed during backpropagation. */
    static <L extends Layer<L>> Tensor apply(L layer, Tensor input, SavePolicy policy) {
        if (!input.isTracked()) { // a constant input (the data): its cotangent is never computed
            DifferentiableFunction<L> f = Diff.differentiableFunction(l -> {
                Frame frame = new Frame(policy);
                boolean nested = anyTracked(l);
                Tensor y = inScope(nested, () -> run(frame, () -> l.apply(input)), frame.saved);
                return ValueWithPullback.of(y, v -> replay(frame, nested || v.isTracked(),
                        () -> Diff.pullback(l, (L m) -> m.apply(input)).apply(v)));
            });
            return f.apply(layer);
        }
        DifferentiableFunction2<L, Tensor> f = Diff.differentiableFunction2((l, x) -> {
            Frame frame = new Frame(policy);
            boolean nested = x.isTracked() || anyTracked(l);
            Tensor y = inScope(nested, () -> run(frame, () -> l.apply(x)), frame.saved);
            return ValueWithPullback2.of(y, v -> replay(frame, nested || v.isTracked(),
                    () -> Diff.pullback(l, x, Layer::apply).apply(v)));
        });
        return f.apply(layer, input);
    }

    private static boolean anyTracked(Object layer) {
        for (Tensor t : Tangents.tensors(layer)) {
            if (t.isTracked()) {
                return true;
            }
        }
        return false;
    }

    /** Runs {@code sweep} (a recomputation and its backward pass) replaying {@code frame}'s forward pass. */
    private static <T> T replay(Frame frame, boolean nested, Supplier<T> sweep) {
        frame.replaying = true;
        frame.savedCursor = 0;
        frame.seedCursor = 0;
        return inScope(nested, () -> run(frame, sweep), List.of());
    }

    private static <T> T run(Frame frame, Supplier<T> body) {
        Deque<Frame> frames = FRAMES.get();
        frames.push(frame);
        try {
            return body.get();
        } finally {
            frames.pop();
        }
    }

    /** Runs {@code body} in a scope keeping only its result's tensors and {@code alsoKeep}, unless nested. */
    private static <T> T inScope(boolean nested, Supplier<T> body, List<NdArray> alsoKeep) {
        if (nested) {
            return body.get(); // an enclosing differentiation owns the intermediates
        }
        try (Scope scope = Scope.open()) {
            T result = body.get();
            Object parts = result instanceof Gradients2<?, ?> g ? List.of(g.first(), g.second()) : result;
            for (Tensor t : Tangents.tensors(parts)) {
                scope.keep(t.value());
            }
            for (NdArray a : alsoKeep) {
                scope.keep(a);
            }
            return result;
        }
    }

    /** The output of primitive {@code op}: computed, or in a recomputation taken from the forward pass. */
    static NdArray reuseOrCompute(String op, Supplier<NdArray> kernel) {
        Frame frame = FRAMES.get().peek();
        if (frame == null || !frame.policy.save(op)) {
            return kernel.get();
        }
        if (frame.replaying) {
            if (frame.savedCursor >= frame.saved.size() || !frame.savedOps.get(frame.savedCursor).equals(op)) {
                throw new IllegalStateException("recomputation: primitive '" + op + "' was not recorded at this point"
                        + " of the forward pass (saved: " + frame.savedOps + "); a recomputed layer must run the same"
                        + " primitives each time");
            }
            return frame.saved.get(frame.savedCursor++);
        }
        NdArray out = kernel.get();
        frame.savedOps.add(op);
        frame.saved.add(out);
        return out;
    }

    /** A random seed: drawn from {@code draw}, or in a recomputation the one drawn in the forward pass. */
    static long seed(Supplier<Long> draw) {
        Frame frame = FRAMES.get().peek();
        if (frame == null) {
            return draw.get();
        }
        if (frame.replaying) {
            return frame.seeds.get(frame.seedCursor++);
        }
        long s = draw.get();
        frame.seeds.add(s);
        return s;
    }

    /** Whether a recomputation is running (state such as running averages must not be updated twice). */
    static boolean replaying() {
        Frame frame = FRAMES.get().peek();
        return frame != null && frame.replaying;
    }
}
