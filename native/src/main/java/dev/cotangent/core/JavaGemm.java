package dev.cotangent.core;

import java.lang.foreign.MemorySegment;

/**
 * The pure-Java GEMM backend: Vector API micro-kernels over packed panels ({@link JavaSgemm},
 * {@link JavaDgemm}), split over {@link Parallel}'s threads by {@link GemmSplit}.
 */
final class JavaGemm implements Gemm {
    static final JavaGemm INSTANCE = new JavaGemm(true);
    /** The same kernels on the calling thread only, for callers that already run one part per thread. */
    static final JavaGemm SERIAL = new JavaGemm(false);

    private final boolean parallel;

    private JavaGemm(boolean parallel) {
        this.parallel = parallel;
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
            MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
            float beta, MemorySegment c, long cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        Gemm.checkBounds("s", transA, transB, m, n, k, Float.BYTES, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        JavaGemmWarmup.ensureWarm(DType.F32);
        if (k == 0 || alpha == 0) {
            JavaSgemm.scale(m, n, beta, c, cOff, ldc);
            return;
        }
        boolean mayFork = parallel && Parallel.shareable(a, b, c);
        GemmSplit.run(m, n, k, JavaSgemm.MR, JavaSgemm.NR, mayFork, (i0, i1, j0, j1) ->
                JavaSgemm.block(transA, transB, i0, i1, j0, j1, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff,
                        ldc));
    }

    /**
     * {@code C = op(A) * B + beta * C} in float32 on this kernel, with op(A) [m, k] made block by block by
     * {@code a} instead of read from a stored matrix: a convolution's im2col rows are made in cache as each block
     * needs them, never written out whole. {@code aShareable}: whether workers may run {@code a}.
     */
    void sgemmPanels(boolean transA, int m, int n, int k, JavaSgemm.APanels a, boolean aShareable, MemorySegment b,
            long bOff, int ldb, float beta, MemorySegment c, long cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        // A's blocks are bounds-checked by their maker as they are read; B and C here, as for a stored product.
        Gemm.checkMatrix("s", "B", k, n, Float.BYTES, b, bOff, ldb);
        Gemm.checkMatrix("s", "C", m, n, Float.BYTES, c, cOff, ldc);
        JavaGemmWarmup.ensureWarm(DType.F32);
        if (k == 0) {
            JavaSgemm.scale(m, n, beta, c, cOff, ldc);
            return;
        }
        boolean mayFork = parallel && aShareable && Parallel.shareable(b, c, c);
        GemmSplit.run(m, n, k, JavaSgemm.MR, JavaSgemm.NR, mayFork, (i0, i1, j0, j1) ->
                JavaSgemm.block(transA, false, i0, i1, j0, j1, k, 1f, a, b, bOff, ldb, beta, c, cOff, ldc));
    }

    @Override
    public void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
            MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
            double beta, MemorySegment c, long cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        Gemm.checkBounds("d", transA, transB, m, n, k, Double.BYTES, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        JavaGemmWarmup.ensureWarm(DType.F64);
        if (k == 0 || alpha == 0) {
            JavaDgemm.scale(m, n, beta, c, cOff, ldc);
            return;
        }
        boolean mayFork = parallel && Parallel.shareable(a, b, c);
        GemmSplit.run(m, n, k, JavaDgemm.MR, JavaDgemm.NR, mayFork, (i0, i1, j0, j1) ->
                JavaDgemm.block(transA, transB, i0, i1, j0, j1, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff,
                        ldc));
    }
}
