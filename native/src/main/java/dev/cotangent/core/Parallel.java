package dev.cotangent.core;

import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;

/** Splits an index range over the pure-Java kernels' worker threads (the calling thread takes one part). */
final class Parallel {
    /** One part of a split range: indices {@code [from, to)}, the {@code part}-th of the split. */
    @FunctionalInterface
    interface Body {
        void run(int part, int from, int to);
    }

    /**
     * Elements below which an elementwise run stays on one thread. Measured at 2 threads with the spinning pool:
     * at 64K float32 elements add takes 9.2 us split against 13.6 alone, exp 17.6 against 31; at 32K the gain is
     * within noise, and an axpy already in cache (the SGD update) still loses about 1 us at 64K.
     */
    static final long PARALLEL_ELEMENTS = 1L << 16;
    /** Parts of a split run start at multiples of this: whole cache lines, and whole vectors of any species. */
    private static final int ELEMENT_GRAIN = 1024;

    private static volatile int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    /** Made on the first split; replaced when the thread count changes. Read on every split, without a lock. */
    private static volatile @Nullable KernelPool pool;

    private Parallel() {}

    /** Number of threads the Java kernels use (including the caller). */
    static int threads() {
        return threads;
    }

    static synchronized void setThreads(int n) {
        if (n < 1 || n > Backend.MAX_THREADS) {
            throw new IllegalArgumentException("setThreads: " + n + " threads; expected 1 to " + Backend.MAX_THREADS);
        }
        KernelPool old = pool;
        if (n != threads && old != null) {
            // The old pool's workers end once idle; splits already running on it finish normally.
            old.shutdown();
            pool = null;
        }
        threads = n;
    }

    private static KernelPool pool() {
        KernelPool p = pool;
        if (p != null) {
            return p;
        }
        synchronized (Parallel.class) {
            p = pool;
            if (p == null) {
                p = new KernelPool(Math.max(1, threads - 1));
                pool = p;
            }
            return p;
        }
    }

    /**
     * A thread of the kernels' pool. It runs parts of an op for the thread that called the op, which waits for
     * every part: what a worker touches is in use only while that caller's op runs.
     */
    static final class Worker extends Thread {
        private final KernelPool owner;
        /** Set while the worker is parked (or about to park), so that a new job knows to unpark it. */
        volatile boolean parked;

        Worker(KernelPool owner, int index) {
            super("cotangent-kernels-" + index);
            this.owner = owner;
            setDaemon(true);
        }

        @Override
        public void run() {
            owner.work(this);
        }
    }

    /** A thread that is never started: a segment it may access, any worker may access. */
    private static final Thread PROBE = Thread.ofPlatform().unstarted(() -> {});

    /** Whether worker threads may touch all three segments (a confined arena's segments stay on its thread). */
    static boolean shareable(MemorySegment a, MemorySegment b, MemorySegment c) {
        return a.isAccessibleBy(PROBE) && b.isAccessibleBy(PROBE) && c.isAccessibleBy(PROBE);
    }

    /** Whether {@code t} is one of the kernels' pool threads. */
    static boolean isWorker(@Nullable Thread t) {
        return t instanceof Worker;
    }

    /**
     * Runs an elementwise {@code body} over {@code [0, n)}, split over the threads when the run is long and
     * {@code mayFork} (its segments are accessible from other threads). Each element is computed by the same
     * code whatever the split, so the result has the same bits on any number of threads.
     */
    static void forElements(long n, boolean mayFork, Parts.Range body) {
        forRange(n, ELEMENT_GRAIN, PARALLEL_ELEMENTS, mayFork, body);
    }

    /**
     * Runs {@code body} over {@code [0, n)}: whole when {@code n < minParallel}, on one thread or when not
     * {@code mayFork}; else one part per thread, each starting at a multiple of {@code grain}.
     */
    static void forRange(long n, long grain, long minParallel, boolean mayFork, Parts.Range body) {
        int parts = threads;
        if (parts <= 1 || !mayFork || n < minParallel) {
            if (n > 0) {
                body.run(0, n);
            }
            return;
        }
        long grains = (n + grain - 1) / grain;
        forRange(parts, 1, parts, (part, from, to) -> {
            for (int p = from; p < to; p++) {
                long start = Math.min(n, grains * p / parts * grain);
                long end = p == parts - 1 ? n : Math.min(n, grains * (p + 1) / parts * grain);
                if (start < end) {
                    body.run(start, end);
                }
            }
        });
    }

    /**
     * Runs {@code body} over {@code [0, n)} in at most {@code maxParts} parts whose sizes are multiples of
     * {@code grain} (except the last); one part runs inline when the split would not pay off.
     */
    static void forRange(int n, int grain, int maxParts, Body body) {
        forRange(n, grain, maxParts, true, body);
    }

    /**
     * As {@link #forRange(int, int, int, Body)}, on the calling thread alone unless {@code mayFork} (the arrays are
     * accessible from other threads). The parts depend on the thread count and {@code n} only: where they cannot
     * go to the workers (not {@code mayFork}, or a virtual caller), the same parts run one after another on the
     * caller, so that a body that sums each part on its own gives the same bits on any thread.
     */
    static void forRange(int n, int grain, int maxParts, boolean mayFork, Body body) {
        int g = Math.max(1, grain);
        int chunks = (n + g - 1) / g;
        int parts = Math.min(Math.min(threads, maxParts), chunks);
        if (parts <= 1) {
            if (n > 0) {
                body.run(0, 0, n);
            }
            return;
        }
        int splitParts = parts;
        KernelPool.Ranges bounds = i -> i == 0 ? 0 : (int) Math.min(n, (long) i * chunks / splitParts * g);
        // NOTE: a virtual thread joining workers would unmount and let its carrier start yet another task, so
        // thousands of tasks would hold their intermediates at once; the carriers already run them in parallel.
        if (!mayFork || Thread.currentThread().isVirtual()) {
            for (int i = 0; i < parts; i++) {
                body.run(i, bounds.bound(i), bounds.bound(i + 1));
            }
            return;
        }
        pool().run(parts, bounds, body);
    }
}
