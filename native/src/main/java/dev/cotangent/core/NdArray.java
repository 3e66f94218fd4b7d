package dev.cotangent.core;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * An n-dimensional float32 or float64 array in off-heap memory: a view (shape, strides, offset) of a pooled
 * buffer. It knows nothing of derivatives.
 *
 * <p>Arrays are immutable through this API except for explicit in-place kernels. Views (reshape of a
 * contiguous array, transpose, slice, broadcast) share the buffer. A broadcast view, and every view made from
 * it, is read-only: its stride-0 axes make many elements one memory cell, so writes through it throw. An array
 * allocated while a {@link Scope} is open belongs to that scope; otherwise {@link #close()} releases it, or the
 * garbage collector returns its buffer to the pool. Touching a released array throws
 * {@link IllegalStateException}.
 *
 * <p>Sizes are checked when an array is made: a shape whose byte size overflows, or exceeds
 * {@link #maxBytes()}, is an {@link IllegalArgumentException} naming the op and the shape.
 */
public final class NdArray implements AutoCloseable {
    static {
        VectorModule.requirePresent();
        // Arrays come before products: warming the Java GEMM now means the first products need not wait for it.
        JavaGemmWarmup.startInBackground();
    }

    private final Storage storage;
    private final DType dtype;
    private final Shape shape;
    private final long[] strides;
    private final long offset;
    private final boolean writable;

    private NdArray(Storage storage, DType dtype, Shape shape, long[] strides, long offset, boolean writable) {
        this.storage = storage;
        this.dtype = dtype;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
        this.writable = writable;
    }

    /**
     * A view of this array's buffer, after proving that every element it can address lies inside the buffer:
     * views are the only way to reach memory, so nothing that follows can read or write outside it.
     */
    private NdArray view(String op, Shape viewShape, long[] viewStrides, long viewOffset, boolean viewWritable) {
        if (viewShape.size() > 0) {
            // Strides are never negative here (no view reverses an axis), so the reach is offset + sum((d-1)*s).
            long last = viewOffset;
            for (int i = 0; i < viewStrides.length && last >= 0; i++) {
                long step = viewStrides[i];
                long span = viewShape.dim(i) - 1L;
                boolean fits = step >= 0 && Math.multiplyHigh(step, span) == 0 && step * span >= 0;
                last = fits ? saturatedAdd(last, step * span) : -1;
            }
            long capacity = storage.segment.byteSize() / dtype.byteSize();
            if (viewOffset < 0 || last < 0 || last >= capacity) {
                throw new IllegalStateException(op + ": internal error: a view of " + dtype + viewShape + " (strides "
                        + Arrays.toString(viewStrides) + ", offset " + viewOffset + ") would reach outside its "
                        + capacity + "-element buffer");
            }
        }
        return new NdArray(storage, dtype, viewShape, viewStrides, viewOffset, viewWritable);
    }

    /** {@code a + b} for non-negative terms, or -1 past {@code Long.MAX_VALUE}. */
    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? -1 : sum;
    }

    // ---------------------------------------------------------------- creation

    /** A contiguous array whose contents are unspecified; kernels fill it. */
    public static NdArray empty(DType dtype, Shape shape) {
        Checks.notNull(dtype, "empty", "dtype");
        Checks.notNull(shape, "empty", "shape");
        return allocate("empty", dtype, shape);
    }

    /** A contiguous array whose contents are unspecified; kernels fill it. */
    public static NdArray empty(DType dtype, int... dims) {
        Checks.notNull(dtype, "empty", "dtype");
        return allocate("empty", dtype, Shape.of("empty", dims));
    }

    /**
     * A new contiguous array for op {@code op}, which a failure names: the byte size is checked against
     * {@link #maxBytes()} before anything is allocated.
     */
    static NdArray allocate(String op, DType dtype, Shape shape) {
        long bytes = Allocation.bytes(op, dtype, shape);
        Storage s;
        try {
            s = Storage.allocate(Math.max(bytes, dtype.byteSize()));
        } catch (MemoryBudget.Exceeded e) {
            throw new OutOfMemoryError(op + ": a " + dtype + " array of shape " + shape + ": " + e.getMessage());
        } catch (OutOfMemoryError e) {
            throw new IllegalStateException(op + ": the system refused " + bytes + " bytes for a " + dtype
                    + " array of shape " + shape + " (" + e.getMessage() + "); expected a smaller shape or more"
                    + " free memory", e);
        }
        return new NdArray(s, dtype, shape, shape.sharedContiguousStrides(), 0, true);
    }

    /**
     * The most bytes one array may take: system property {@code cotangent.maxArrayBytes}, else the physical
     * memory of the machine (and never more than 64 TiB).
     *
     * @throws IllegalStateException if the property is set but is not a positive number
     */
    public static long maxBytes() {
        return Allocation.maxBytes();
    }

    /** An array filled with {@code value}. */
    public static NdArray full(DType dtype, Shape shape, double value) {
        Checks.notNull(dtype, "full", "dtype");
        Checks.notNull(shape, "full", "shape");
        return filled("full", dtype, shape, value);
    }

    private static NdArray filled(String op, DType dtype, Shape shape, double value) {
        NdArray a = allocate(op, dtype, shape);
        Layouts.fill(a, value);
        return a;
    }

    /** An array of zeros. */
    public static NdArray zeros(DType dtype, int... dims) {
        Checks.notNull(dtype, "zeros", "dtype");
        return filled("zeros", dtype, Shape.of("zeros", dims), 0);
    }

    /** An array of ones. */
    public static NdArray ones(DType dtype, int... dims) {
        Checks.notNull(dtype, "ones", "dtype");
        return filled("ones", dtype, Shape.of("ones", dims), 1);
    }

    /** A rank-0 array. */
    public static NdArray scalar(DType dtype, double value) {
        Checks.notNull(dtype, "scalar", "dtype");
        return filled("scalar", dtype, Shape.scalar(), value);
    }

    /** A float32 array holding a copy of {@code data} in row-major order; a vector when no shape is given. */
    public static NdArray of(float[] data, int... dims) {
        Checks.notNull(data, "NdArray.of", "data");
        Shape shape = checkedShape(data.length, dims);
        NdArray a = allocate("NdArray.of", DType.F32, shape);
        MemorySegment.copy(data, 0, a.storage.segment, ValueLayout.JAVA_FLOAT, 0, data.length);
        return a;
    }

    /** A float64 array holding a copy of {@code data} in row-major order; a vector when no shape is given. */
    public static NdArray of(double[] data, int... dims) {
        Checks.notNull(data, "NdArray.of", "data");
        Shape shape = checkedShape(data.length, dims);
        NdArray a = allocate("NdArray.of", DType.F64, shape);
        MemorySegment.copy(data, 0, a.storage.segment, ValueLayout.JAVA_DOUBLE, 0, data.length);
        return a;
    }

    private static Shape checkedShape(int length, int[] dims) {
        Checks.notNull(dims, "NdArray.of", "dims");
        Shape shape = dims.length == 0 ? Shape.of(length) : Shape.of("NdArray.of", dims);
        checkLength("NdArray.of", length, shape);
        return shape;
    }

    /** A float32 matrix from rows of equal length. */
    public static NdArray of(float[][] rows) {
        Checks.notNullElements(rows, "NdArray.of", "rows");
        int cols = rows.length == 0 ? 0 : rows[0].length;
        long total = (long) rows.length * cols;
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("NdArray.of: " + rows.length + " rows of " + cols + " values are "
                    + total + " values; expected at most " + (Integer.MAX_VALUE - 8) + " (one Java array)");
        }
        float[] flat = new float[(int) total];
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
     * For a read-only view the segment is read-only too.
     *
     * @throws IllegalStateException if the array was released
     */
    public MemorySegment segment() {
        checkAlive();
        return writable ? storage.segment : storage.segment.asReadOnly();
    }

    /**
     * Whether writes through this array are allowed: false for a broadcast view and the views made from it,
     * whose stride-0 axes make several elements one memory cell.
     */
    public boolean isWritable() {
        return writable;
    }

    /** Throws naming {@code op} and this array unless it may be written (alive and not a read-only view). */
    public void checkWritable(String op) {
        Checks.notNull(op, "checkWritable", "op");
        checkAlive();
        if (!writable) {
            throw new IllegalStateException(op + ": " + dtype + shape + " (strides " + Arrays.toString(strides)
                    + ") is a read-only broadcast view; write into a copy() instead");
        }
    }

    /** Whether this array's buffer has been released. */
    public boolean isReleased() {
        return storage.isReleased();
    }

    /** Throws naming this array if its buffer was released. */
    public void checkAlive() {
        if (!storage.checkAccess()) {
            throw new IllegalStateException("NdArray " + dtype + shape + " was released (its scope closed or close() was"
                    + " called); keep it with Scope.keep(...) or copy it before the scope ends");
        }
    }

    Storage storage() {
        return storage;
    }

    /**
     * Whether this array's buffer belongs to {@code scope}: it was allocated while {@code scope} was this
     * thread's innermost scope, or kept into it from an inner one, and is released when it closes.
     */
    public boolean belongsTo(Scope scope) {
        Checks.notNull(scope, "belongsTo", "scope");
        return storage.owner() == scope;
    }

    /** Whether both arrays view the same buffer. */
    public boolean sharesBufferWith(NdArray other) {
        Checks.notNull(other, "sharesBufferWith", "other");
        return storage == other.storage;
    }

    // ---------------------------------------------------------------- element access

    private long elementOffset(String op, long[] index) {
        Checks.notNull(index, op, "index");
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
        checkWritable("setDouble");
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
        if (i < 0 || i >= shape.size()) { // an index past the end would wrap around to a valid element
            throw new IllegalArgumentException("getFlat: index " + i + " out of range for " + dtype + shape + " ("
                    + shape.size() + " elements)");
        }
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
        NdArray c = contiguous("toFloatArray", DType.F32);
        float[] out = new float[(int) size()];
        MemorySegment.copy(c.segment(), ValueLayout.JAVA_FLOAT, c.byteOffset(), out, 0, out.length);
        if (c != this) {
            c.close();
        }
        return out;
    }

    /** Copies the elements, row-major, into a new double array. */
    public double[] toDoubleArray() {
        NdArray c = contiguous("toDoubleArray", DType.F64);
        double[] out = new double[(int) size()];
        MemorySegment.copy(c.segment(), ValueLayout.JAVA_DOUBLE, c.byteOffset(), out, 0, out.length);
        if (c != this) {
            c.close();
        }
        return out;
    }

    /** This array, or a contiguous copy in {@code target}, for a Java array of at most 2^31 - 9 elements. */
    private NdArray contiguous(String op, DType target) {
        checkAlive();
        if (size() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(op + ": " + dtype + shape + " has " + size() + " elements; a Java"
                    + " array holds at most " + (Integer.MAX_VALUE - 8));
        }
        return isContiguous() && dtype == target ? this : Layouts.copy(op, this, target);
    }

    // ---------------------------------------------------------------- views and copies

    /** The same elements with another shape; a view when contiguous, else a copy. One dimension may be -1. */
    public NdArray reshape(int... dims) {
        checkAlive();
        Checks.notNull(dims, "reshape", "dims");
        Shape target = shape.reshapeTarget("reshape", dims);
        if (target.equals(shape)) {
            return this;
        }
        if (!isContiguous()) {
            NdArray src = Layouts.copy("reshape", this, dtype);
            return src.view("reshape", target, target.contiguousStrides(), 0, true);
        }
        return view("reshape", target, target.contiguousStrides(), offset, writable);
    }

    /** Permutes the axes (a view); {@code perm[i]} is the source axis of result axis i. */
    public NdArray transpose(int... perm) {
        checkAlive();
        Checks.notNull(perm, "transpose", "perm");
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
                throw new IllegalArgumentException("transpose: axis " + p + " repeated in " + Arrays.toString(perm)
                        + " for shape " + shape);
            }
            seen[p] = true;
            dims[i] = shape.dim(p);
            st[i] = strides[p];
        }
        return view("transpose", Shape.of("transpose", dims), st, offset, writable);
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

    /**
     * Elements {@code start, start+step, ...} below {@code end} along {@code axis} (a view). As in NumPy and
     * PyTorch, an {@code end} past the axis stops at its last element; {@code start} must lie in
     * {@code [0, size]} and not after {@code end}, and {@code step} must be positive (indices do not count from
     * the end).
     */
    public NdArray slice(int axis, int start, int end, int step) {
        checkAlive();
        int a = shape.normalizeAxis("slice", axis);
        int d = shape.dim(a);
        int stop = Math.min(end, d);
        if (step < 1 || start < 0 || start > stop) {
            throw new IllegalArgumentException("slice: [" + start + ":" + end + ":" + step + "] on axis " + a
                    + " of shape " + shape + "; expected 0 <= start <= min(end, " + d + ") and step >= 1");
        }
        int[] dims = shape.dims();
        // NOTE: in long, since stop - start + step - 1 overflows an int for a large step.
        dims[a] = (int) (((long) stop - start + step - 1) / step);
        long[] st = strides.clone();
        // A step past the end leaves one element, whose stride is never used: keep it rather than overflow.
        st[a] = dims[a] > 1 ? strides[a] * step : strides[a];
        return view("slice", Shape.of("slice", dims), st, offset + start * strides[a], writable);
    }

    /** Elements {@code start..end-1} along {@code axis} (a view). */
    public NdArray slice(int axis, int start, int end) {
        return slice(axis, start, end, 1);
    }

    /** Inserts a dimension of size 1 at {@code axis} (a view). */
    public NdArray expandDims(int axis) {
        checkAlive();
        int rank = shape.rank();
        int a = axis < 0 ? axis + rank + 1 : axis;
        if (a < 0 || a > rank) {
            throw new IllegalArgumentException("expandDims: axis " + axis + " out of range for shape " + shape
                    + "; expected " + (-rank - 1) + " to " + rank);
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
        return view("expandDims", Shape.of("expandDims", dims), st, offset, writable);
    }

    /**
     * A read-only view broadcast to {@code target} (stride 0 along broadcast axes); this array itself when the
     * shapes are equal.
     */
    public NdArray broadcastTo(Shape target) {
        checkAlive();
        Checks.notNull(target, "broadcastTo", "target");
        if (target.equals(shape)) {
            return this;
        }
        Shape check = Shape.broadcast("broadcastTo", shape, target);
        if (!check.equals(target)) {
            throw new IllegalArgumentException("broadcastTo: shape " + shape + " cannot broadcast to " + target
                    + "; expected a target with every dimension of the source (or 1 in the source)");
        }
        int rank = target.rank();
        int lead = rank - shape.rank();
        long[] st = new long[rank];
        for (int i = lead; i < rank; i++) {
            st[i] = shape.dim(i - lead) == 1 && target.dim(i) != 1 ? 0 : strides[i - lead];
        }
        return view("broadcastTo", target, st, offset, false);
    }

    /** This array if contiguous, else a contiguous copy. */
    public NdArray contiguous() {
        return contiguous("contiguous");
    }

    /** {@link #contiguous()} for op {@code op}, which an oversized copy names. */
    NdArray contiguous(String op) {
        checkAlive();
        return isContiguous() ? this : Layouts.copy(op, this, dtype);
    }

    /** A contiguous copy with its own buffer (writable, also when this is a read-only view). */
    public NdArray copy() {
        return Layouts.copy("copy", this, dtype);
    }

    /** A contiguous copy converted to {@code target} (this array itself when the dtype already matches). */
    public NdArray toType(DType target) {
        checkAlive();
        Checks.notNull(target, "toType", "target");
        return target == dtype ? this : Layouts.copy("toType", this, target);
    }

    /** Overwrites every element with {@code value} (for freshly created arrays). */
    public void fill(double value) {
        checkWritable("fill");
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
