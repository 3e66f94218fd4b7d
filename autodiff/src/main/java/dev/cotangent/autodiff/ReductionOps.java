package dev.cotangent.autodiff;

import static dev.cotangent.autodiff.Domain.DISTINCT;
import static dev.cotangent.autodiff.Domain.REAL;
import static dev.cotangent.autodiff.Tensor.input;

import dev.cotangent.core.Checks;
import dev.cotangent.core.Elementwise;
import dev.cotangent.core.NdArray;
import dev.cotangent.core.Reductions;
import dev.cotangent.core.Shape;
import java.util.List;

/**
 * Reductions and their adjoint, broadcasting: sum and broadcast are each other's pullbacks, which is what makes
 * every broadcasting op differentiable to any order.
 */
public final class ReductionOps {
    private ReductionOps() {}

    static void register(OpRegistry r) {
        r.add("sum", Signature.REDUCTION, List.of(REAL), (in, p) -> {
            OpParams.Axes a = (OpParams.Axes) p;
            return sum(in.get(0), a.axes(), a.keepDims());
        });
        r.add("max", Signature.REDUCTION, List.of(DISTINCT), (in, p) -> {
            OpParams.Axes a = (OpParams.Axes) p;
            return max(in.get(0), a.axes(), a.keepDims());
        });
        r.add("min", Signature.REDUCTION, List.of(DISTINCT), (in, p) -> {
            OpParams.Axes a = (OpParams.Axes) p;
            return min(in.get(0), a.axes(), a.keepDims());
        });
        r.add("sumTo", Signature.SUM_TO, List.of(REAL), (in, p) -> sumTo(in.get(0), ((OpParams.Target) p).shape()));
        r.add("broadcastTo", Signature.BROADCAST_TO, List.of(REAL),
                (in, p) -> broadcastTo(in.get(0), ((OpParams.Target) p).shape()));
    }

    /** Sum over {@code axes} (all when none are given), which are removed from the shape. */
    public static Tensor sum(Tensor x, int... axes) {
        input(x, "sum", "x");
        Checks.notNull(axes, "sum", "axes");
        return sum(x, axes, false);
    }

    /** Sum over {@code axes} (all when empty); with {@code keepDims} they stay as size 1. */
    public static Tensor sum(Tensor x, int[] axes, boolean keepDims) {
        NdArray out = Reductions.sum(input(x, "sum", "x"), keepDims, axes);
        Shape kept = x.shape().reduce(x.shape().normalizeAxes("sum", axes), true);
        return Tensor.record("sum", out, x,
                (g, z, need) -> new Tensor[] {broadcastTo(ShapeOps.reshape(g, kept.dims()), x.shape())}); // dx = g
    }

    /** Mean over {@code axes} (all when none are given); composed of sum and scale, so it has no pullback of its own. */
    public static Tensor mean(Tensor x, int... axes) {
        input(x, "mean", "x");
        Checks.notNull(axes, "mean", "axes");
        return mean(x, axes, false);
    }

    /** Mean over {@code axes} (all when empty); with {@code keepDims} they stay as size 1. */
    public static Tensor mean(Tensor x, int[] axes, boolean keepDims) {
        input(x, "mean", "x");
        Checks.notNull(axes, "mean", "axes");
        int[] norm = x.shape().normalizeAxes("mean", axes);
        long n = 1;
        for (int a : norm) {
            n *= x.shape().dim(a);
        }
        return ElementwiseOps.scale(sum(x, axes, keepDims), 1.0 / n);
    }

    /** Largest element over {@code axes} (all when none are given); ties share the derivative equally. */
    public static Tensor max(Tensor x, int... axes) {
        input(x, "max", "x");
        Checks.notNull(axes, "max", "axes");
        return max(x, axes, false);
    }

    /** Largest element over {@code axes}; with {@code keepDims} they stay as size 1. */
    public static Tensor max(Tensor x, int[] axes, boolean keepDims) {
        return extremum("max", Reductions.max(input(x, "max", "x"), keepDims, axes), x, keepDims, axes);
    }

    /** Smallest element over {@code axes} (all when none are given); ties share the derivative equally. */
    public static Tensor min(Tensor x, int... axes) {
        input(x, "min", "x");
        Checks.notNull(axes, "min", "axes");
        return min(x, axes, false);
    }

    /** Smallest element over {@code axes}; with {@code keepDims} they stay as size 1. */
    public static Tensor min(Tensor x, int[] axes, boolean keepDims) {
        return extremum("min", Reductions.min(input(x, "min", "x"), keepDims, axes), x, keepDims, axes);
    }

    private static Tensor extremum(String op, NdArray out, Tensor x, boolean keepDims, int[] axes) {
        Shape kept = x.shape().reduce(x.shape().normalizeAxes(op, axes), true);
        return Tensor.record(op, out, x, (g, z, need) -> {
            NdArray hits = Elementwise.equal(x.value(), out.reshape(kept.dims()));
            NdArray share = Elementwise.div(hits, Reductions.sum(hits, true, axes));
            Tensor gb = broadcastTo(ShapeOps.reshape(g, kept.dims()), x.shape());
            return new Tensor[] {ElementwiseOps.mul(gb, Tensor.of(share))}; // dx = g * [x == m] / #ties
        });
    }

    /** Index of the largest element along {@code axis} (first on ties), as values of x's dtype; not differentiable. */
    public static Tensor argmax(Tensor x, int axis, boolean keepDims) {
        return Tensor.of(Reductions.argmax(input(x, "argmax", "x"), axis, keepDims));
    }

    /** Sums {@code x} down to {@code shape}, the inverse of broadcasting {@code shape} up to x's shape. */
    public static Tensor sumTo(Tensor x, Shape shape) {
        input(x, "sumTo", "x");
        Checks.notNull(shape, "sumTo", "shape");
        if (x.shape().equals(shape)) {
            return x;
        }
        NdArray out = Reductions.sumTo(input(x, "sumTo", "x"), shape);
        return Tensor.record("sumTo", out, x, (g, z, need) -> new Tensor[] {broadcastTo(g, x.shape())}); // dx = g
    }

    /** {@code x} repeated along broadcast axes to {@code shape}. */
    public static Tensor broadcastTo(Tensor x, Shape shape) {
        input(x, "broadcastTo", "x");
        Checks.notNull(shape, "broadcastTo", "shape");
        if (x.shape().equals(shape)) {
            return x;
        }
        NdArray out = input(x, "broadcastTo", "x").broadcastTo(shape); // a stride-0 view: no copy
        return Tensor.record("broadcastTo", out, x, (g, z, need) -> new Tensor[] {sumTo(g, x.shape())}); // dx = sum g
    }
}
