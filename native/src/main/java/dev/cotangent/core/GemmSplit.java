package dev.cotangent.core;

/**
 * How a GEMM is split over {@link Parallel}'s threads, for both kernels: rows of C (or columns, for short and
 * wide products), one part per thread, when the product is large enough to pay for the hand-off.
 *
 * <p>Both kernels share this one pool. OpenBLAS runs single-threaded under it: its own worker threads spin for
 * a tenth of a second or more after each threaded call, and a Java-kernel product started in that window ran
 * at about half speed (measured here at 2 threads, n = 1024: 330 GFLOP/s alone, 160-180 right after an OpenBLAS
 * call).
 */
final class GemmSplit {
    /**
     * Multiply-adds below which a second thread costs more than it saves (about 20 us of work): n = 128 squared
     * runs at 240 GFLOP/s split on 2 threads, 160 alone.
     */
    static final long PARALLEL_WORK = 1L << 21;

    /** A rectangle of C computed by one thread. */
    @FunctionalInterface
    interface Block {
        void run(int i0, int i1, int j0, int j1);
    }

    private GemmSplit() {}

    /**
     * Runs {@code block} over the m x n product in parts: whole when {@code mayFork} is false, the pool has one
     * thread, or the work is small; else rows in multiples of {@code mr} when C is at least as tall as wide (or
     * too narrow to split), columns in multiples of {@code nr} otherwise.
     */
    static void run(int m, int n, int k, int mr, int nr, boolean mayFork, Block block) {
        int threads = Parallel.threads();
        if (threads == 1 || !mayFork || (long) m * n * k < PARALLEL_WORK) {
            block.run(0, m, 0, n);
        } else if (m >= n || n < 2 * nr * threads) {
            // Row parts share nothing but the read-only B, which each packs whole for itself (k x n per thread)...
            Parallel.forRange(m, mr, threads, (part, from, to) -> block.run(from, to, 0, n));
        } else {
            // ...and column parts each copy the whole A (m x k per thread): split the side that duplicates less.
            // A batch of 256 through a 784 x 512 layer packed 1.6 MB of B per thread split by rows; the MLP step
            // of the bench went from 4.6 to 4.2 ms at 2 threads.
            Parallel.forRange(n, nr, threads, (part, from, to) -> block.run(0, m, from, to));
        }
    }
}
