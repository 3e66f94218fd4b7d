package dev.cotangent.autodiff;

import dev.cotangent.core.Assignment;
import dev.cotangent.core.Checks;
import dev.cotangent.core.DType;
import dev.cotangent.core.NdArray;
import dev.cotangent.core.Shape;
import org.jspecify.annotations.Nullable;

/**
 * A differentiable n-dimensional array: an {@link NdArray} value plus, while a derivative is being taken, its
 * place in the recorded graph. Scalars are rank-0 tensors.
 *
 * <p>Operators use the names Kotlin maps by itself ({@code plus minus times div unaryMinus}), so
 * {@code (yHat - y).squared().mean()} reads the same in Kotlin as in the math.
 */
public final class Tensor {
    private final NdArray value;
    final @Nullable Node node;
    /** Counts in-place writes, so derivative surgery can tell whether a hook rewrote its derivative. */
    int writes;

    Tensor(NdArray value, @Nullable Node node) {
        this.value = value;
        this.node = node;
    }

    // ---------------------------------------------------------------- creation

    /** A constant tensor (not tracked) viewing {@code value}. */
    public static Tensor of(NdArray value) {
        return new Tensor(Checks.notNull(value, "Tensor.of", "value"), null);
    }

    /** A float32 tensor of the given values and shape (a vector when no shape is given). */
    public static Tensor of(float[] values, int... shape) {
        Checks.notNull(values, "Tensor.of", "values");
        Checks.notNull(shape, "Tensor.of", "shape");
        return of(NdArray.of(values, shape));
    }

    /** A float64 tensor of the given values and shape (a vector when no shape is given). */
    public static Tensor of(double[] values, int... shape) {
        Checks.notNull(values, "Tensor.of", "values");
        Checks.notNull(shape, "Tensor.of", "shape");
        return of(NdArray.of(values, shape));
    }

    /** A float32 matrix from rows, as the tutorial's {@code [[0, 0], [0, 1]]} literals. */
    public static Tensor of(float[][] rows) {
        Checks.notNull(rows, "Tensor.of", "rows");
        return of(NdArray.of(rows));
    }

    /**
     * A float32 scalar, whatever the literal: float32 is the default dtype, as in PyTorch, so {@code scalar(0.5)}
     * (a Kotlin or Scala {@code Double}) and {@code scalar(0.5f)} are the same. Ask for float64 by name with
     * {@link #scalar(DType, double)}.
     */
    public static Tensor scalar(double value) {
        return of(NdArray.scalar(DType.F32, value));
    }

    /** A float32 scalar (see {@link #scalar(double)}). */
    public static Tensor scalar(float value) {
        return scalar((double) value);
    }

    /** A float32 scalar from an integer literal (see {@link #scalar(double)}). */
    public static Tensor scalar(int value) {
        return scalar((double) value);
    }

    /** A scalar of the given dtype. */
    public static Tensor scalar(DType dtype, double value) {
        return of(NdArray.scalar(dtype, value));
    }

    /** A tensor of zeros. */
    public static Tensor zeros(DType dtype, int... shape) {
        Checks.notNull(shape, "zeros", "shape");
        return of(NdArray.zeros(dtype, shape));
    }

    /** A tensor of ones. */
    public static Tensor ones(DType dtype, int... shape) {
        Checks.notNull(shape, "ones", "shape");
        return of(NdArray.ones(dtype, shape));
    }

    /** A tensor filled with {@code value}. */
    public static Tensor full(DType dtype, Shape shape, double value) {
        return of(NdArray.full(dtype, shape, value));
    }

    /** Zeros of the shape and dtype of {@code like}. */
    public static Tensor zerosLike(Tensor like) {
        Checks.notNull(like, "zerosLike", "like");
        return full(like.dtype(), like.shape(), 0);
    }

    // ---------------------------------------------------------------- description

    /** The underlying array; touching it after its scope closed throws. */
    public NdArray value() {
        return value;
    }

    /** The value checked to be alive, for op {@code op}'s error message. */
    NdArray array(String op) {
        if (value.isReleased()) {
            throw new IllegalStateException(op + ": input " + value.dtype() + value.shape() + " was released (its"
                    + " scope closed or close() was called); keep it with Scope.keep(...) or copy it first");
        }
        return value;
    }

    /** The value of input {@code param} of op {@code op}, checked to be present and alive. */
    static NdArray input(@Nullable Tensor t, String op, String param) {
        return Checks.notNull(t, op, param).array(op);
    }

    public Shape shape() {
        return value.shape();
    }

    public DType dtype() {
        return value.dtype();
    }

    public int rank() {
        return value.rank();
    }

    public long size() {
        return value.size();
    }

    /** Whether a running derivative computation tracks this tensor. */
    public boolean isTracked() {
        return node != null;
    }

    /** The single element as a float. */
    public float floatValue() {
        return (float) value.item();
    }

    /** The single element as a double. */
    public double doubleValue() {
        return value.item();
    }

    /** The elements, row-major. */
    public float[] toFloatArray() {
        return value.toFloatArray();
    }

    /** The elements, row-major. */
    public double[] toDoubleArray() {
        return value.toDoubleArray();
    }

    /** Element at {@code index}. */
    public double get(long... index) {
        Checks.notNull(index, "get", "index");
        return value.getDouble(index);
    }

    /** Element at {@code index} ({@code v[i, j]} in Kotlin). */
    public double get(int... index) {
        Checks.notNull(index, "get", "index");
        long[] l = new long[index.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = index[i];
        }
        return value.getDouble(l);
    }

    /** A copy with its own buffer (differentiable: the derivative passes through unchanged). */
    public Tensor copy() {
        return ShapeOps.copy(this);
    }

    // ---------------------------------------------------------------- in-place writes (derivative surgery)

    /**
     * Overwrites every element with {@code v}. Meant for the derivative handed to a
     * {@link Tensor#withDerivative} body, which owns a private copy; constants created by the user may be
     * written too, tracked tensors may not.
     */
    public Tensor fill(double v) {
        checkWritable("fill");
        value.fill(v);
        writes++;
        return this;
    }

    /** Overwrites the elements with those of {@code source} (same shape and dtype). */
    public Tensor assign(Tensor source) {
        Checks.notNull(source, "assign", "source");
        checkWritable("assign");
        if (!source.shape().equals(shape()) || source.dtype() != dtype()) {
            throw new IllegalArgumentException("assign: source " + source.dtype() + source.shape()
                    + " does not match target " + dtype() + shape());
        }
        Assignment.assign(value, source.array("assign"));
        writes++;
        return this;
    }

    private void checkWritable(String op) {
        if (node != null) {
            throw new IllegalStateException(op + ": tensor " + dtype() + shape() + " is tracked by a running"
                    + " derivative; in-place writes would corrupt it");
        }
        value.checkWritable(op);
        if (!value.isContiguous()) {
            throw new IllegalStateException(op + ": tensor " + dtype() + shape() + " is a strided view; expected a"
                    + " contiguous tensor (write into copy())");
        }
    }

    // ---------------------------------------------------------------- operators

    public Tensor plus(Tensor other) {
        Checks.notNull(other, "plus", "other");
        return ElementwiseOps.add(this, other);
    }

    public Tensor plus(double c) {
        return ElementwiseOps.addScalar(this, c);
    }

    /** As {@link #plus(double)}, for Kotlin's {@code Float} literals ({@code x + 2f}). */
    public Tensor plus(float c) {
        return plus((double) c);
    }

    /** As {@link #plus(double)}, for Kotlin's {@code Int} literals. */
    public Tensor plus(int c) {
        return plus((double) c);
    }

    public Tensor minus(Tensor other) {
        Checks.notNull(other, "minus", "other");
        return ElementwiseOps.sub(this, other);
    }

    public Tensor minus(double c) {
        return ElementwiseOps.addScalar(this, -c);
    }

    /** As {@link #minus(double)}, for Kotlin's {@code Float} literals ({@code x - 2f}). */
    public Tensor minus(float c) {
        return minus((double) c);
    }

    /** As {@link #minus(double)}, for Kotlin's {@code Int} literals. */
    public Tensor minus(int c) {
        return minus((double) c);
    }

    public Tensor times(Tensor other) {
        Checks.notNull(other, "times", "other");
        return ElementwiseOps.mul(this, other);
    }

    public Tensor times(double c) {
        return ElementwiseOps.scale(this, c);
    }

    /** As {@link #times(double)}, for Kotlin's {@code Float} literals ({@code x * 2f}). */
    public Tensor times(float c) {
        return times((double) c);
    }

    /** As {@link #times(double)}, for Kotlin's {@code Int} literals. */
    public Tensor times(int c) {
        return times((double) c);
    }

    public Tensor div(Tensor other) {
        Checks.notNull(other, "div", "other");
        return ElementwiseOps.div(this, other);
    }

    public Tensor div(double c) {
        return ElementwiseOps.scale(this, 1 / c);
    }

    /** As {@link #div(double)}, for Kotlin's {@code Float} literals ({@code x / 2f}). */
    public Tensor div(float c) {
        return div((double) c);
    }

    /** As {@link #div(double)}, for Kotlin's {@code Int} literals. */
    public Tensor div(int c) {
        return div((double) c);
    }

    public Tensor unaryMinus() {
        return ElementwiseOps.neg(this);
    }

    /** Elementwise square. */
    public Tensor squared() {
        return ElementwiseOps.square(this);
    }

    /** Sum of all elements, a scalar. */
    public Tensor sum() {
        return ReductionOps.sum(this);
    }

    /** Sum over {@code axes}, which are removed from the shape (NumPy's {@code sum(x, axis)}). */
    public Tensor sum(int... axes) {
        Checks.notNull(axes, "sum", "axes");
        return ReductionOps.sum(this, axes);
    }

    /** Sum over {@code axes}; with {@code keepDims} they stay as size 1. */
    public Tensor sum(int[] axes, boolean keepDims) {
        Checks.notNull(axes, "sum", "axes");
        return ReductionOps.sum(this, axes, keepDims);
    }

    /** Mean of all elements, a scalar. */
    public Tensor mean() {
        return ReductionOps.mean(this);
    }

    /** Mean over {@code axes}, which are removed from the shape. */
    public Tensor mean(int... axes) {
        Checks.notNull(axes, "mean", "axes");
        return ReductionOps.mean(this, axes);
    }

    /** Mean over {@code axes}; with {@code keepDims} they stay as size 1. */
    public Tensor mean(int[] axes, boolean keepDims) {
        Checks.notNull(axes, "mean", "axes");
        return ReductionOps.mean(this, axes, keepDims);
    }

    /** Largest element over {@code axes} (all when none are given), which are removed from the shape. */
    public Tensor max(int... axes) {
        Checks.notNull(axes, "max", "axes");
        return ReductionOps.max(this, axes);
    }

    /** Smallest element over {@code axes} (all when none are given), which are removed from the shape. */
    public Tensor min(int... axes) {
        Checks.notNull(axes, "min", "axes");
        return ReductionOps.min(this, axes);
    }

    /** {@code this ^ exponent}, elementwise. */
    public Tensor pow(double exponent) {
        return ElementwiseOps.pow(this, exponent);
    }

    /** {@code this ^ exponent}, elementwise with broadcasting. */
    public Tensor pow(Tensor exponent) {
        Checks.notNull(exponent, "pow", "exponent");
        return ElementwiseOps.pow(this, exponent);
    }

    /** 1 where {@code this > other}, else 0 (not differentiable; a mask in this tensor's dtype). */
    public Tensor greater(Tensor other) {
        Checks.notNull(other, "greater", "other");
        return ElementwiseOps.greater(this, other);
    }

    /** 1 where {@code this > c}, else 0. */
    public Tensor greater(double c) {
        return ElementwiseOps.greater(this, like(c));
    }

    /** 1 where {@code this < other}, else 0. */
    public Tensor less(Tensor other) {
        Checks.notNull(other, "less", "other");
        return ElementwiseOps.less(this, other);
    }

    /** 1 where {@code this < c}, else 0. */
    public Tensor less(double c) {
        return ElementwiseOps.less(this, like(c));
    }

    /** 1 where {@code this == other}, else 0. */
    public Tensor equal(Tensor other) {
        Checks.notNull(other, "equal", "other");
        return ElementwiseOps.equal(this, other);
    }

    /** A scalar constant of this tensor's dtype. */
    private Tensor like(double c) {
        return of(NdArray.scalar(dtype(), c));
    }

    public Tensor matmul(Tensor other) {
        Checks.notNull(other, "matmul", "other");
        return LinearAlgebraOps.matmul(this, other);
    }

    /** Same elements, new shape (one dimension may be -1). */
    public Tensor reshape(int... shape) {
        Checks.notNull(shape, "reshape", "shape");
        return ShapeOps.reshape(this, shape);
    }

    /** Swaps the last two axes. */
    public Tensor transpose() {
        return ShapeOps.swapLastAxes(this);
    }

    /** Converts to {@code dtype} (differentiable; the cotangent is converted back). */
    public Tensor toType(DType dtype) {
        Checks.notNull(dtype, "toType", "dtype");
        return ShapeOps.toType(this, dtype);
    }

    /**
     * This tensor passed through {@code layers} in order ({@code input.sequenced(through: l1, l2)} in Swift):
     * {@code x.sequenced(conv, pool, flatten, dense)} is {@code dense(flatten(pool(conv(x))))}.
     */
    @SafeVarargs
    public final Tensor sequenced(DifferentiableFunction<Tensor>... layers) {
        Checks.notNullElements(layers, "sequenced", "layers");
        Tensor out = this;
        for (DifferentiableFunction<Tensor> layer : layers) {
            out = layer.apply(out);
        }
        return out;
    }

    /** This value with derivatives stopped: nothing flows back through the result. */
    public Tensor withoutDerivative() {
        return Diff.withoutDerivative(this);
    }

    /**
     * This value, with {@code body} run on the derivative arriving here during backpropagation. The body may
     * only look at it, or rewrite it in place ({@code dx.fill(0.5)}); what it leaves is what flows on.
     */
    public Tensor withDerivative(DerivativeHook body) {
        Checks.notNull(body, "withDerivative", "body");
        return Diff.withDerivative(this, body);
    }

    @Override
    public String toString() {
        return value.toString();
    }

    // ---------------------------------------------------------------- recording

    private static void checkRecord(String op, NdArray result, PrimitivePullback pullback) {
        Checks.notNull(op, "Tensor.record", "op");
        Checks.notNull(result, "Tensor.record", "result");
        Checks.notNull(pullback, "Tensor.record", "pullback");
    }

    /**
     * Records one application of primitive {@code op}: {@code result} was computed from {@code x}, and
     * {@code pullback} maps its cotangent to x's. Untracked (a constant) when x is untracked or recording is
     * off. This is how a primitive defined outside this package (a fused layer op, a user's kernel) joins
     * differentiation; register it with {@link OpRegistry} so that the property suite checks its pullback.
     *
     * {@snippet :
     * static Tensor cube(Tensor x) {
     *     NdArray y = myCubeKernel(x.value());
     *     return Tensor.record("cube", y, x, (g, out, needed) -> new Tensor[] {g.times(x.squared().times(3))}); // dx = 3x²g
     * }
     * }
     */
    public static Tensor record(String op, NdArray result, Tensor x, PrimitivePullback pullback) {
        checkRecord(op, result, pullback);
        Checks.notNull(x, "Tensor.record", "x");
        if (x.node == null || !DiffContext.get().recording) {
            return new Tensor(result, null);
        }
        return link(new Node(op, new Tensor[] {x}, pullback), result);
    }

    /** Binary form of {@link #record(String, NdArray, Tensor, PrimitivePullback)}. */
    public static Tensor record(String op, NdArray result, Tensor x, Tensor y, PrimitivePullback pullback) {
        checkRecord(op, result, pullback);
        Checks.notNull(x, "Tensor.record", "x");
        Checks.notNull(y, "Tensor.record", "y");
        if ((x.node == null && y.node == null) || !DiffContext.get().recording) {
            return new Tensor(result, null);
        }
        return link(new Node(op, new Tensor[] {x, y}, pullback), result);
    }

    /** N-ary form; untracked inputs are passed with their cotangent slots never needed. */
    public static Tensor record(String op, NdArray result, Tensor[] inputs, PrimitivePullback pullback) {
        checkRecord(op, result, pullback);
        Checks.notNullElements(inputs, "Tensor.record", "inputs");
        boolean any = false;
        for (Tensor t : inputs) {
            any |= t.node != null;
        }
        if (!any || !DiffContext.get().recording) {
            return new Tensor(result, null);
        }
        return link(new Node(op, inputs, pullback), result);
    }

    private static Tensor link(Node node, NdArray result) {
        Tensor out = new Tensor(result, node);
        node.output = out;
        return out;
    }

    /** A tracked alias of {@code source} whose node is a fresh leaf (connected to source's graph, if any). */
    static Tensor leaf(Tensor source, String op, PrimitivePullback pullback) {
        Tensor[] inputs = source.node == null ? new Tensor[0] : new Tensor[] {source};
        return link(new Node(op, inputs, pullback), source.value);
    }
}
