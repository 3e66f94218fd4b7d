package dev.cotangent.autodiff;

import static dev.cotangent.autodiff.Domain.REAL;
import static dev.cotangent.autodiff.Tensor.input;

import dev.cotangent.core.Assignment;
import dev.cotangent.core.Checks;
import dev.cotangent.core.DType;
import dev.cotangent.core.NdArray;
import java.util.List;

/** Shape primitives (views where possible) and conversions; each pullback undoes the move. */
public final class ShapeOps {
    private ShapeOps() {}

    static void register(OpRegistry r) {
        r.add("reshape", Signature.RESHAPE, List.of(REAL),
                (in, p) -> reshape(in.get(0), ((OpParams.Target) p).shape().dims()));
        r.add("transpose", Signature.TRANSPOSE, List.of(REAL),
                (in, p) -> transpose(in.get(0), ((OpParams.Permutation) p).perm()));
        r.add("slice", Signature.SLICE, List.of(REAL), (in, p) -> {
            OpParams.Slice s = (OpParams.Slice) p;
            return slice(in.get(0), s.axis(), s.start(), s.end(), s.step());
        });
        r.add("toType", Signature.CAST, List.of(REAL), (in, p) -> toType(in.get(0), ((OpParams.Cast) p).dtype()));
        r.add("copy", Signature.UNARY, List.of(REAL), (in, p) -> copy(in.get(0)));
    }

    /** Same elements, another shape (one dimension may be -1). */
    public static Tensor reshape(Tensor x, int... shape) {
        Checks.notNull(shape, "reshape", "shape");
        NdArray out = input(x, "reshape", "x").reshape(shape);
        if (out == x.value()) {
            return x;
        }
        int[] original = x.shape().dims();
        return Tensor.record("reshape", out, x, (g, z, need) -> new Tensor[] {reshape(g, original)}); // dx = g
    }

    /** Axes permuted: result axis i is x's axis {@code perm[i]}. */
    public static Tensor transpose(Tensor x, int... perm) {
        NdArray out = input(x, "transpose", "x").transpose(perm);
        int[] inverse = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            inverse[x.shape().normalizeAxis("transpose", perm[i])] = i;
        }
        return Tensor.record("transpose", out, x, (g, z, need) -> new Tensor[] {transpose(g, inverse)}); // dx = gᵀ
    }

    /** The last two axes swapped (composed of transpose). */
    public static Tensor swapLastAxes(Tensor x) {
        int rank = input(x, "swapLastAxes", "x").rank();
        if (rank < 2) {
            throw new IllegalArgumentException("transpose: shape " + x.shape() + " has rank " + rank + "; expected >= 2");
        }
        int[] perm = new int[rank];
        for (int i = 0; i < rank; i++) {
            perm[i] = i;
        }
        perm[rank - 2] = rank - 1;
        perm[rank - 1] = rank - 2;
        return transpose(x, perm);
    }

    /** Elements start, start+step, ... below end along {@code axis}. */
    public static Tensor slice(Tensor x, int axis, int start, int end, int step) {
        NdArray out = input(x, "slice", "x").slice(axis, start, end, step);
        return Tensor.record("slice", out, x,
                (g, z, need) -> new Tensor[] {unslice(g, x, axis, start, end, step)}); // dx = g placed, 0 elsewhere
    }

    /** Adjoint of slice: zeros of x's shape with {@code g} written at the sliced positions. */
    private static Tensor unslice(Tensor g, Tensor x, int axis, int start, int end, int step) {
        NdArray out = NdArray.zeros(g.dtype(), x.shape().dims());
        Assignment.assign(out.slice(axis, start, end, step), g.array("slice"));
        return Tensor.record("unslice", out, g,
                (gg, z, need) -> new Tensor[] {slice(gg, axis, start, end, step)}); // dg = slice(gg)
    }

    /** Inserts an axis of size 1 (composed of reshape). */
    public static Tensor expandDims(Tensor x, int axis) {
        return reshape(x, input(x, "expandDims", "x").expandDims(axis).shape().dims());
    }

    /** A copy with its own writable buffer, also of a view; the cotangent passes through. */
    public static Tensor copy(Tensor x) {
        return Tensor.record("copy", input(x, "copy", "x").copy(), x, (g, z, need) -> new Tensor[] {g}); // dx = g
    }

    /** Converts to another dtype; the cotangent converts back. */
    public static Tensor toType(Tensor x, DType dtype) {
        input(x, "toType", "x");
        Checks.notNull(dtype, "toType", "dtype");
        if (x.dtype() == dtype) {
            return x;
        }
        DType original = x.dtype();
        return Tensor.record("toType", input(x, "toType", "x").toType(dtype), x,
                (g, z, need) -> new Tensor[] {toType(g, original)}); // dx = g in x's dtype
    }
}
