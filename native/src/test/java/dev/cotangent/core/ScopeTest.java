package dev.cotangent.core;

import static dev.cotangent.core.ElementwiseTest.assertMentions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ScopeTest {
    @Test
    void closingReleasesEverythingAllocatedInside() {
        NdArray outside = NdArray.zeros(DType.F32, 3);
        NdArray inside;
        NdArray view;
        assertFalse(Scope.isActive());
        try (Scope scope = Scope.open()) {
            assertTrue(Scope.isActive());
            inside = NdArray.ones(DType.F64, 2, 2);
            view = inside.transpose();
            NdArray.zeros(DType.F32, 5);
            assertEquals(2, scope.liveCount());
        }
        assertFalse(Scope.isActive());
        assertTrue(inside.isReleased());
        assertTrue(view.isReleased());
        assertFalse(outside.isReleased());
        assertMentions(assertThrows(IllegalStateException.class, () -> inside.getDouble(0, 0)), "float64[2, 2]",
                "released");
    }

    @Test
    void keepMovesAnArrayToTheEnclosingScopeOrToNobody() {
        NdArray kept;
        NdArray keptTwice;
        try (Scope outer = Scope.open()) {
            try (Scope inner = Scope.open()) {
                kept = inner.keep(NdArray.ones(DType.F32, 4));
                NdArray view = NdArray.ones(DType.F32, 2, 2);
                keptTwice = inner.keep(view.reshape(4)); // keeping a view keeps its buffer
                assertEquals(0, inner.liveCount());
            }
            assertFalse(kept.isReleased());
            assertFalse(keptTwice.isReleased());
            assertEquals(2, outer.liveCount());
            assertSame(keptTwice, outer.keep(keptTwice));
        }
        assertTrue(kept.isReleased(), "kept by the inner scope, released by the outer one");
        assertFalse(keptTwice.isReleased(), "kept by the outermost scope: owned by nobody");
        keptTwice.close();
        assertTrue(keptTwice.isReleased());
    }

    @Test
    void closedArraysInsideAScopeAndDoubleCloseAreHarmless() {
        Scope scope = Scope.open();
        NdArray a = NdArray.ones(DType.F32, 3);
        a.close();
        assertEquals(0, scope.liveCount());
        scope.close();
        scope.close();
        assertThrows(IllegalStateException.class, () -> scope.keep(a));
    }

    @Test
    void scopesCloseInOrderOnTheirOwnThread() throws InterruptedException, ExecutionException {
        Scope outer = Scope.open();
        Scope inner = Scope.open();
        assertMentions(assertThrows(IllegalStateException.class, outer::close), "order");
        Throwable fromOtherThread = CompletableFuture.supplyAsync(() -> {
            try {
                inner.close();
                return null;
            } catch (IllegalStateException e) {
                return e;
            }
        }).get();
        assertTrue(fromOtherThread instanceof IllegalStateException);
        assertMentions((Exception) fromOtherThread, "thread");
        inner.close();
        outer.close();
        assertFalse(Scope.isActive());
    }

    @Test
    void aReleasedBufferIsReusedByTheNextAllocationOfItsSizeClass() {
        try (Scope _ = Scope.open()) {
            NdArray a = NdArray.empty(DType.F32, 1000); // 4,000 bytes: the 4,096-byte class
            long address = a.segment().address();
            a.close();
            NdArray b = NdArray.empty(DType.F32, 900); // 3,600 bytes: the same class
            assertEquals(address, b.segment().address());
            NdArray c = NdArray.empty(DType.F64, 1000); // a bigger class: a different buffer
            assertFalse(c.segment().address() == address);
        }
        long address;
        try (Scope _ = Scope.open()) {
            address = NdArray.empty(DType.F64, 3000).segment().address();
        }
        try (Scope _ = Scope.open()) {
            assertEquals(address, NdArray.empty(DType.F64, 3000).segment().address(), "reused after the scope closed");
        }
    }

    @Test
    void idleBytesGrowWhenBuffersReturn() {
        try (Scope _ = Scope.open()) {
            // NOTE: a pool miss first takes back arrays other tests dropped, so idle bytes are read only after it.
            NdArray a = NdArray.empty(DType.F64, 1 << 16);
            long during = BufferPool.idleBytes();
            a.close();
            assertEquals(during + BufferPool.classBytes(BufferPool.sizeClass(8L << 16)), BufferPool.idleBytes());
        }
    }

    @Test
    void keepFromAnotherThreadThrowsNamingTheOwnerThread() throws Exception {
        try (Scope scope = Scope.open()) {
            NdArray a = NdArray.ones(DType.F32, 3);
            Thread owner = Thread.currentThread();
            Thread other = new Thread(() -> assertMentions(assertThrows(IllegalStateException.class,
                    () -> scope.keep(a)), "Scope.keep", owner.getName(), "id " + owner.threadId(), "keep-caller"),
                    "keep-caller");
            List<Throwable> failures = new ArrayList<>();
            other.setUncaughtExceptionHandler((t, e) -> failures.add(e));
            other.start();
            other.join();
            assertEquals(List.of(), failures);
            assertTrue(a.belongsTo(scope), "the failed keep moved nothing");
        }
    }

    /**
     * One thread closes the scope that owns an array while another sums it, then fills a new array of the same
     * size with other values: the reader sees the right sum or an IllegalStateException, never the new values.
     */
    @Test
    void closingWhileAnotherThreadReadsNeverShowsItReusedMemory() throws Exception {
        int n = 1 << 22;
        double expected = n;
        List<String> wrong = new ArrayList<>();
        int interrupted = 0;
        for (int round = 0; round < 30; round++) {
            Scope scope = Scope.open();
            NdArray x = NdArray.ones(DType.F32, n);
            CountDownLatch reading = new CountDownLatch(1);
            AtomicBoolean stop = new AtomicBoolean();
            List<Object> results = new ArrayList<>();
            Thread reader = Thread.ofPlatform().start(() -> {
                reading.countDown();
                while (!stop.get()) {
                    try {
                        results.add(Reductions.sum(x).item());
                    } catch (IllegalStateException e) {
                        results.add(e);
                        return;
                    }
                }
            });
            reading.await();
            Thread.sleep(1);
            scope.close();
            // Whatever buffer the pool hands out next is overwritten, as a training step would.
            for (int i = 0; i < 5; i++) {
                try (Scope _ = Scope.open()) {
                    NdArray.zeros(DType.F32, n).fill(3);
                }
            }
            stop.set(true);
            reader.join();
            for (Object r : results) {
                if (r instanceof Double d && d != expected) {
                    wrong.add("round " + round + ": " + d);
                } else if (r instanceof IllegalStateException e) {
                    interrupted++;
                    assertTrue(e.getMessage() != null && !e.getMessage().isEmpty(), e.toString());
                }
            }
        }
        assertEquals(List.of(), wrong, "sums of an array read while its scope closed on another thread");
        assertTrue(interrupted > 0, "the reader never noticed the close");
    }

    /**
     * The live-byte counter and its peak follow this thread's arrays exactly. Other threads (the GEMM warm-up,
     * arrays dropped by earlier tests coming back through the reference queue) move the counter too, so the
     * counts are settled first and a round disturbed by them is measured again.
     */
    @Test
    void liveAndPeakLiveBytesFollowAcquireAndRelease() {
        long classBytes = BufferPool.classBytes(BufferPool.sizeClass(8L << 16));
        JavaGemmWarmup.ensureWarm(DType.F32);
        List<String> rounds = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            System.gc();
            MemoryBudget.drainDropped();
            long live = Memory.stats().liveBytes();
            Memory.resetPeakLiveBytes();
            long afterOne;
            try (Scope _ = Scope.open()) {
                NdArray.empty(DType.F64, 1 << 16);
                afterOne = Memory.stats().liveBytes();
                NdArray.empty(DType.F64, 1 << 16);
            }
            long after = Memory.stats().liveBytes();
            long peak = Memory.stats().peakLiveBytes();
            String seen = "live " + live + ", after one " + afterOne + ", peak " + peak + ", after " + after;
            if (afterOne == live + classBytes && after == live && peak == live + 2 * classBytes) {
                long system = Memory.stats().systemAllocatedBytes();
                try (Scope _ = Scope.open()) {
                    NdArray.empty(DType.F64, 1 << 16);
                }
                assertEquals(system, Memory.stats().systemAllocatedBytes(),
                        "a pooled buffer is reused, not allocated again");
                return;
            }
            rounds.add(seen);
        }
        throw new AssertionError("live bytes never followed two " + classBytes + "-byte buffers: " + rounds);
    }
}
