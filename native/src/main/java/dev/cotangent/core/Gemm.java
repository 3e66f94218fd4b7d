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

    /**
     * Proves that a product reads and writes inside its three segments, before anything reaches native code:
     * OpenBLAS trusts its pointers, so a wrong size there would read or write foreign memory.
     *
     * @throws IllegalStateException naming the operand, its size and its segment if it does not fit
     */
    static void checkBounds(String precision, boolean transA, boolean transB, int m, int n, int k, int elementBytes,
            MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb, MemorySegment c, long cOff,
            int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalStateException(precision + "gemm: internal error: m = " + m + ", n = " + n + ", k = " + k
                    + "; expected sizes >= 0");
        }
        checkMatrix(precision, "A", transA ? k : m, transA ? m : k, elementBytes, a, aOff, lda);
        checkMatrix(precision, "B", transB ? n : k, transB ? k : n, elementBytes, b, bOff, ldb);
        checkMatrix(precision, "C", m, n, elementBytes, c, cOff, ldc);
    }

    /** One stored row-major matrix of {@code rows x cols} elements, rows {@code ld} apart, from byte {@code off}. */
    static void checkMatrix(String precision, String name, int rows, int cols, int elementBytes,
            MemorySegment s, long off, int ld) {
        boolean fits = ld >= Math.max(1, cols) && off >= 0 && off <= s.byteSize();
        if (fits && rows > 0 && cols > 0) {
            long elements = (long) (rows - 1) * ld + cols; // < 2^62: no overflow
            fits = elements <= (s.byteSize() - off) / elementBytes;
        }
        if (!fits) {
            throw new IllegalStateException(precision + "gemm: internal error: matrix " + name + " of " + rows + " x "
                    + cols + " elements with leading dimension " + ld + " from byte " + off
                    + " does not fit its " + s.byteSize() + "-byte segment");
        }
    }
}
