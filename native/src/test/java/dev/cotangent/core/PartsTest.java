package dev.cotangent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PartsTest {

    @Test
    void everyIndexRunsExactlyOnceInGrainAlignedParts() {
        int threads = Parallel.threads();
        Parallel.setThreads(2);
        try {
            for (long n : new long[] {0, 1, 999, 1000, 1001, 123_457}) {
                long[] hits = new long[(int) n];
                ConcurrentHashMap.KeySetView<Thread, Boolean> seen = ConcurrentHashMap.newKeySet();
                AtomicLong parts = new AtomicLong();
                Parts.forRange(n, 64, 1000, (from, to) -> {
                    parts.incrementAndGet();
                    seen.add(Thread.currentThread());
                    assertTrue(to == n || to % 64 == 0, "part [" + from + ", " + to + ") of " + n);
                    for (long i = from; i < to; i++) {
                        hits[(int) i]++;
                    }
                });
                for (long h : hits) {
                    assertEquals(1, h);
                }
                // Below minParallel the caller runs the whole range as one part.
                if (n > 0 && n < 1000) {
                    assertEquals(1, parts.get());
                    assertEquals(java.util.Set.of(Thread.currentThread()), seen);
                }
            }
        } finally {
            Parallel.setThreads(threads);
        }
    }

    @Test
    void badArgumentsAreErrorsNamingTheCall() {
        var e = assertThrows(IllegalArgumentException.class, () -> Parts.forRange(-1, 1, 1, (a, b) -> {}));
        assertTrue(e.getMessage().startsWith("Parts.forRange: n=-1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Parts.forRange(10, 0, 1, (a, b) -> {}));
        assertThrows(IllegalArgumentException.class, () -> Parts.forRange(10, 1, 0, (a, b) -> {}));
        assertThrows(NullPointerException.class, () -> Parts.forRange(10, 1, 1, null));
    }
}
