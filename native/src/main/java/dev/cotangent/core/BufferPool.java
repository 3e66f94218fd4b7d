package dev.cotangent.core;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Size-class pool of off-heap buffers, so that released arrays are reused instead of reallocated.
 *
 * <p>Each buffer lives in its own shared {@link Arena}: a buffer the pool drops is closed at once, so memory
 * goes back to the system deterministically and any stale segment throws instead of reading freed memory.
 * Classes are powers of two and their midpoints (at most a third wasted). Each thread keeps its own cache with
 * its own byte count, so the common allocate/release pair touches no shared state; buffers released on another
 * thread (by the cleaner) go through a shared deque with a shared count.
 */
final class BufferPool {
    static final int MIN_BYTES = 64;
    private static final int CLASSES = 2 * 48;
    /** Most bytes kept idle by one thread's cache, and by the shared deques; above it, buffers are freed. */
    private static final long MAX_IDLE_BYTES = Long.getLong("cotangent.pool.maxIdleBytes", 2L << 30);

    private static final AtomicLong SHARED_IDLE_BYTES = new AtomicLong();
    /** Bytes of buffers handed out and not yet returned, their most since {@link #resetPeak}, and bytes ever
     *  obtained from the system: what benchmarks read to tell activation memory and pool misses. */
    private static final AtomicLong LIVE_BYTES = new AtomicLong();
    private static final AtomicLong PEAK_BYTES = new AtomicLong();
    private static final AtomicLong SYSTEM_BYTES = new AtomicLong();
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static final ConcurrentLinkedDeque<Buffer>[] SHARED = new ConcurrentLinkedDeque[CLASSES];

    static {
        for (int i = 0; i < CLASSES; i++) {
            SHARED[i] = new ConcurrentLinkedDeque<>();
        }
    }

    /** A pooled allocation: the arena that owns it, its full-class segment, and its last exact-size view. */
    static final class Buffer {
        private final Arena arena;
        private final MemorySegment segment;
        private final int sizeClass;
        // Arrays of one size usually come back to the same buffer: their bounds-exact view is made once.
        private MemorySegment lastSlice;

        Buffer(Arena arena, MemorySegment segment, int sizeClass) {
            this.arena = arena;
            this.segment = segment;
            this.sizeClass = sizeClass;
            this.lastSlice = segment;
        }

        Arena arena() {
            return arena;
        }

        MemorySegment segment() {
            return segment;
        }

        int sizeClass() {
            return sizeClass;
        }

        /** The first {@code bytes} of the buffer, so that accesses past an array's end fail their bounds check. */
        MemorySegment slice(long bytes) {
            MemorySegment s = lastSlice;
            if (s.byteSize() != bytes) {
                s = segment.asSlice(0, bytes);
                lastSlice = s;
            }
            return s;
        }
    }

    /** One thread's idle buffers by size class, and their total size. */
    static final class LocalCache {
        @SuppressWarnings({"unchecked", "rawtypes"})
        final ArrayDeque<Buffer>[] deques = new ArrayDeque[CLASSES];
        long idleBytes;

        LocalCache() {
            for (int i = 0; i < CLASSES; i++) {
                deques[i] = new ArrayDeque<>();
            }
        }
    }

    private BufferPool() {}

    static int sizeClass(long bytes) {
        long b = Math.max(bytes, MIN_BYTES);
        int log = 63 - Long.numberOfLeadingZeros(b - 1); // floor(log2(b - 1))
        long pow = 1L << log;
        // b in (pow, 2*pow]: midpoint class 1.5*pow, else 2*pow
        return b <= pow + (pow >> 1) ? 2 * log + 1 : 2 * (log + 1);
    }

    static long classBytes(int sizeClass) {
        int log = sizeClass / 2;
        return (sizeClass & 1) == 1 ? (1L << log) + (1L << (log - 1)) : 1L << log;
    }

    /** A buffer of at least {@code bytes}; its contents are unspecified (not zeroed when reused). */
    static Buffer acquire(long bytes) {
        return acquire(bytes, ThreadState.get().cache);
    }

    /** {@link #acquire(long)} with the calling thread's cache already at hand. */
    static Buffer acquire(long bytes, LocalCache local) {
        int c = sizeClass(bytes);
        long live = LIVE_BYTES.addAndGet(classBytes(c));
        if (live > PEAK_BYTES.getPlain()) {
            PEAK_BYTES.accumulateAndGet(live, Math::max);
        }
        Buffer b = local.deques[c].pollFirst();
        if (b != null) {
            local.idleBytes -= classBytes(c);
            return b;
        }
        b = SHARED[c].pollFirst();
        if (b != null) {
            SHARED_IDLE_BYTES.addAndGet(-classBytes(c));
            return b;
        }
        Arena arena = Arena.ofShared();
        try {
            Buffer fresh = new Buffer(arena, arena.allocate(classBytes(c), 64), c);
            SYSTEM_BYTES.addAndGet(classBytes(c));
            return fresh;
        } catch (OutOfMemoryError e) {
            LIVE_BYTES.addAndGet(-classBytes(c));
            arena.close();
            throw e;
        }
    }

    /** Returns a buffer for reuse; {@code sameThread} is false when called from the cleaner. */
    static void release(Buffer b, boolean sameThread) {
        release(b, sameThread ? ThreadState.get().cache : null);
    }

    /** Returns a buffer to {@code local}, the releasing thread's cache, or to the shared deques when null. */
    static void release(Buffer b, @Nullable LocalCache local) {
        long bytes = classBytes(b.sizeClass());
        LIVE_BYTES.addAndGet(-bytes);
        if (local != null) {
            if (local.idleBytes + bytes <= MAX_IDLE_BYTES) {
                local.idleBytes += bytes;
                local.deques[b.sizeClass()].addFirst(b);
                return;
            }
        } else if (SHARED_IDLE_BYTES.addAndGet(bytes) <= MAX_IDLE_BYTES) {
            SHARED[b.sizeClass()].addFirst(b);
            return;
        } else {
            SHARED_IDLE_BYTES.addAndGet(-bytes);
        }
        b.arena().close();
    }

    /** Bytes currently idle in this thread's cache and the shared deques (for tests and diagnostics). */
    static long idleBytes() {
        return ThreadState.get().cache.idleBytes + SHARED_IDLE_BYTES.get();
    }

    /** Bytes of pooled buffers in use now (by size class, so at most a third above the arrays' own sizes). */
    static long liveBytes() {
        return LIVE_BYTES.get();
    }

    /** The most {@link #liveBytes} since the last {@link #resetPeak}. */
    static long peakBytes() {
        return PEAK_BYTES.get();
    }

    /** Starts a new peak from the bytes in use now. */
    static void resetPeak() {
        PEAK_BYTES.set(LIVE_BYTES.get());
    }

    /** Bytes ever allocated from the system (buffers the pool could not reuse). */
    static long systemBytes() {
        return SYSTEM_BYTES.get();
    }
}
