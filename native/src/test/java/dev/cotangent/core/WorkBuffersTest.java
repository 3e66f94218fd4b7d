package dev.cotangent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WorkBuffersTest {

    @Test
    void aPlatformThreadKeepsItsOwnSet() {
        WorkBuffers<int[]> buffers = new WorkBuffers<>(() -> new int[1]);
        int[] first = buffers.acquire();
        buffers.release(first);
        assertSame(first, buffers.acquire());
        assertEquals(0, buffers.sharedSets());
    }

    @Test
    void virtualThreadsShareABoundedStackInsteadOfOneSetEach() throws Exception {
        AtomicInteger created = new AtomicInteger();
        WorkBuffers<int[]> buffers = new WorkBuffers<>(() -> new int[] {created.incrementAndGet()});
        int tasks = 2_000;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < tasks; i++) {
                pool.submit(() -> {
                    int[] set = buffers.acquire();
                    try {
                        set[0]++;
                    } finally {
                        buffers.release(set);
                    }
                });
            }
        }
        // Without parking, at most one set per carrier is in use at once; a thread-local would have made 2,000.
        assertTrue(created.get() <= WorkBuffers.MAX_SHARED, created.get() + " sets for " + tasks + " tasks");
        assertTrue(buffers.sharedSets() <= WorkBuffers.MAX_SHARED);
    }

    @Test
    void theStackKeepsNoMoreThanItsBound() throws Exception {
        WorkBuffers<int[]> buffers = new WorkBuffers<>(() -> new int[1]);
        int held = WorkBuffers.MAX_SHARED + 5;
        int[][] sets = new int[held][];
        Thread t = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < held; i++) {
                sets[i] = buffers.acquire();
            }
            for (int[] set : sets) {
                buffers.release(set);
            }
        });
        t.join();
        assertEquals(WorkBuffers.MAX_SHARED, buffers.sharedSets());
    }
}
