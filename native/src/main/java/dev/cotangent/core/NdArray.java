package dev.cotangent.core;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Objects;

/**
 * An n-dimensional float32 or float64 array in off-heap memory: a view (shape, strides, offset) of a pooled
 * buffer. It knows nothing of derivatives.
 *
 * <p>Arrays are immutable through this API except for explicit in-place kernels. Views (reshape of a
 * contiguous array, transpose, slice, broadcast) share the buffer. An array allocated while a {@link Scope} is
 * open belongs to that scope; otherwise {@link #close()} releases it, or the garbage collector returns its
 * buffer to the pool. Touching a released array throws {@link IllegalStateException}.
 */
public final class NdArray implements AutoCloseable {
    private final Storage storage;
    private final DType dtype;
    private final Shape shape;
    private final long[] strides;
    private final long offset;

    NdArray(Storage storage, DType dtype, Shape shape, long[] strides, long offset) {
        this.storage = storage;
        this.dtype = dtype;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
    }

    // ---------------------------------------------------------------- creation

    /** A contiguous array whose contents are unspecified; kernels fill it. */
    public static NdArray empty(DType dtype, Shape shape) {
        Storage s = Storage.allocate(Math.max(1, shape.size()) * dtype.byteSize());
        return new NdArray(s, dtype, shape, shape.sharedContiguousStrides(), 0);
    }

    public static NdArray empty(DType dtype, int... dims) {
        return empty(dtype, Shape.of(dims));
    }

    /** An array filled with {@code value}. */
    public static NdArray full(DType dtype, Shape shape, double value) {
        NdArray a = empty(dtype, shape);
        a.fill(value);
        return a;
    }

    public static NdArray zeros(DType dtype, int... dims) {
        return full(dtype, Shape.of(dims), 0);
    }

    public static NdArray ones(DType dtype, int... dims) {
        return full(dtype, Shape.of(dims), 1);
    }

    /** A rank-0 array. */
    public static NdArray scalar(DType dtype, double value) {
        return full(dtype, Shape.scalar(), value);
    }

    /** A float32 array holding a copy of {@code data} in row-major order; a vector when no shape is given. */
    public static NdArray of(float[] data, int... dims) {
        Shape shape = dims.length == 0 ? Shape.of(data.length) : Shape.of(dims);
        checkLength("NdArray.of", data.length, shape);
        NdArray a = empty(DType.F32, shape);
        MemorySegment.copy(data, 0, a.storage.segment, ValueLayout.JAVA_FLOAT, 0, data.length);
        return a;
    }

    /** A float64 array holding a copy of {@code data} in row-major order; a vector when no shape is given. */
    public static NdArray of(double[] data, int... dims) {
        Shape shape = dims.length == 0 ? Shape.of(data.length) : Shape.of(dims);
        checkLength("NdArray.of", data.length, shape);
        NdArray a = empty(DType.F64, shape);
        MemorySegment.copy(data, 0, a.storage.segment, ValueLayout.JAVA_DOUBLE, 0, data.length);
        return a;
    }

    /** A float32 matrix from rows of equal length. */
    public static NdArray of(float[][] rows) {
        int cols = rows.length == 0 ? 0 : rows[0].length;
        float[] flat = new float[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols) {
                throw new IllegalArgumentException("NdArray.of: row " + i + " has " + rows[i].length
                        + " elements; expected " + cols);
            }
            System.arraycopy(rows[i], 0, flat, i * cols, cols);
        }
        return of(flat, rows.length, cols);
    }

    private static void checkLength(String op, int length, Shape shape) {
        if (length != shape.size()) {
            throw new IllegalArgumentException(op + ": " + length + " values do not fill shape " + shape
                    + " (" + shape.size() + " elements)");
        }
    }

    // ---------------------------------------------------------------- description

    public DType dtype() {
        return dtype;
    }

    public Shape shape() {
        return shape;
    }

    public int rank() {
        return shape.rank();
    }

    /** Number of elements. */
    public long size() {
        return shape.size();
    }

    /** Strides in elements (a copy). */
    public long[] strides() {
        return strides.clone();
    }

    /** Offset of the first element, in elements, within {@link #segment()}. */
    public long offset() {
        return offset;
    }

    /** Offset of the first element in bytes. */
    public long byteOffset() {
        return offset * dtype.byteSize();
    }

    /** Whether the elements are stored densely in row-major order from {@link #offset()}. */
    public boolean isContiguous() {
        if (shape.size() == 0) {
            return true; // nothing to lay out; the stride check below would reject e.g. [5, 0]
        }
        long expected = 1;
        for (int i = shape.rank() - 1; i >= 0; i--) {
            int d = shape.dim(i);
            if (d != 1 && strides[i] != expected) {
                return false;
            }
            expected *= d;
        }
        return true;
    }

    /**
     * The whole buffer behind this view; elements start at {@link #byteOffset()} and follow {@link #strides()}.
     *
     * @throws IllegalStateException if the array was released
     */
    public MemorySegment segment() {
        checkAlive();
        return storage.segment;
    }

    /** Whether this array's buffer has been released. */
    public boolean isReleased() {
        return storage.isReleased();
    }

    /** Throws naming this array if its buffer was released. */
    public void checkAlive() {
        if (storage.isReleased()) {
            throw new IllegalStateException("NdArray " + dtype + shape + " was released (its scope closed or close() was"
                    + " called); keep it with Scope.keep(...) or copy it before the scope ends");
        }
    }

    Storage storage() {
        return storage;
    }

    /** Whether both arrays view the same buffer. */
    public boolean sharesBufferWith(NdArray other) {
        return storage == other.storage;
    }

    // ---------------------------------------------------------------- element access

    private long elementOffset(String op, long[] index) {
        if (index.length != shape.rank()) {
            throw new IllegalArgumentException(op + ": " + index.length + " indices for shape " + shape + " (rank "
                    + shape.rank() + ")");
        }
        long off = offset;
        for (int i = 0; i < index.length; i++) {
            long ix = index[i];
            int d = shape.dim(i);
            if (ix < 0 || ix >= d) {
                throw new IllegalArgumentException(op + ": index " + Arrays.toString(index) + " out of range for shape "
                        + shape);
            }
            off += ix * strides[i];
        }
        return off;
    }

    /** The element at {@code index} as a double. */
    public double getDouble(long... index) {
        checkAlive();
        long off = elementOffset("getDouble", index);
        return dtype == DType.F32
                ? storage.segment.getAtIndex(ValueLayout.JAVA_FLOAT, off)
                : storage.segment.getAtIndex(ValueLayout.JAVA_DOUBLE, off);
    }

    /** Writes one element (arrays are otherwise immutable; use for initialization). */
    public void setDouble(double value, long... index) {
        checkAlive();
        long off = elementOffset("setDouble", index);
        if (dtype == DType.F32) {
            storage.segment.setAtIndex(ValueLayout.JAVA_FLOAT, off, (float) value);
        } else {
            storage.segment.setAtIndex(ValueLayout.JAVA_DOUBLE, off, value);
        }
    }

    /** The single element of a size-1 array. */
    public double item() {
        if (shape.size() != 1) {
            throw new IllegalArgumentException("item: array of shape " + shape + " has " + shape.size()
                    + " elements; expected exactly 1");
        }
        return getDouble(new long[shape.rank()]);
    }

    /** The single element of a size-1 array as a float. */
    public float floatValue() {
        return (float) item();
    }

    /** Element {@code i} in row-major order, for contiguous or strided arrays alike. */
    public double getFlat(long i) {
        checkAlive();
        Objects.checkIndex(i, shape.size()); // an index past the end would wrap around to a valid element
        long off = offset;
        long rest = i;
        for (int axis = shape.rank() - 1; axis >= 0; axis--) {
            int d = shape.dim(axis);
            off += (rest % d) * strides[axis];
            rest /= d;
        }
        return dtype == DType.F32
                ? storage.segment.getAtIndex(ValueLayout.JAVA_FLOAT, off)
                : storage.segment.getAtIndex(ValueLayout.JAVA_DOUBLE, off);
    }

    /** Copies the elements, row-major, into a new float array (converting float64). */
    public float[] toFloatArray() {
        NdArray c = contiguous(DType.F32);
        float[] out = new float[Math.toIntExact(size())];
        MemorySegment.copy(c.segment(), ValueLayout.JAVA_FLOAT, c.byteOffset(), out, 0, out.length);
        if (c != this) {
            c.close();
        }
        return out;
    }

    /** Copies the elements, row-major, into a new double array. */
    public double[] toDoubleArray() {
        NdArray c = contiguous(DType.F64);
        double[] out = new double[Math.toIntExact(size())];
        MemorySegment.copy(c.segment(), ValueLayout.JAVA_DOUBLE, c.byteOffset(), out, 0, out.length);
        if (c != this) {
            c.close();
        }
        return out;
    }

    // ---------------------------------------------------------------- views and copies

    /** The same elements with another shape; a view when contiguous, else a copy. One dimension may be -1. */
    public NdArray reshape(int... dims) {
        checkAlive();
        Shape target = shape.reshapeTarget("reshape", dims);
        if (target.equals(shape)) {
            return this;
        }
        NdArray src = isContiguous() ? this : contiguous();
        return new NdArray(src.storage, dtype, target, target.contiguousStrides(), src.offset);
    }

    /** Permutes the axes (a view); {@code perm[i]} is the source axis of result axis i. */
    public NdArray transpose(int... perm) {
        checkAlive();
        int rank = shape.rank();
        if (perm.length != rank) {
            throw new IllegalArgumentException("transpose: permutation " + Arrays.toString(perm) + " for shape " + shape
                    + "; expected " + rank + " axes");
        }
        boolean[] seen = new boolean[rank];
        int[] dims = new int[rank];
        long[] st = new long[rank];
        for (int i = 0; i < rank; i++) {
            int p = shape.normalizeAxis("transpose", perm[i]);
            if (seen[p]) {
                throw new IllegalArgumentException("transpose: axis " + p + " repeated in " + Arrays.toString(perm));
            }
            seen[p] = true;
            dims[i] = shape.dim(p);
            st[i] = strides[p];
        }
        return new NdArray(storage, dtype, Shape.of(dims), st, offset);
    }

    /** Swaps the last two axes (a view); requires rank >= 2. */
    public NdArray transpose() {
        int rank = shape.rank();
        if (rank < 2) {
            throw new IllegalArgumentException("transpose: shape " + shape + " has rank " + rank + "; expected >= 2");
        }
        int[] perm = new int[rank];
        for (int i = 0; i < rank; i++) {
            perm[i] = i;
        }
        perm[rank - 2] = rank - 1;
        perm[rank - 1] = rank - 2;
        return transpose(perm);
    }

    /** Elements {@code start, start+step, ...} below {@code end} along {@code axis} (a view). */
    public NdArray slice(int axis, int start, int end, int step) {
        checkAlive();
        int a = shape.normalizeAxis("slice", axis);
        int d = shape.dim(a);
        if (step < 1 || start < 0 || end > d || start > end) {
            throw new IllegalArgumentException("slice: [" + start + ":" + end + ":" + step + "] on axis " + a
                    + " of shape " + shape + "; expected 0 <= start <= end <= " + d + " and step >= 1");
        }
        int[] dims = shape.dims();
        dims[a] = (end - start + step - 1) / step;
        long[] st = strides.clone();
        st[a] = strides[a] * step;
        return new NdArray(storage, dtype, Shape.of(dims), st, offset + start * strides[a]);
    }

    /** Elements {@code start..end-1} along {@code axis} (a view). */
    public NdArray slice(int axis, int start, int end) {
        return slice(axis, start, end, 1);
    }

    /** Inserts a dimension of size 1 at {@code axis} (a view). */
    public NdArray expandDims(int axis) {
        int rank = shape.rank();
        int a = axis < 0 ? axis + rank + 1 : axis;
        if (a < 0 || a > rank) {
            throw new IllegalArgumentException("expandDims: axis " + axis + " out of range for shape " + shape);
        }
        int[] dims = new int[rank + 1];
        long[] st = new long[rank + 1];
        for (int i = 0, j = 0; i <= rank; i++) {
            if (i == a) {
                dims[i] = 1;
                st[i] = 0;
            } else {
                dims[i] = shape.dim(j);
                st[i] = strides[j++];
            }
        }
        return new NdArray(storage, dtype, Shape.of(dims), st, offset);
    }

    /** A read-only view broadcast to {@code target} (stride 0 along broadcast axes). */
    public NdArray broadcastTo(Shape target) {
        checkAlive();
        if (target.equals(shape)) {
            return this;
        }
        Shape check = Shape.broadcast("broadcastTo", shape, target);
        if (!check.equals(target)) {
            throw new IllegalArgumentException("broadcastTo: shape " + shape + " cannot broadcast to " + target);
        }
        int rank = target.rank();
        int lead = rank - shape.rank();
        long[] st = new long[rank];
        for (int i = lead; i < rank; i++) {
            st[i] = shape.dim(i - lead) == 1 && target.dim(i) != 1 ? 0 : strides[i - lead];
        }
        return new NdArray(storage, dtype, target, st, offset);
    }

    /** This array if contiguous, else a contiguous copy. */
    public NdArray contiguous() {
        return isContiguous() ? this : copy();
    }

    private NdArray contiguous(DType target) {
        return isContiguous() && dtype == target ? this : Layouts.copy(this, target);
    }

    /** A contiguous copy with its own buffer. */
    public NdArray copy() {
        return Layouts.copy(this, dtype);
    }

    /** A contiguous copy converted to {@code target} (this array itself when the dtype already matches). */
    public NdArray toType(DType target) {
        return target == dtype ? this : Layouts.copy(this, target);
    }

    /** Overwrites every element with {@code value} (for freshly created arrays). */
    public void fill(double value) {
        checkAlive();
        Layouts.fill(this, value);
    }

    /** Releases the buffer now; this array and every view of its buffer throw when touched afterwards. */
    @Override
    public void close() {
        storage.release();
    }

    @Override
    public String toString() {
        if (isReleased()) {
            return "NdArray(" + dtype + shape + ", released)";
        }
        return ArrayFormatter.format(this);
    }
}
