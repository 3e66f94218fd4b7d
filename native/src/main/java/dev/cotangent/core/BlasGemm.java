package dev.cotangent.core;

import dev.cotangent.bindings.openblas.cblas_h;
import java.lang.foreign.MemorySegment;

/** The OpenBLAS GEMM backend: one {@code cblas_?gemm} downcall per product, with nothing copied. */
final class BlasGemm implements Gemm {
    static final BlasGemm INSTANCE = new BlasGemm();

    // Read once: each generated accessor is a method call, and this sits on the path of every matmul.
    private static final int ROW_MAJOR = cblas_h.CblasRowMajor();
    private static final int NO_TRANS = cblas_h.CblasNoTrans();
    private static final int TRANS = cblas_h.CblasTrans();

    private BlasGemm() {}

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
            MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
            float beta, MemorySegment c, long cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        Gemm.checkBounds("s", transA, transB, m, n, k, Float.BYTES, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        cblas_h.cblas_sgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, alpha,
                at(a, aOff), lda, at(b, bOff), ldb, beta, at(c, cOff), ldc);
    }

    @Override
    public void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
            MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
            double beta, MemorySegment c, long cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        Gemm.checkBounds("d", transA, transB, m, n, k, Double.BYTES, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        cblas_h.cblas_dgemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, alpha,
                at(a, aOff), lda, at(b, bOff), ldb, beta, at(c, cOff), ldc);
    }

    /** The segment from {@code byteOffset} on; the downcall passes only its base address. */
    private static MemorySegment at(MemorySegment s, long byteOffset) {
        return byteOffset == 0 ? s : s.asSlice(byteOffset);
    }
}
