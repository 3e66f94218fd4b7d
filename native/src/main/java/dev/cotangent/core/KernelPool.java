package dev.cotangent.core;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * The kernels' worker threads: a job is a fixed number of parts that the calling thread and the workers claim
 * one at a time, and the caller returns once every part has run.
 *
 * <p>Why not a {@link java.util.concurrent.ForkJoinPool}: its workers park as soon as they find no task, and
 * waking one costs 25-30 us here, so splitting an op whose parts take 30 us gained nothing (measured: two 33 us
 * parts took 60 us split). A training step runs a hundred such ops back to back, with a little serial work
 * between them. Here a worker spins for {@link #SPIN_NANOS} after its last part before it parks, as OpenMP's
 * workers do, so the next op finds it awake; the caller of a split waits the same way.
 *
 * <p>The caller claims parts too and, once none is left to claim, waits only for parts that a worker is already
 * running. So a split whose workers are all busy (a nested split, or many user threads at once) runs on the
 * caller instead of waiting for them, and no split can wait on itself.
 */
final class KernelPool {
    /**
     * How long an idle worker, or a caller waiting for its parts, spins before it parks. Long enough to bridge
     * the serial work between two ops of a training step (tens of microseconds); short enough that an idle
     * library gives its cores back at once.
     */
    static final long SPIN_NANOS = 200_000;

    /** Where the parts of a job start: part {@code i} covers {@code [bound(i), bound(i + 1))}. */
    @FunctionalInterface
    interface Ranges {
        int bound(int part);
    }

    private final ConcurrentLinkedQueue<Job> jobs = new ConcurrentLinkedQueue<>();
    private final Parallel.Worker[] workers;
    private volatile boolean shutdown;

    KernelPool(int workerCount) {
        workers = new Parallel.Worker[workerCount];
        for (int i = 0; i < workerCount; i++) {
            workers[i] = new Parallel.Worker(this, i);
            workers[i].start();
        }
    }

    /** Lets the workers end once idle; a job still running finishes on its caller and on the workers in it. */
    void shutdown() {
        shutdown = true;
        for (Parallel.Worker w : workers) {
            LockSupport.unpark(w);
        }
    }

    /**
     * Runs {@code body} on parts {@code 0 .. parts-1}, part {@code i} over {@code [bound(i), bound(i + 1))};
     * returns when all have run. The first exception a part threw is rethrown, the others added to it.
     */
    void run(int parts, Ranges bounds, Parallel.Body body) {
        Job job = new Job(parts, bounds, body);
        jobs.add(job);
        int wake = parts - 1;
        for (Parallel.Worker w : workers) {
            if (wake-- <= 0) {
                break;
            }
            if (w.parked) {
                LockSupport.unpark(w);
            }
        }
        while (job.runOne()) {
            // The caller takes parts like any worker.
        }
        jobs.remove(job);
        job.awaitDone();
        job.rethrow();
    }

    /** A worker's life: run parts of posted jobs, spin a while when there are none, then park. */
    void work(Parallel.Worker self) {
        long idleSince = System.nanoTime();
        while (!shutdown) {
            Job job = jobs.peek();
            if (job != null) {
                if (job.runOne()) {
                    idleSince = System.nanoTime();
                } else {
                    jobs.remove(job); // every part is claimed: let the next job come to the head
                }
                continue;
            }
            if (System.nanoTime() - idleSince < SPIN_NANOS) {
                Thread.onSpinWait();
                continue;
            }
            // NOTE: parked is set before the queue is checked again, and a caller adds its job before it reads
            // parked; so either this worker sees the job, or the caller sees it parked and unparks it.
            self.parked = true;
            if (jobs.isEmpty() && !shutdown) {
                LockSupport.park(this);
            }
            self.parked = false;
            idleSince = System.nanoTime();
        }
    }

    /** A split in progress: parts are claimed in order, and counted as they finish. */
    private static final class Job {
        private final int parts;
        private final Ranges bounds;
        private final Parallel.Body body;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger finished = new AtomicInteger();
        private volatile @Nullable Thread waiter;
        private @Nullable Throwable error;

        Job(int parts, Ranges bounds, Parallel.Body body) {
            this.parts = parts;
            this.bounds = bounds;
            this.body = body;
        }

        /** Claims and runs the next part; false when every part is already claimed. */
        boolean runOne() {
            int part = next.getAndIncrement();
            if (part >= parts) {
                return false;
            }
            try {
                body.run(part, bounds.bound(part), bounds.bound(part + 1));
            } catch (Throwable t) {
                failed(t);
            } finally {
                if (finished.incrementAndGet() == parts) {
                    Thread w = waiter;
                    if (w != null) {
                        LockSupport.unpark(w);
                    }
                }
            }
            return true;
        }

        private synchronized void failed(Throwable t) {
            if (error == null) {
                error = t;
            } else if (error != t) {
                error.addSuppressed(t);
            }
        }

        void awaitDone() {
            long start = System.nanoTime();
            while (finished.get() < parts) {
                if (System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    waiter = Thread.currentThread();
                    if (finished.get() < parts) {
                        LockSupport.park(this);
                    }
                }
            }
        }

        synchronized void rethrow() {
            Throwable t = error;
            if (t instanceof RuntimeException e) {
                throw e;
            }
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw new IllegalStateException("a kernel part failed", t);
            }
        }
    }
}
