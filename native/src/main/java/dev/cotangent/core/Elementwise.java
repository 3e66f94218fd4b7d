package dev.cotangent.core;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.util.Arrays;

/**
 * Elementwise arithmetic, comparisons and functions with NumPy broadcasting, run as Vector API loops.
 *
 * <p>Results are new contiguous arrays owned by the current {@link Scope}; inputs may be any views
 * (transposed, sliced, broadcast). Both operands of a binary operation must have the same dtype. Comparisons
 * return 1 or 0 in the operands' dtype.
 *
 * {@snippet :
 * NdArray h = Elementwise.relu(Elementwise.add(xw, bias)); // bias [M] is added to every row of xw [N, M]
 * }
 */
public final class Elementwise {
    private static final ThreadLocal<MemorySegment> SCALAR_CELL =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(8, 8));

    // Adding an operator: a constant in BinaryOp or UnaryOp, a line in each switch of BinaryLoops or
    // UnaryLoops, and a public method here.

    private Elementwise() {}

    // ---------------------------------------------------------------- binary, broadcasting

    /** {@code a + b}. */
    public static NdArray add(NdArray a, NdArray b) {
        return binary("add", BinaryOp.ADD, a, b);
    }

    /** {@code a - b}. */
    public static NdArray sub(NdArray a, NdArray b) {
        return binary("sub", BinaryOp.SUB, a, b);
    }

    /** {@code a * b}. */
    public static NdArray mul(NdArray a, NdArray b) {
        return binary("mul", BinaryOp.MUL, a, b);
    }

    /** {@code a / b}. */
    public static NdArray div(NdArray a, NdArray b) {
        return binary("div", BinaryOp.DIV, a, b);
    }

    /** {@code a} to the power {@code b}, as {@link Math#pow}. */
    public static NdArray pow(NdArray a, NdArray b) {
        return binary("pow", BinaryOp.POW, a, b);
    }

    /** The larger of {@code a} and {@code b}; NaN if either is NaN. */
    public static NdArray maximum(NdArray a, NdArray b) {
        return binary("maximum", BinaryOp.MAX, a, b);
    }

    /** The smaller of {@code a} and {@code b}; NaN if either is NaN. */
    public static NdArray minimum(NdArray a, NdArray b) {
        return binary("minimum", BinaryOp.MIN, a, b);
    }

    /** {@code a + s}. */
    public static NdArray add(NdArray a, double s) {
        return withScalar("add", BinaryOp.ADD, a, s);
    }

    /** {@code a * s}. */
    public static NdArray mul(NdArray a, double s) {
        return withScalar("mul", BinaryOp.MUL, a, s);
    }

    /** {@code a} to the power {@code p}; exponents 2, 0.5 and 1 run as square, sqrt and copy. */
    public static NdArray pow(NdArray a, double p) {
        Checks.notNull(a, "pow", "a");
        // NOTE: sqrt differs from Math.pow(x, 0.5) only at -0 (gives -0) and -inf (gives NaN), as in C.
        if (p == 2) {
            return unary("pow", UnaryOp.SQUARE, a);
        } else if (p == 0.5) {
            return unary("pow", UnaryOp.SQRT, a);
        } else if (p == 1) {
            return Layouts.copy("pow", a, a.dtype());
        }
        return withScalar("pow", BinaryOp.POW, a, p);
    }

    // ---------------------------------------------------------------- comparisons and select

    /** 1 where {@code a == b}, else 0. */
    public static NdArray equal(NdArray a, NdArray b) {
        return binary("equal", BinaryOp.EQ, a, b);
    }

    /** 1 where {@code a != b} (and where either is NaN), else 0. */
    public static NdArray notEqual(NdArray a, NdArray b) {
        return binary("notEqual", BinaryOp.NE, a, b);
    }

    /** 1 where {@code a < b}, else 0. */
    public static NdArray less(NdArray a, NdArray b) {
        return binary("less", BinaryOp.LT, a, b);
    }

    /** 1 where {@code a <= b}, else 0. */
    public static NdArray lessEqual(NdArray a, NdArray b) {
        return binary("lessEqual", BinaryOp.LE, a, b);
    }

    /** 1 where {@code a > b}, else 0. */
    public static NdArray greater(NdArray a, NdArray b) {
        return binary("greater", BinaryOp.GT, a, b);
    }

    /** 1 where {@code a >= b}, else 0. */
    public static NdArray greaterEqual(NdArray a, NdArray b) {
        return binary("greaterEqual", BinaryOp.GE, a, b);
    }

    /** {@code a} where {@code cond != 0} (NaN counts as true), else {@code b}; all three broadcast together. */
    public static NdArray select(NdArray cond, NdArray a, NdArray b) {
        Checks.notNull(cond, "select", "cond").checkAlive();
        Checks.notNull(a, "select", "a").checkAlive();
        Checks.notNull(b, "select", "b").checkAlive();
        String what = "select of shapes " + cond.shape() + ", " + a.shape() + " and " + b.shape();
        DType dtype = DType.common(what, DType.common(what, cond.dtype(), a.dtype()), b.dtype());
        Shape shape;
        try {
            shape = Shape.broadcast("select", Shape.broadcast("select", cond.shape(), a.shape()), b.shape());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": not broadcastable together; expected equal sizes or 1 in"
                    + " each dimension", e);
        }
        NdArray out = NdArray.allocate("select", dtype, shape);
        try (BroadcastRuns runs = new BroadcastRuns(shape, out, cond, a, b)) {
            for (long r = runs.count(); r > 0; r--) {
                FixedLoops.select(dtype, runs.segment(1), runs.offset(1), runs.stride(1), runs.segment(2), runs.offset(2),
                        runs.stride(2), runs.segment(3), runs.offset(3), runs.stride(3), runs.segment(0), runs.offset(0),
                        runs.length());
                runs.next();
            }
        }
        Reference.reachabilityFence(cond);
        Reference.reachabilityFence(a);
        Reference.reachabilityFence(b);
        return out;
    }

    // ---------------------------------------------------------------- unary

    /** {@code -x}. */
    public static NdArray neg(NdArray x) {
        return unary("neg", UnaryOp.NEG, x);
    }

    /** {@code e^x}. */
    public static NdArray exp(NdArray x) {
        return unary("exp", UnaryOp.EXP, x);
    }

    /** Natural logarithm. */
    public static NdArray log(NdArray x) {
        return unary("log", UnaryOp.LOG, x);
    }

    /** Sine. */
    public static NdArray sin(NdArray x) {
        return unary("sin", UnaryOp.SIN, x);
    }

    /** Cosine. */
    public static NdArray cos(NdArray x) {
        return unary("cos", UnaryOp.COS, x);
    }

    /** Hyperbolic tangent. */
    public static NdArray tanh(NdArray x) {
        return unary("tanh", UnaryOp.TANH, x);
    }

    /** {@code 1 / (1 + e^-x)}, without overflow to NaN. */
    public static NdArray sigmoid(NdArray x) {
        return unary("sigmoid", UnaryOp.SIGMOID, x);
    }

    /** {@code max(x, 0)}. */
    public static NdArray relu(NdArray x) {
        return unary("relu", UnaryOp.RELU, x);
    }

    /** 1 where {@code x > 0}, else 0: the derivative of relu. */
    public static NdArray reluMask(NdArray x) {
        return unary("reluMask", UnaryOp.RELU_MASK, x);
    }

    /** Square root. */
    public static NdArray sqrt(NdArray x) {
        return unary("sqrt", UnaryOp.SQRT, x);
    }

    /** {@code x * x}. */
    public static NdArray square(NdArray x) {
        return unary("square", UnaryOp.SQUARE, x);
    }

    /** Absolute value. */
    public static NdArray abs(NdArray x) {
        return unary("abs", UnaryOp.ABS, x);
    }

    /** -1, 0 or 1 by the sign of {@code x}, as {@link Math#signum} (keeps -0 and NaN). */
    public static NdArray sign(NdArray x) {
        return unary("sign", UnaryOp.SIGN, x);
    }

    /** {@code 1 / x}. */
    public static NdArray reciprocal(NdArray x) {
        return unary("reciprocal", UnaryOp.RECIPROCAL, x);
    }

    // ---------------------------------------------------------------- in place

    /** {@code dst += src}, where {@code dst} is contiguous and {@code src} broadcasts to its shape. */
    public static void addInPlace(NdArray dst, NdArray src) {
        checkInPlace("addInPlace", dst, src);
        if (!Shape.broadcast("addInPlace", dst.shape(), src.shape()).equals(dst.shape())) {
            throw new IllegalArgumentException("addInPlace: src of shape " + src.shape() + " does not broadcast to"
                    + " dst of shape " + dst.shape() + "; expected src to broadcast without growing dst");
        }
        NdArray s = unaliased(dst, src);
        binaryInto(BinaryOp.ADD, dst, s, dst);
        if (s != src) {
            s.close();
        }
    }

    /** {@code dst += alpha * src}, where {@code dst} is contiguous and both have the same shape. */
    public static void axpyInPlace(NdArray dst, double alpha, NdArray src) {
        checkInPlace("axpyInPlace", dst, src);
        if (!dst.shape().equals(src.shape())) {
            throw new IllegalArgumentException("axpyInPlace: dst of shape " + dst.shape() + " and src of shape "
                    + src.shape() + "; expected equal shapes");
        }
        NdArray s = unaliased(dst, src);
        if (dst.isContiguous() && s.isContiguous()) {
            MemorySegment sd = dst.segment(), ss = s.segment();
            long id = dst.offset(), is = s.offset();
            Parallel.forElements(dst.size(), Parallel.shareable(sd, ss, sd), (from, to) ->
                    FixedLoops.axpy(dst.dtype(), sd, id + from, alpha, ss, is + from, 1, to - from));
        } else {
            try (BroadcastRuns runs = new BroadcastRuns(dst.shape(), dst, s)) {
                for (long r = runs.count(); r > 0; r--) {
                    FixedLoops.axpy(dst.dtype(), runs.segment(0), runs.offset(0), alpha, runs.segment(1),
                            runs.offset(1), runs.stride(1), runs.length());
                    runs.next();
                }
            }
        }
        Reference.reachabilityFence(s);
        if (s != src) {
            s.close();
        }
    }

    /** {@code dst *= alpha}, where {@code dst} is contiguous. */
    public static void scaleInPlace(NdArray dst, double alpha) {
        Checks.notNull(dst, "scaleInPlace", "dst").checkWritable("scaleInPlace");
        requireContiguous("scaleInPlace", dst);
        NdArray s = NdArray.scalar(dst.dtype(), alpha);
        binaryInto(BinaryOp.MUL, dst, s, dst);
        s.close();
    }

    private static void checkInPlace(String op, NdArray dst, NdArray src) {
        Checks.notNull(dst, op, "dst").checkWritable(op);
        Checks.notNull(src, op, "src").checkAlive();
        dtypeOf(op, dst, src);
        requireContiguous(op, dst);
    }

    private static void requireContiguous(String op, NdArray dst) {
        if (!dst.isContiguous()) {
            throw new IllegalArgumentException(op + ": dst " + dst.dtype() + dst.shape() + " is a strided view (strides "
                    + Arrays.toString(dst.strides()) + "); expected a contiguous array");
        }
    }

    // NOTE: a different view of dst's own buffer would read elements this loop already overwrote.
    private static NdArray unaliased(NdArray dst, NdArray src) {
        boolean sameView = src.offset() == dst.offset() && src.shape().equals(dst.shape())
                && Arrays.equals(src.strides(), dst.strides());
        return src.sharesBufferWith(dst) && !sameView ? src.copy() : src;
    }

    // ---------------------------------------------------------------- drivers

    private static DType dtypeOf(String op, NdArray a, NdArray b) {
        if (a.dtype() == b.dtype()) {
            return a.dtype(); // the message below is built only for the error: this runs for every op
        }
        return DType.common(op + " of shapes " + a.shape() + " and " + b.shape(), a.dtype(), b.dtype());
    }

    static NdArray binary(String name, BinaryOp op, NdArray a, NdArray b) {
        Checks.notNull(a, name, "a").checkAlive();
        Checks.notNull(b, name, "b").checkAlive();
        DType dtype = dtypeOf(name, a, b);
        NdArray out = NdArray.allocate(name, dtype, Shape.broadcast(name, a.shape(), b.shape()));
        binaryInto(op, a, b, out);
        return out;
    }

    private static NdArray withScalar(String name, BinaryOp op, NdArray a, double s) {
        Checks.notNull(a, name, "a").checkAlive();
        if (a.isContiguous()) {
            // The constant goes through a per-thread 8-byte cell instead of a pooled array of its own.
            NdArray out = NdArray.allocate(name, a.dtype(), a.shape());
            if (out.size() >= Parallel.PARALLEL_ELEMENTS) {
                // The cell belongs to this thread: a split run takes a scalar array that workers may read.
                NdArray scalar = NdArray.scalar(a.dtype(), s);
                binaryInto(op, a, scalar, out);
                scalar.close();
                return out;
            }
            MemorySegment cell = SCALAR_CELL.get();
            Layouts.put(cell, a.dtype(), 0, s);
            op.kernel(1, 0).run(a.dtype(), a.segment(), a.offset(), 1, cell, 0, 0, out.segment(), out.offset(),
                    out.size());
            Reference.reachabilityFence(a);
            return out;
        }
        NdArray scalar = NdArray.scalar(a.dtype(), s);
        NdArray out = binary(name, op, a, scalar);
        scalar.close();
        return out;
    }

    /** Writes {@code op(a, b)} into {@code out}, a contiguous array of their broadcast shape (may be {@code a}). */
    static void binaryInto(BinaryOp op, NdArray a, NdArray b, NdArray out) {
        DType dtype = out.dtype();
        long da = directStride(a, out);
        long db = directStride(b, out);
        if (da >= 0 && db >= 0) {
            // One run over contiguous operands: skips the run walker, which dominates for small arrays.
            BinaryOp.Kernel kernel = op.kernel(da, db);
            MemorySegment sa = a.segment(), sb = b.segment(), so = out.segment();
            long ia = a.offset(), ib = b.offset(), io = out.offset();
            Parallel.forElements(out.size(), Parallel.shareable(sa, sb, so), (from, to) ->
                    kernel.run(dtype, sa, ia + from * da, da, sb, ib + from * db, db, so, io + from, to - from));
            Reference.reachabilityFence(a);
            Reference.reachabilityFence(b);
            return;
        }
        try (BroadcastRuns runs = new BroadcastRuns(out.shape(), out, a, b)) {
            BinaryOp.Kernel kernel = op.kernel(runs.stride(1), runs.stride(2));
            MemorySegment so = runs.segment(0), sa = runs.segment(1), sb = runs.segment(2);
            for (long r = runs.count(); r > 0; r--) {
                kernel.run(dtype, sa, runs.offset(1), runs.stride(1), sb, runs.offset(2), runs.stride(2),
                        so, runs.offset(0), runs.length());
                runs.next();
            }
        }
        // NOTE: without the fences the JIT may consider an input unreachable once its segment is loaded, and
        // the cleaner could hand its buffer to another array mid-loop.
        Reference.reachabilityFence(a);
        Reference.reachabilityFence(b);
    }

    static NdArray unary(String name, UnaryOp op, NdArray x) {
        Checks.notNull(x, name, "x").checkAlive();
        NdArray out = NdArray.allocate(name, x.dtype(), x.shape());
        unaryInto(op, x, out);
        return out;
    }

    /**
     * The stride at which operand {@code x} is read in a single run over contiguous {@code out}: 1 when it has
     * out's shape and is contiguous, 0 when it is a single element, -1 when the run walker is needed.
     */
    private static long directStride(NdArray x, NdArray out) {
        if (x.size() == 1) {
            return 0;
        }
        return x.shape().equals(out.shape()) && x.isContiguous() && out.isContiguous() ? 1 : -1;
    }

    /** Writes {@code op(x)} into {@code out}, a contiguous array of the same shape (may be {@code x}). */
    static void unaryInto(UnaryOp op, NdArray x, NdArray out) {
        UnaryOp.Kernel kernel = op.kernel();
        DType dtype = out.dtype();
        if (x.isContiguous() && out.isContiguous()) {
            MemorySegment sx = x.segment(), so = out.segment();
            long ix = x.offset(), io = out.offset();
            Parallel.forElements(out.size(), Parallel.shareable(sx, so, so), (from, to) ->
                    kernel.run(dtype, sx, ix + from, 1, so, io + from, to - from));
            Reference.reachabilityFence(x);
            return;
        }
        try (BroadcastRuns runs = new BroadcastRuns(out.shape(), out, x)) {
            MemorySegment so = runs.segment(0), sx = runs.segment(1);
            for (long r = runs.count(); r > 0; r--) {
                kernel.run(dtype, sx, runs.offset(1), runs.stride(1), so, runs.offset(0), runs.length());
                runs.next();
            }
        }
        Reference.reachabilityFence(x);
    }
}
