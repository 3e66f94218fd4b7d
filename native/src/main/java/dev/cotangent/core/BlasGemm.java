package dev.cotangent.core;

import dev.cotangent.bindings.openblas.cblas_h;
import java.lang.foreign.MemorySegment;

/**
 * The OpenBLAS GEMM backend: {@code cblas_?gemm} downcalls with nothing copied, one per part of the product
 * that {@link GemmSplit} hands to each of {@link Parallel}'s threads.
 *
 * <p>The library keeps OpenBLAS single-threaded ({@link Backend}) so that one pool runs both kernels. A program
 * that sets OpenBLAS's own thread count above one gets one call per product, threaded by OpenBLAS.
 */
final class BlasGemm implements Gemm {
    static final BlasGemm INSTANCE = new BlasGemm();

    // Read once: each generated accessor is a method call, and this sits on the path of every matmul.
    private static final int ROW_MAJOR = cblas_h.CblasRowMajor();
    private static final int NO_TRANS = cblas_h.CblasNoTrans();
    private static final int TRANS = cblas_h.CblasTrans();
    /** Row and column multiples of a part: whole register tiles of OpenBLAS's kernels. */
    private static final int ROW_GRAIN = 8;
    private static final int COLUMN_GRAIN = 16;

    private BlasGemm() {}

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
            MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
            float beta, MemorySegment c, long cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        Gemm.checkBounds("s", transA, transB, m, n, k, Float.BYTES, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        long es = Float.BYTES;
        GemmSplit.run(m, n, k, ROW_GRAIN, COLUMN_GRAIN, mayFork(a, b, c), (i0, i1, j0, j1) ->
                cblas_h.cblas_sgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, i1 - i0, j1 - j0,
                        k, alpha, at(a, aOff + rowsOfA(transA, i0, lda) * es), lda,
                        at(b, bOff + columnsOfB(transB, j0, ldb) * es), ldb, beta,
                        at(c, cOff + ((long) i0 * ldc + j0) * es), ldc));
    }

    @Override
    public void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
            MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
            double beta, MemorySegment c, long cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        Gemm.checkBounds("d", transA, transB, m, n, k, Double.BYTES, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        long es = Double.BYTES;
        GemmSplit.run(m, n, k, ROW_GRAIN, COLUMN_GRAIN, mayFork(a, b, c), (i0, i1, j0, j1) ->
                cblas_h.cblas_dgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, i1 - i0, j1 - j0,
                        k, alpha, at(a, aOff + rowsOfA(transA, i0, lda) * es), lda,
                        at(b, bOff + columnsOfB(transB, j0, ldb) * es), ldb, beta,
                        at(c, cOff + ((long) i0 * ldc + j0) * es), ldc));
    }

    /** Split over the pool only when OpenBLAS is single-threaded and the workers may touch the segments. */
    private static boolean mayFork(MemorySegment a, MemorySegment b, MemorySegment c) {
        return Parallel.threads() > 1 && cblas_h.openblas_get_num_threads() == 1 && Parallel.shareable(a, b, c);
    }

    /** Elements from A's start to row i0 of op(A): a stored row, or a stored column when transposed. */
    private static long rowsOfA(boolean transA, int i0, int lda) {
        return transA ? i0 : (long) i0 * lda;
    }

    /** Elements from B's start to column j0 of op(B): a stored column, or a stored row when transposed. */
    private static long columnsOfB(boolean transB, int j0, int ldb) {
        return transB ? (long) j0 * ldb : j0;
    }

    /** The segment from {@code byteOffset} on; the downcall passes only its base address. */
    private static MemorySegment at(MemorySegment s, long byteOffset) {
        return byteOffset == 0 ? s : s.asSlice(byteOffset);
    }
}
