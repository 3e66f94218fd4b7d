package dev.cotangent.core;

import java.util.Arrays;

/** An immutable list of dimension sizes; rank 0 is a scalar. Broadcasting rules live here. */
public final class Shape {
    private static final Shape SCALAR = new Shape("Shape.scalar", new int[0]);

    private final int[] dims;
    private final long size;
    /** Row-major strides, shared by every contiguous array of this shape (arrays never write to them). */
    private final long[] strides;

    /** {@code dims} must be >= 0 (checked by the callers); {@code op} names the failure if they are too large. */
    private Shape(String op, int[] dims) {
        this.dims = dims;
        this.strides = new long[dims.length];
        // NOTE: the strides multiply the dimensions with zeros counted as 1, so they can overflow even when the
        // size is 0 ([0, 2^31 - 1, 2^31 - 1, 2^31 - 1]); bounding that product bounds every offset of a view.
        long st = 1;
        boolean empty = false;
        for (int i = dims.length - 1; i >= 0; i--) {
            strides[i] = st;
            empty |= dims[i] == 0;
            st = multiplyOrZero(st, Math.max(dims[i], 1));
            if (st == 0) {
                throw new IllegalArgumentException(op + ": shape " + Arrays.toString(dims) + " is too large: the"
                        + " product of its dimensions (zeros counted as 1) exceeds 2^63 - 1; expected fewer elements");
            }
        }
        this.size = empty ? 0 : st;
    }

    /** {@code a * b} for positive factors, or 0 when the product exceeds {@code Long.MAX_VALUE}. */
    private static long multiplyOrZero(long a, long b) {
        return Math.multiplyHigh(a, b) != 0 || a * b < 0 ? 0 : a * b;
    }

    /** A shape of the given dimensions; each must be zero or positive. */
    public static Shape of(int... dims) {
        return of("Shape.of", dims);
    }

    /**
     * A shape of the given dimensions for op {@code op}, which its errors name: each dimension must be zero or
     * positive and the element count must fit in a {@code long}.
     */
    public static Shape of(String op, int... dims) {
        Checks.notNull(op, "Shape.of", "op");
        Checks.notNull(dims, op + " (Shape.of)", "dims");
        if (dims.length == 0) {
            return SCALAR;
        }
        for (int d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException(op + ": negative dimension in shape " + Arrays.toString(dims)
                        + "; expected sizes >= 0");
            }
        }
        return new Shape(op, dims.clone());
    }

    /** The rank-0 shape. */
    public static Shape scalar() {
        return SCALAR;
    }

    public int rank() {
        return dims.length;
    }

    /** Number of elements (1 for a scalar, 0 when any dimension is 0). */
    public long size() {
        return size;
    }

    /** Size of dimension {@code axis}; negative axes count from the end. */
    public int dim(int axis) {
        return dims[normalizeAxis("dim", axis)];
    }

    /** A copy of the dimensions. */
    public int[] dims() {
        return dims.clone();
    }

    /** Maps a possibly negative axis into [0, rank). */
    public int normalizeAxis(String op, int axis) {
        Checks.notNull(op, "Shape.normalizeAxis", "op");
        int a = axis < 0 ? axis + dims.length : axis;
        if (a < 0 || a >= dims.length) {
            throw new IllegalArgumentException(op + ": axis " + axis + " is out of range for shape " + this
                    + " (rank " + dims.length + ")");
        }
        return a;
    }

    /** Normalizes, sorts and de-duplicates axes; an empty array means every axis. */
    public int[] normalizeAxes(String op, int... axes) {
        Checks.notNull(op, "Shape.normalizeAxes", "op");
        Checks.notNull(axes, op + " (normalizeAxes)", "axes");
        if (axes.length == 0) {
            int[] all = new int[dims.length];
            for (int i = 0; i < all.length; i++) {
                all[i] = i;
            }
            return all;
        }
        boolean[] seen = new boolean[dims.length];
        int count = 0;
        for (int axis : axes) {
            int a = normalizeAxis(op, axis);
            if (seen[a]) {
                throw new IllegalArgumentException(op + ": axis " + axis + " listed twice in " + Arrays.toString(axes));
            }
            seen[a] = true;
            count++;
        }
        int[] out = new int[count];
        for (int i = 0, j = 0; i < dims.length; i++) {
            if (seen[i]) {
                out[j++] = i;
            }
        }
        return out;
    }

    /** Contiguous row-major strides in elements (a copy). */
    public long[] contiguousStrides() {
        return strides.clone();
    }

    /** The shared strides array, for arrays that promise never to modify it. */
    long[] sharedContiguousStrides() {
        return strides;
    }

    /** NumPy broadcasting of two shapes; throws naming {@code op} when they are incompatible. */
    public static Shape broadcast(String op, Shape a, Shape b) {
        Checks.notNull(op, "Shape.broadcast", "op");
        Checks.notNull(a, op + " (Shape.broadcast)", "a");
        Checks.notNull(b, op + " (Shape.broadcast)", "b");
        if (a.equals(b)) {
            return a;
        }
        int rank = Math.max(a.rank(), b.rank());
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.rank() ? 1 : a.dims[i - (rank - a.rank())];
            int db = i < rank - b.rank() ? 1 : b.dims[i - (rank - b.rank())];
            if (da == db || db == 1) {
                out[i] = da;
            } else if (da == 1) {
                out[i] = db;
            } else {
                throw new IllegalArgumentException(op + ": shapes " + a + " and " + b
                        + " are not broadcastable (dimension " + i + " of the result: " + da + " vs " + db
                        + "; expected equal sizes or 1)");
            }
        }
        return new Shape(op, out);
    }

    /**
     * The shape with the given axes removed (or set to 1 when {@code keepDims}); {@code sortedAxes} must be
     * increasing and in range, as {@link #normalizeAxes} returns them.
     */
    public Shape reduce(int[] sortedAxes, boolean keepDims) {
        Checks.notNull(sortedAxes, "Shape.reduce", "sortedAxes");
        for (int k = 0; k < sortedAxes.length; k++) {
            if (sortedAxes[k] < 0 || sortedAxes[k] >= dims.length || (k > 0 && sortedAxes[k] <= sortedAxes[k - 1])) {
                throw new IllegalArgumentException("Shape.reduce: axes " + Arrays.toString(sortedAxes) + " for shape "
                        + this + "; expected increasing axes in [0, " + dims.length + ")");
            }
        }
        int[] out = new int[keepDims ? dims.length : dims.length - sortedAxes.length];
        for (int i = 0, j = 0, k = 0; i < dims.length; i++) {
            boolean reduced = k < sortedAxes.length && sortedAxes[k] == i;
            if (reduced) {
                k++;
                if (keepDims) {
                    out[j++] = 1;
                }
            } else {
                out[j++] = dims[i];
            }
        }
        return out.length == 0 ? SCALAR : new Shape("Shape.reduce", out);
    }

    /** Resolves a reshape target in which at most one dimension is -1. */
    public Shape reshapeTarget(String op, int... target) {
        Checks.notNull(op, "Shape.reshapeTarget", "op");
        Checks.notNull(target, op + " (reshapeTarget)", "target");
        int infer = -1;
        long counted = 1; // zeros counted as 1, as in the constructor
        boolean empty = false;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException(op + ": more than one -1 in " + Arrays.toString(target)
                            + " reshaping " + this);
                }
                infer = i;
            } else if (target[i] < 0) {
                throw new IllegalArgumentException(op + ": negative dimension in " + Arrays.toString(target)
                        + " reshaping " + this + "; expected sizes >= 0 and at most one -1");
            } else {
                empty |= target[i] == 0;
                counted = multiplyOrZero(counted, Math.max(target[i], 1));
                if (counted == 0) {
                    throw new IllegalArgumentException(op + ": cannot reshape " + this + " (" + size
                            + " elements) to " + Arrays.toString(target) + ": the product of its dimensions exceeds"
                            + " 2^63 - 1");
                }
            }
        }
        long known = empty ? 0 : counted;
        int[] out = target.clone();
        if (infer >= 0) {
            if (known == 0 || size % known != 0 || size / known > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(op + ": cannot infer -1 reshaping " + this + " (" + size
                        + " elements) to " + Arrays.toString(target) + "; expected the other dimensions to divide "
                        + size + " into a dimension of at most " + Integer.MAX_VALUE);
            }
            out[infer] = (int) (size / known);
            known = size;
        }
        if (known != size) {
            throw new IllegalArgumentException(op + ": cannot reshape " + this + " (" + size + " elements) to "
                    + Arrays.toString(target) + " (" + known + " elements)");
        }
        return of(op, out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
