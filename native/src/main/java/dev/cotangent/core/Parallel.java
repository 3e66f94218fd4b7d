package dev.cotangent.core;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;

/** Splits an index range over the pure-Java kernels' worker threads (the calling thread takes one part). */
final class Parallel {
    /** One part of a split range: indices {@code [from, to)}, the {@code part}-th of the split. */
    @FunctionalInterface
    interface Body {
        void run(int part, int from, int to);
    }

    /**
     * Elements below which an elementwise run stays on one thread. Measured at 2 threads: 1M float32 elements
     * run 1.8-2x faster split (add, exp); a 784-512-512-10 MLP step at batch 256, whose activations have 128K
     * elements and whose SGD update walks 670K parameters, went from 4.2 to 3.2 ms with this threshold, against
     * 4.2 ms with 512K. (An axpy of 256K elements already in cache, alone in a loop, gains nothing.)
     */
    static final long PARALLEL_ELEMENTS = 1L << 17;
    /** Parts of a split run start at multiples of this: whole cache lines, and whole vectors of any species. */
    private static final int ELEMENT_GRAIN = 1024;

    private static volatile int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    private static ForkJoinPool pool;

    private Parallel() {}

    /** Number of threads the Java kernels use (including the caller). */
    static int threads() {
        return threads;
    }

    static synchronized void setThreads(int n) {
        if (n < 1 || n > Backend.MAX_THREADS) {
            throw new IllegalArgumentException("setThreads: " + n + " threads; expected 1 to " + Backend.MAX_THREADS);
        }
        if (n != threads && pool != null) {
            // Idle workers die with the old pool; tasks already running on it finish normally.
            pool.shutdown();
            pool = null;
        }
        threads = n;
    }

    private static synchronized ForkJoinPool pool() {
        if (pool == null) {
            pool = new ForkJoinPool(Math.max(1, threads - 1), Worker::new, null, false);
        }
        return pool;
    }

    /**
     * A thread of the kernels' pool. It runs parts of an op for the thread that called the op, which waits for
     * every part: what a worker touches is in use only while that caller's op runs.
     */
    static final class Worker extends ForkJoinWorkerThread {
        Worker(ForkJoinPool pool) {
            super(null, pool, true);
            setName("cotangent-kernels-" + getPoolIndex());
            setDaemon(true);
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
        int g = Math.max(1, grain);
        int chunks = (n + g - 1) / g;
        int parts = Math.min(Math.min(threads, maxParts), chunks);
        // NOTE: a virtual thread joining workers would unmount and let its carrier start yet another task, so
        // thousands of tasks would hold their intermediates at once; the carriers already run them in parallel.
        if (parts <= 1 || Thread.currentThread().isVirtual()) {
            if (n > 0) {
                body.run(0, 0, n);
            }
            return;
        }
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[parts - 1];
        ForkJoinPool p = pool();
        int from = 0;
        try {
            for (int i = 0; i < parts; i++) {
                // Spread the chunks evenly: part i gets chunks [i*chunks/parts, (i+1)*chunks/parts).
                int to = (int) Math.min(n, (long) (i + 1) * chunks / parts * g);
                if (i < parts - 1) {
                    int part = i, f = from, t = to;
                    try {
                        tasks[i] = p.submit(() -> body.run(part, f, t));
                    } catch (RejectedExecutionException e) {
                        // The pool was replaced by setThreads meanwhile: do this part here.
                        body.run(part, f, t);
                    }
                } else {
                    body.run(i, from, to);
                }
                from = to;
            }
        } finally {
            // NOTE: join every submitted part even when the inline part threw, so that no worker still
            // writes into the output after this method returns.
            for (ForkJoinTask<?> t : tasks) {
                if (t != null) {
                    t.join();
                }
            }
        }
    }
}
