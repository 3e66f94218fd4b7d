package dev.cotangent.core;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.WeakReference;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * Size-class pool of off-heap buffers, so that released arrays are reused instead of reallocated.
 *
 * <p>Each buffer lives in its own shared {@link Arena}: a buffer the pool drops is closed at once, so memory
 * goes back to the system deterministically and any stale segment throws instead of reading freed memory.
 * Classes are powers of two and their midpoints (at most a third wasted). Each platform thread keeps its own
 * bounded cache, so the common allocate/release pair touches no shared state; virtual threads, which are many
 * and short-lived, and buffers released by the cleaner use the shared deques. A finished thread's cache goes
 * to the shared deques (or is freed) at the next reclamation or when a new thread makes its cache. Every
 * buffer taken from the system passes {@link MemoryBudget}.
 */
final class BufferPool {
    static final int MIN_BYTES = 64;
    private static final int CLASSES = 2 * 48;
    static final String MAX_IDLE_PROPERTY = "cotangent.pool.maxIdleBytes";

    private static final AtomicLong SHARED_IDLE_BYTES = new AtomicLong();
    /** Bytes of buffers handed out and not yet returned, and their most since {@link #resetPeakLiveBytes}: the
     *  exact activation memory of a step, which the held/pooled difference only approximates. */
    private static final AtomicLong LIVE_BYTES = new AtomicLong();
    private static final AtomicLong PEAK_LIVE_BYTES = new AtomicLong();
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static final ConcurrentLinkedDeque<Buffer>[] SHARED = new ConcurrentLinkedDeque[CLASSES];
    /** Allocations by threads without a cache, and by finished threads whose caches were reaped. */
    private static final LongAdder SHARED_ALLOCATIONS = new LongAdder();
    /** Every platform thread's cache, until the thread has finished and its buffers are taken back. */
    private static final ConcurrentLinkedQueue<CacheEntry> CACHES = new ConcurrentLinkedQueue<>();
    /** Buffers released while a native call still used them: closed once that call is over. */
    private static final ConcurrentLinkedQueue<Buffer> PENDING_CLOSE = new ConcurrentLinkedQueue<>();
    private static final AtomicLong PENDING_BYTES = new AtomicLong();

    static {
        for (int i = 0; i < CLASSES; i++) {
            SHARED[i] = new ConcurrentLinkedDeque<>();
        }
    }

    /** Most bytes kept idle by one thread's cache, and by the shared deques; above it, buffers are freed. */
    private static final class Limits {
        static final long MAX_IDLE = maxIdle();

        private static long maxIdle() {
            String configured = System.getProperty(MAX_IDLE_PROPERTY, "").strip();
            if (configured.isEmpty()) {
                // An eighth of the budget each: a training step's intermediates are reused, and a handful of
                // threads' idle caches still leave most of the budget to live arrays.
                return Math.min(MemoryBudget.budget() / 8, 1L << 30);
            }
            long bytes = MemoryBudget.parseSize(configured);
            if (bytes < 0) {
                throw new IllegalStateException("system property " + MAX_IDLE_PROPERTY + "=" + configured
                        + " is not a size; expected a number of bytes with an optional k, m, g or t suffix");
            }
            return bytes;
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

    /** One platform thread's idle buffers by size class, their total size, and its allocation count. */
    static final class LocalCache {
        @SuppressWarnings({"unchecked", "rawtypes"})
        final ArrayDeque<Buffer>[] deques = new ArrayDeque[CLASSES];
        // NOTE: written by the owning thread only; other threads read them for statistics (approximate) and
        // take the buffers only once the thread has finished (Thread.isAlive gives the happens-before).
        long idleBytes;
        long allocations;

        LocalCache() {
            for (int i = 0; i < CLASSES; i++) {
                deques[i] = new ArrayDeque<>();
            }
        }
    }

    private record CacheEntry(WeakReference<Thread> thread, LocalCache cache) {}

    private BufferPool() {}

    /**
     * A cache for the calling thread, registered so that it is taken back when the thread finishes, or null for
     * a virtual thread, which uses the shared deques.
     */
    static @Nullable LocalCache newCacheForCurrentThread() {
        Thread t = Thread.currentThread();
        if (t.isVirtual()) {
            return null;
        }
        reapFinishedThreads(); // a program that churns platform threads keeps only the live ones' caches
        LocalCache cache = new LocalCache();
        CACHES.add(new CacheEntry(new WeakReference<>(t), cache));
        return cache;
    }

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

    /** {@link #acquire(long)} with the calling thread's cache (null for none) already at hand. */
    static Buffer acquire(long bytes, @Nullable LocalCache local) {
        int c = sizeClass(bytes);
        long live = LIVE_BYTES.addAndGet(classBytes(c));
        if (live > PEAK_LIVE_BYTES.getPlain()) {
            PEAK_LIVE_BYTES.accumulateAndGet(live, Math::max);
        }
        if (local != null) {
            local.allocations++;
            Buffer b = local.deques[c].pollFirst();
            if (b != null) {
                local.idleBytes -= classBytes(c);
                return b;
            }
        } else {
            SHARED_ALLOCATIONS.increment();
        }
        Buffer b = pollShared(c);
        if (b != null) {
            return b;
        }
        try {
            return fromSystem(c);
        } catch (OutOfMemoryError | RuntimeException e) {
            LIVE_BYTES.addAndGet(-classBytes(c));
            throw e;
        }
    }

    private static @Nullable Buffer pollShared(int c) {
        Buffer b = SHARED[c].pollFirst();
        if (b != null) {
            SHARED_IDLE_BYTES.addAndGet(-classBytes(c));
        }
        return b;
    }

    /** A new buffer of class {@code c}, within the budget: reclaiming, then trimming the pools, if need be. */
    private static Buffer fromSystem(int c) {
        long bytes = classBytes(c);
        if (!PENDING_CLOSE.isEmpty()) {
            freePendingCloses();
        }
        for (int attempt = 0; !MemoryBudget.tryReserve(bytes); attempt++) {
            if (attempt == 10) {
                throw MemoryBudget.overBudget(bytes);
            }
            MemoryBudget.reclaimForBudget(attempt);
            Buffer b = pollShared(c); // what the cleaner returned may be just the size needed
            if (b != null) {
                return b;
            }
            trim(ThreadState.get().cache);
            freePendingCloses();
        }
        Arena arena = Arena.ofShared();
        Buffer b;
        try {
            b = new Buffer(arena, arena.allocate(bytes, 64), c);
        } catch (OutOfMemoryError | RuntimeException e) {
            arena.close();
            MemoryBudget.cancel(bytes);
            throw e;
        }
        MemoryBudget.afterGrowth();
        return b;
    }

    /** Returns a buffer for reuse; {@code sameThread} is false when called from the cleaner. */
    static void release(Buffer b, boolean sameThread) {
        release(b, sameThread ? ThreadState.get().cache : null);
    }

    /** Returns a buffer to {@code local}, the releasing thread's cache, or to the shared deques when null. */
    static void release(Buffer b, @Nullable LocalCache local) {
        long bytes = classBytes(b.sizeClass());
        LIVE_BYTES.addAndGet(-bytes);
        if (local != null && local.idleBytes + bytes <= Limits.MAX_IDLE) {
            local.idleBytes += bytes;
            local.deques[b.sizeClass()].addFirst(b);
            return;
        }
        releaseShared(b);
    }

    /** Puts a buffer in the shared deques, or frees it when they are full. */
    private static void releaseShared(Buffer b) {
        long bytes = classBytes(b.sizeClass());
        if (SHARED_IDLE_BYTES.addAndGet(bytes) <= Limits.MAX_IDLE) {
            SHARED[b.sizeClass()].addFirst(b);
        } else {
            SHARED_IDLE_BYTES.addAndGet(-bytes);
            free(b);
        }
    }

    /** Returns a buffer the cleaner found unreachable. */
    static void releaseFromCleaner(Buffer b) {
        LIVE_BYTES.addAndGet(-classBytes(b.sizeClass()));
        releaseShared(b);
        MemoryBudget.cleanerReturned();
    }

    /**
     * Gives a buffer back to the system. A native call still using it (another thread's, on an array released
     * under it) keeps its arena acquired: the close is retried later, and nobody reuses the memory meanwhile.
     */
    static void free(Buffer b) {
        try {
            b.arena.close();
        } catch (IllegalStateException stillInUse) {
            PENDING_BYTES.addAndGet(classBytes(b.sizeClass()));
            PENDING_CLOSE.add(b);
            return;
        }
        MemoryBudget.freed(classBytes(b.sizeClass()));
    }

    /** Retries the closes that native calls held up. */
    static void freePendingCloses() {
        for (int n = PENDING_CLOSE.size(); n > 0; n--) {
            Buffer b = PENDING_CLOSE.poll();
            if (b == null) {
                return;
            }
            PENDING_BYTES.addAndGet(-classBytes(b.sizeClass()));
            free(b);
        }
    }

    /** Frees every idle buffer of the shared deques and of {@code local} (the calling thread's cache). */
    private static void trim(@Nullable LocalCache local) {
        if (local != null) {
            for (ArrayDeque<Buffer> d : local.deques) {
                for (Buffer b; (b = d.pollFirst()) != null; ) {
                    local.idleBytes -= classBytes(b.sizeClass());
                    free(b);
                }
            }
        }
        for (int c = 0; c < CLASSES; c++) {
            for (Buffer b; (b = pollShared(c)) != null; ) {
                free(b);
            }
        }
    }

    /** Moves the caches of finished threads to the shared deques (freeing what does not fit). */
    static void reapFinishedThreads() {
        for (CacheEntry e : CACHES) {
            Thread t = e.thread().get();
            if ((t == null || !t.isAlive()) && CACHES.remove(e)) {
                LocalCache cache = e.cache();
                SHARED_ALLOCATIONS.add(cache.allocations);
                for (ArrayDeque<Buffer> d : cache.deques) {
                    for (Buffer b; (b = d.pollFirst()) != null; ) {
                        releaseShared(b);
                    }
                }
                cache.idleBytes = 0;
            }
        }
    }

    /** Bytes idle in every cache and the shared deques, and held up by native calls (approximate while busy). */
    static long pooledBytes() {
        long sum = SHARED_IDLE_BYTES.get() + PENDING_BYTES.get();
        for (CacheEntry e : CACHES) {
            sum += e.cache().idleBytes;
        }
        return sum;
    }

    /** Buffers handed out so far, from the pool or the system (approximate while threads allocate). */
    static long allocations() {
        long sum = SHARED_ALLOCATIONS.sum();
        for (CacheEntry e : CACHES) {
            sum += e.cache().allocations;
        }
        return sum;
    }

    /** Bytes currently idle in this thread's cache and the shared deques (for tests and diagnostics). */
    static long idleBytes() {
        LocalCache local = ThreadState.get().cache;
        return (local == null ? 0 : local.idleBytes) + SHARED_IDLE_BYTES.get();
    }

    /** Bytes of buffers handed out now (by size class). */
    static long liveBytes() {
        return LIVE_BYTES.get();
    }

    /** The most {@link #liveBytes} since the last {@link #resetPeakLiveBytes} (or since start). */
    static long peakLiveBytes() {
        return PEAK_LIVE_BYTES.get();
    }

    /** Starts a new peak of live bytes from the bytes live now. */
    static void resetPeakLiveBytes() {
        PEAK_LIVE_BYTES.set(LIVE_BYTES.get());
    }
}
