package dev.cotangent.core;

import java.lang.foreign.MemorySegment;

/**
 * The pure-Java GEMM backend: Vector API micro-kernels over packed panels ({@link JavaSgemm},
 * {@link JavaDgemm}), with rows (or columns, for short and wide products) split over {@link Parallel}'s threads
 * when the product is large enough to pay for the hand-off.
 */
final class JavaGemm implements Gemm {
    static final JavaGemm INSTANCE = new JavaGemm(true);
    /** The same kernels on the calling thread only, for callers that already run one part per thread. */
    static final JavaGemm SERIAL = new JavaGemm(false);

    /** Multiply-adds below which a second thread costs more than it saves (about 0.1 ms of work). */
    private static final long PARALLEL_WORK = 1L << 22;

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
        split(m, n, k, JavaSgemm.MR, JavaSgemm.NR, parallel && shareable(a, b, c), (i0, i1, j0, j1) ->
                JavaSgemm.block(transA, transB, i0, i1, j0, j1, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff,
                        ldc));
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
        split(m, n, k, JavaDgemm.MR, JavaDgemm.NR, parallel && shareable(a, b, c), (i0, i1, j0, j1) ->
                JavaDgemm.block(transA, transB, i0, i1, j0, j1, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff,
                        ldc));
    }

    /** A rectangle of C computed by one thread. */
    @FunctionalInterface
    private interface Block {
        void run(int i0, int i1, int j0, int j1);
    }

    /** Whether worker threads may touch all three segments (a confined arena's segments stay on its thread). */
    private static boolean shareable(MemorySegment a, MemorySegment b, MemorySegment c) {
        return a.isAccessibleBy(PROBE) && b.isAccessibleBy(PROBE) && c.isAccessibleBy(PROBE);
    }

    /** A thread that is never started: a segment it may access, any worker may access. */
    private static final Thread PROBE = Thread.ofPlatform().unstarted(() -> {});

    private static void split(int m, int n, int k, int mr, int nr, boolean mayFork, Block block) {
        int threads = Parallel.threads();
        if (threads == 1 || !mayFork || (long) m * n * k < PARALLEL_WORK) {
            block.run(0, m, 0, n);
        } else if (m >= 2 * mr * threads || m >= n) {
            // Row parts share nothing but the read-only B, which each packs for itself.
            Parallel.forRange(m, mr, threads, (part, from, to) -> block.run(from, to, 0, n));
        } else {
            Parallel.forRange(n, nr, threads, (part, from, to) -> block.run(0, m, from, to));
        }
    }
}
