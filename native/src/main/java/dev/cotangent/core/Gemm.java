package dev.cotangent.core;

import java.lang.foreign.MemorySegment;

/**
 * Row-major general matrix multiply, {@code C = alpha * op(A) * op(B) + beta * C}, where {@code op(A)} is
 * m x k, {@code op(B)} is k x n and C is m x n; each matrix starts at a byte offset in its segment and has a
 * leading dimension (elements between rows as stored).
 *
 * <p>As in BLAS, {@code beta == 0} overwrites C without reading it (so stale NaNs do not leak), and
 * {@code k == 0} scales C by beta. Leading dimensions must be at least 1 and at least the stored row length.
 */
interface Gemm {
    /** Single-precision GEMM on float elements. */
    void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
            MemorySegment a, long aByteOffset, int lda, MemorySegment b, long bByteOffset, int ldb,
            float beta, MemorySegment c, long cByteOffset, int ldc);

    /** Double-precision GEMM on double elements. */
    void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
            MemorySegment a, long aByteOffset, int lda, MemorySegment b, long bByteOffset, int ldb,
            double beta, MemorySegment c, long cByteOffset, int ldc);
}
