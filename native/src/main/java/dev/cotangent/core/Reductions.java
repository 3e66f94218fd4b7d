package dev.cotangent.core;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Sums, means, extrema and argmax over any set of axes, and {@link #sumTo}, the inverse of broadcasting.
 *
 * <p>Axes may be negative; an empty axis list means every axis, so a full reduction without
 * {@code keepDims} is rank 0. Results are new contiguous arrays owned by the current {@link Scope}.
 *
 * {@snippet :
 * NdArray perRow = Reductions.sum(x, false, -1);          // [N, M] -> [N]
 * NdArray biasGrad = Reductions.sumTo(g, bias.shape());   // [N, M] -> [M]: the pullback of a broadcast add
 * }
 */
public final class Reductions {
    private Reductions() {}

    /** The sum over {@code axes}; 0 over an empty axis. */
    public static NdArray sum(NdArray a, boolean keepDims, int... axes) {
        return reduce("sum", ReduceOp.SUM, a, keepDims, axes);
    }

    /** The sum of every element, as a rank-0 array. */
    public static NdArray sum(NdArray a) {
        return sum(a, false);
    }

    /** The arithmetic mean over {@code axes}; NaN over an empty axis. */
    public static NdArray mean(NdArray a, boolean keepDims, int... axes) {
        NdArray out = reduce("mean", ReduceOp.SUM, a, keepDims, axes);
        long count = out.size() == 0 ? 0 : a.size() / out.size();
        NdArray divisor = NdArray.scalar(a.dtype(), count);
        Elementwise.binaryInto(BinaryOp.DIV, out, divisor, out);
        divisor.close();
        return out;
    }

    /** The mean of every element, as a rank-0 array. */
    public static NdArray mean(NdArray a) {
        return mean(a, false);
    }

    /** The largest value over {@code axes} (NaN if any is NaN). */
    public static NdArray max(NdArray a, boolean keepDims, int... axes) {
        return reduce("max", ReduceOp.MAX, a, keepDims, axes);
    }

    /** The smallest value over {@code axes} (NaN if any is NaN). */
    public static NdArray min(NdArray a, boolean keepDims, int... axes) {
        return reduce("min", ReduceOp.MIN, a, keepDims, axes);
    }

    /** Indices of the largest values along {@code axis}, as values of the input's dtype; the first on ties. */
    public static NdArray argmax(NdArray a, int axis, boolean keepDims) {
        Checks.notNull(a, "argmax", "a").checkAlive();
        Shape shape = a.shape();
        int ax = shape.normalizeAxis("argmax", axis);
        int[] dims = shape.dims();
        if (dims[ax] == 0) {
            throw new IllegalArgumentException("argmax: axis " + axis + " of " + a.dtype() + shape
                    + " is empty; expected a size >= 1");
        }
        NdArray out = NdArray.allocate("argmax", a.dtype(), shape.reduce(new int[] {ax}, keepDims));
        if (a.size() == 0) {
            return out;
        }
        NdArray src = a.contiguous("argmax");
        ArgMaxLoops.argmax(a.dtype(), src.segment(), src.offset(), product(dims, 0, ax), dims[ax],
                product(dims, ax + 1, dims.length), out.segment(), 0);
        release(src, a);
        return out;
    }

    /**
     * Sums {@code g} down to {@code target}, which must broadcast to g's shape: the cotangent of broadcasting.
     * Returns {@code g} itself when the shapes are equal, and a view of it when they differ only by leading 1s.
     */
    public static NdArray sumTo(NdArray g, Shape target) {
        Checks.notNull(g, "sumTo", "g").checkAlive();
        Checks.notNull(target, "sumTo", "target");
        Shape shape = g.shape();
        if (shape.equals(target)) {
            return g;
        }
        boolean broadcasts;
        try {
            broadcasts = Shape.broadcast("sumTo", target, shape).equals(shape);
        } catch (IllegalArgumentException e) {
            broadcasts = false;
        }
        if (!broadcasts) {
            throw new IllegalArgumentException("sumTo: target shape " + target + " does not broadcast to the shape "
                    + shape + " of the " + g.dtype() + " array; expected a shape that broadcasts to it");
        }
        int lead = shape.rank() - target.rank();
        int[] axes = new int[shape.rank()];
        int n = 0;
        for (int i = 0; i < shape.rank(); i++) {
            boolean broadcast = i < lead ? shape.dim(i) != 1 : target.dim(i - lead) == 1 && shape.dim(i) != 1;
            if (broadcast) {
                axes[n++] = i;
            }
        }
        if (n == 0) {
            // Only leading size-1 axes differ: a view of g with the target's shape.
            return g.reshape(target.dims());
        }
        return sum(g, true, Arrays.copyOf(axes, n)).reshape(target.dims());
    }

    // ---------------------------------------------------------------- the reduction driver

    private static NdArray reduce(String name, ReduceOp op, NdArray a, boolean keepDims, int... axes) {
        Checks.notNull(a, name, "a").checkAlive();
        Shape shape = a.shape();
        int[] sorted = shape.normalizeAxes(name, axes);
        int[] dims = shape.dims();
        boolean[] reduced = new boolean[dims.length];
        boolean emptyAxis = false;
        for (int ax : sorted) {
            reduced[ax] = true;
            emptyAxis |= dims[ax] == 0;
        }
        if (emptyAxis && op != ReduceOp.SUM) {
            throw new IllegalArgumentException(name + ": reducing " + a.dtype() + shape + " over axes "
                    + Arrays.toString(axes) + " that include an empty one; expected sizes >= 1 (" + name
                    + " has no identity)");
        }
        NdArray out = NdArray.allocate(name, a.dtype(), shape.reduce(sorted, keepDims));
        if (a.size() == 0) {
            out.fill(0);
            return out;
        }
        NdArray src = a.contiguous(name);
        List<long[]> groups = groups(dims, reduced);
        NdArray current = src;
        for (int g = lastReduced(groups); g >= 0; g = lastReduced(groups)) {
            long p = product(groups, 0, g);
            long r = groups.get(g)[0];
            long q = product(groups, g + 1, groups.size());
            groups.remove(g);
            mergeKept(groups, g);
            NdArray next = lastReduced(groups) < 0 ? out : NdArray.allocate(name, a.dtype(), flat(p * q));
            reduceBlock(op, a.dtype(), current, p, r, q, next);
            release(current, a);
            current = next;
        }
        if (current != out) {
            // Every reduced axis had size 1: the values pass through unchanged.
            Layouts.copyInto(current, out.segment(), 0, a.dtype());
            release(current, a);
        }
        Reference.reachabilityFence(a);
        return out;
    }

    /**
     * Reduces the [p, r, q] block of {@code src} into {@code dst}; a long block with at least two vectors' worth
     * of columns is split by columns over the threads, which gives the bits of one thread (each column
     * accumulates alone). A bias gradient, the column sums of a conv layer's output, ran alone on the caller.
     */
    private static void reduceBlock(ReduceOp op, DType dtype, NdArray src, long p, long r, long q, NdArray dst) {
        ReduceOp.Kernel kernel = op.kernel();
        MemorySegment s = src.segment();
        MemorySegment d = dst.segment();
        long base = src.offset();
        if (q >= 2 * COLUMN_GRAIN && q <= Integer.MAX_VALUE && p * r * q >= Parallel.PARALLEL_ELEMENTS
                && Parallel.shareable(s, d, d)) {
            Parallel.forRange((int) q, COLUMN_GRAIN, Parallel.threads(), (part, from, to) ->
                    kernel.reduceColumns(dtype, s, base, p, r, q, from, to, d, 0));
        } else {
            kernel.reduce(dtype, s, base, p, r, q, d, 0);
        }
    }

    /** Columns of a part start at multiples of this: whole vectors of either dtype. */
    private static final int COLUMN_GRAIN = 16;

    // Runs of adjacent non-trivial axes of the same kind, merged: {size, 1 if reduced}. Size-1 axes vanish.
    private static List<long[]> groups(int[] dims, boolean[] reduced) {
        List<long[]> groups = new ArrayList<>();
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == 1) {
                continue;
            }
            long kind = reduced[i] ? 1 : 0;
            long[] last = groups.isEmpty() ? null : groups.get(groups.size() - 1);
            if (last != null && last[1] == kind) {
                last[0] *= dims[i];
            } else {
                groups.add(new long[] {dims[i], kind});
            }
        }
        return groups;
    }

    private static int lastReduced(List<long[]> groups) {
        for (int g = groups.size() - 1; g >= 0; g--) {
            if (groups.get(g)[1] == 1) {
                return g;
            }
        }
        return -1;
    }

    // After removing group g, its kept neighbours become adjacent and merge.
    private static void mergeKept(List<long[]> groups, int g) {
        if (g > 0 && g < groups.size() && groups.get(g - 1)[1] == 0 && groups.get(g)[1] == 0) {
            groups.get(g - 1)[0] *= groups.remove(g)[0];
        }
    }

    private static long product(List<long[]> groups, int from, int to) {
        long p = 1;
        for (int g = from; g < to; g++) {
            p *= groups.get(g)[0];
        }
        return p;
    }

    private static long product(int[] dims, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) {
            p *= dims[i];
        }
        return p;
    }

    // A shape of at least n elements (n fits one dimension unless the array is larger than 2^31 - 1).
    private static Shape flat(long n) {
        return n <= Integer.MAX_VALUE ? Shape.of((int) n) : Shape.of((int) ((n + (1 << 30) - 1) >> 30), 1 << 30);
    }

    // Frees an intermediate (a copy or a partial result), never the caller's array.
    private static void release(NdArray temporary, NdArray input) {
        if (temporary != input) {
            temporary.close();
        }
    }
}
