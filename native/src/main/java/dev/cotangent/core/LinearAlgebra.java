package dev.cotangent.core;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/** Matrix products of arrays, batched with NumPy broadcasting, on the GEMM chosen by {@link Backend}. */
public final class LinearAlgebra {
    private LinearAlgebra() {}

    /** The matrix product {@code a @ b} of shapes [..., m, k] and [..., k, n], giving [..., m, n]. */
    public static NdArray matmul(NdArray a, NdArray b) {
        return matmul(a, b, false, false);
    }

    /**
     * The matrix product of {@code a} (or its last-two-axes transpose) and {@code b} (or its transpose), with
     * the batch axes (all but the last two) broadcast as in NumPy; the result is a new contiguous array.
     */
    public static NdArray matmul(NdArray a, NdArray b, boolean transposeA, boolean transposeB) {
        Checks.notNull(a, "matmul", "a").checkAlive();
        Checks.notNull(b, "matmul", "b").checkAlive();
        DType dtype = DType.common("matmul", a.dtype(), b.dtype());
        if (a.rank() < 2 || b.rank() < 2) {
            throw new IllegalArgumentException("matmul: A " + a.shape() + " and B " + b.shape() + " have ranks "
                    + a.rank() + " and " + b.rank() + "; expected rank >= 2 for both ([..., m, k] x [..., k, n])");
        }
        int m = a.shape().dim(transposeA ? -1 : -2);
        int kA = a.shape().dim(transposeA ? -2 : -1);
        int kB = b.shape().dim(transposeB ? -1 : -2);
        int n = b.shape().dim(transposeB ? -2 : -1);
        if (kA != kB) {
            throw new IllegalArgumentException("matmul: inner dimensions differ: A " + a.shape()
                    + (transposeA ? " transposed" : "") + " has k = " + kA + " but B " + b.shape()
                    + (transposeB ? " transposed" : "") + " has k = " + kB + "; expected [..., m, k] x [..., k, n]");
        }
        int[] batch = broadcastBatch(a, b);
        int[] outDims = Arrays.copyOf(batch, batch.length + 2);
        outDims[batch.length] = m;
        outDims[batch.length + 1] = n;
        NdArray out = NdArray.allocate("matmul", dtype, Shape.of("matmul", outDims));
        if (out.size() == 0) {
            return out;
        }
        if (kA == 0) {
            out.fill(0);
            return out;
        }
        Operand opA = Operand.of(a, transposeA);
        Operand opB = Operand.of(b, transposeB);
        try {
            multiply(dtype, batch, m, n, kA, opA, opB, out);
        } finally {
            opA.releaseCopy();
            opB.releaseCopy();
        }
        return out;
    }

    /** The broadcast of both operands' batch axes, or an error naming the full shapes. */
    private static int[] broadcastBatch(NdArray a, NdArray b) {
        int ra = a.rank() - 2;
        int rb = b.rank() - 2;
        int rank = Math.max(ra, rb);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - ra ? 1 : a.shape().dim(i - (rank - ra));
            int db = i < rank - rb ? 1 : b.shape().dim(i - (rank - rb));
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("matmul: batch dimensions of A " + a.shape() + " and B "
                        + b.shape() + " are not broadcastable (batch axis " + i + ": " + da + " vs " + db
                        + "; expected equal sizes or 1)");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    private static void multiply(DType dtype, int[] batch, int m, int n, int k, Operand a, Operand b, NdArray out) {
        Gemm gemm = Backend.gemm();
        MemorySegment sa = a.array.segment();
        MemorySegment sb = b.array.segment();
        MemorySegment sc = out.segment();
        long es = dtype.byteSize();
        long[] stA = a.batchStrides(batch.length);
        long[] stB = b.batchStrides(batch.length);
        long offA = a.array.offset();
        long offB = b.array.offset();
        long matrix = (long) m * n;
        long count = 1;
        for (int d : batch) {
            count *= d;
        }
        int[] index = new int[batch.length];
        for (long i = 0; i < count; i++) {
            long cOff = (out.offset() + i * matrix) * es;
            if (dtype == DType.F32) {
                gemm.sgemm(a.trans, b.trans, m, n, k, 1f, sa, offA * es, a.ld, sb, offB * es, b.ld, 0f, sc, cOff, n);
            } else {
                gemm.dgemm(a.trans, b.trans, m, n, k, 1.0, sa, offA * es, a.ld, sb, offB * es, b.ld, 0.0, sc, cOff, n);
            }
            // Odometer over the batch axes; a broadcast axis has stride 0, so its operand is never copied.
            for (int axis = batch.length - 1; axis >= 0; axis--) {
                if (++index[axis] < batch[axis]) {
                    offA += stA[axis];
                    offB += stB[axis];
                    break;
                }
                index[axis] = 0;
                offA -= stA[axis] * (batch[axis] - 1);
                offB -= stB[axis] * (batch[axis] - 1);
            }
        }
    }

    /** One operand as GEMM sees it: its array (maybe a contiguous copy), transpose flag and leading dimension. */
    private record Operand(NdArray array, boolean trans, int ld, boolean copied) {
        /** Reads the last two axes' strides; a row-major or transposed (column-major) matrix is used in place. */
        static Operand of(NdArray x, boolean transpose) {
            Operand direct = inPlace(x, transpose);
            if (direct != null) {
                return direct;
            }
            NdArray copy = x.contiguous("matmul");
            Operand o = inPlace(copy, transpose);
            assert o != null;
            return new Operand(copy, o.trans, o.ld, true);
        }

        private static Operand inPlace(NdArray x, boolean transpose) {
            int rank = x.rank();
            int rows = x.shape().dim(rank - 2);
            int cols = x.shape().dim(rank - 1);
            long[] st = x.strides();
            long sr = st[rank - 2];
            long sc = st[rank - 1];
            // Row-major: unit column stride; the row stride is the leading dimension (irrelevant for 1 row).
            if (sc == 1 || cols == 1) {
                long ld = rows == 1 ? Math.max(1, cols) : sr;
                if (ld >= Math.max(1, cols) && ld <= Integer.MAX_VALUE) {
                    return new Operand(x, transpose, (int) ld, false);
                }
            }
            // A transposed view of row-major data: GEMM reads it with the opposite transpose flag.
            if (sr == 1 || rows == 1) {
                long ld = cols == 1 ? Math.max(1, rows) : sc;
                if (ld >= Math.max(1, rows) && ld <= Integer.MAX_VALUE) {
                    return new Operand(x, !transpose, (int) ld, false);
                }
            }
            return null;
        }

        /** Element strides of the batch axes aligned to the result's {@code rank} batch axes (0 = broadcast). */
        long[] batchStrides(int rank) {
            long[] st = array.strides();
            int own = array.rank() - 2;
            long[] out = new long[rank];
            for (int i = 0; i < own; i++) {
                out[rank - own + i] = array.shape().dim(i) == 1 ? 0 : st[i];
            }
            return out;
        }

        void releaseCopy() {
            if (copied) {
                array.close();
            }
        }
    }
}
