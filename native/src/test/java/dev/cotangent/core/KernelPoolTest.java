package dev.cotangent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The kernels' own pool: every part once, failures surfaced, nested and concurrent splits finish. */
class KernelPoolTest {

    @Test
    void everyPartRunsOnceOverItsBoundsAndTheCallerTakesPartsToo() {
        KernelPool pool = new KernelPool(3);
        try {
            for (int round = 0; round < 2_000; round++) {
                int parts = 1 + round % 4;
                int[] hits = new int[parts];
                AtomicLong covered = new AtomicLong();
                pool.run(parts, i -> i * 10, (part, from, to) -> {
                    assertEquals(part * 10, from);
                    assertEquals(part * 10 + 10, to);
                    hits[part]++;
                    covered.addAndGet(to - from);
                });
                for (int h : hits) {
                    assertEquals(1, h, "round " + round);
                }
                assertEquals(parts * 10L, covered.get());
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aFailingPartIsRethrownAfterEveryOtherPartHasFinished() {
        KernelPool pool = new KernelPool(1);
        try {
            AtomicInteger finished = new AtomicInteger();
            var e = assertThrows(IllegalStateException.class, () -> pool.run(4, i -> i, (part, from, to) -> {
                if (part == 1 || part == 3) {
                    throw new IllegalStateException("part " + part);
                }
                sleep(20);
                finished.incrementAndGet();
            }));
            // Both healthy parts ran to the end before the caller saw the failure; the other failure rides along.
            assertEquals(2, finished.get());
            assertTrue(e.getMessage().startsWith("part "), e.getMessage());
            assertEquals(1, e.getSuppressed().length);
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void splitsNestedInPartsAndSplitsFromManyThreadsAllFinish() throws Exception {
        int before = Parallel.threads();
        Parallel.setThreads(2);
        try {
            List<Thread> callers = new ArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            ConcurrentHashMap.KeySetView<Thread, Boolean> ran = ConcurrentHashMap.newKeySet();
            CountDownLatch done = new CountDownLatch(8);
            for (int t = 0; t < 8; t++) {
                Thread caller = Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; i < 300; i++) {
                            long[] sums = new long[2];
                            Parallel.forRange(2, 1, 2, (part, from, to) -> {
                                ran.add(Thread.currentThread());
                                // A split inside a part: its caller may be a worker, and the pool may be busy.
                                AtomicLong inner = new AtomicLong();
                                Parallel.forRange(100, 10, 2, (p, f, e) -> inner.addAndGet(e - f));
                                sums[part] = inner.get();
                            });
                            assertEquals(100, sums[0]);
                            assertEquals(100, sums[1]);
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        done.countDown();
                    }
                });
                callers.add(caller);
            }
            assertTrue(done.await(60, TimeUnit.SECONDS), "splits did not finish: a part waits on itself");
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            assertTrue(ran.stream().anyMatch(Parallel::isWorker), "no part ran on a worker");
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void aShutDownPoolsWorkersEnd() throws Exception {
        KernelPool pool = new KernelPool(2);
        AtomicReference<Thread> worker = new AtomicReference<>();
        CountDownLatch onWorker = new CountDownLatch(1);
        pool.run(2, i -> i, (part, from, to) -> {
            if (Parallel.isWorker(Thread.currentThread())) {
                worker.set(Thread.currentThread());
                onWorker.countDown();
            } else {
                // Hold the caller's part until a worker has taken the other one.
                try {
                    onWorker.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        pool.shutdown();
        Thread w = worker.get();
        assertTrue(w != null, "no part ran on a worker");
        w.join(10_000);
        assertTrue(!w.isAlive(), "worker still alive after shutdown");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
