package dev.cotangent.core;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The native bytes the library holds, the budget they stay under, and the garbage collections it forces to get
 * unreachable arrays back.
 *
 * <p>Arrays dropped outside any scope come back through phantom references, which only a garbage collection
 * enqueues; the Java heap they occupy is tiny, so without help the heap never fills, the collector never runs
 * and native memory grows without bound. The allocating threads drain the queue themselves (on a pool miss and
 * in a reclamation) instead of leaving it to a cleaner thread, which a loaded machine may starve. Two triggers force a collection: an allocation that would pass the
 * budget (then the pool is trimmed, and only then does the allocation fail), and growth: when the bytes of
 * arrays left to the collector since the last reclamation exceed the bytes live after it (with a floor), as
 * Go's GOGC does. Arrays in scopes do not count, so a loop that releases what it allocates never forces a
 * collection.
 */
final class MemoryBudget {
    static final String BUDGET_PROPERTY = "cotangent.memory.budget";
    /** Growth below this many bytes never forces a collection: small programs should not pay for one. */
    static final long GROWTH_FLOOR = 64L << 20;

    private static final ReferenceQueue<Object> DROPPED = new ReferenceQueue<>();
    /** The references still to be enqueued or drained: a reference must be reachable to be enqueued at all. */
    private static final Set<Tracked> TRACKED = ConcurrentHashMap.newKeySet();

    /** Native bytes taken from the system and not yet given back: live arrays, idle pool buffers, pending frees. */
    private static final AtomicLong RESERVED = new AtomicLong();
    private static final AtomicLong PEAK_RESERVED = new AtomicLong();
    private static final AtomicLong OS_ALLOCATIONS = new AtomicLong();
    private static final AtomicLong OS_ALLOCATED_BYTES = new AtomicLong();
    private static final AtomicLong OS_FREED_BYTES = new AtomicLong();
    private static final AtomicLong SINCE_RECLAMATION = new AtomicLong();
    /** The live bytes after the last reclamation: the growth allowed before the next. */
    private static volatile long liveAfterReclamation;
    private static final AtomicLong RECLAMATIONS = new AtomicLong();
    private static final AtomicLong FORCED_GCS = new AtomicLong();
    private static final AtomicLong RECLAMATION_NANOS = new AtomicLong();
    private static final ReentrantLock RECLAIMING = new ReentrantLock();

    private MemoryBudget() {}

    /** The budget, or the reason the property is unusable; read once. */
    private static final class Budget {
        static final long BYTES;
        static final String SOURCE;
        static final String ERROR;

        static {
            String configured = System.getProperty(BUDGET_PROPERTY, "").strip();
            long bytes = -1;
            String source;
            String error = null;
            if (!configured.isEmpty()) {
                bytes = parseSize(configured);
                source = "system property " + BUDGET_PROPERTY;
                if (bytes < 1) {
                    error = "system property " + BUDGET_PROPERTY + "=" + configured + " is not a size; expected a"
                            + " positive number of bytes with an optional k, m, g or t suffix, e.g. "
                            + BUDGET_PROPERTY + "=512m or " + BUDGET_PROPERTY + "=2g";
                }
            } else {
                long direct = maxDirectMemorySize();
                if (direct > 0) {
                    bytes = direct;
                    source = "-XX:MaxDirectMemorySize";
                } else {
                    bytes = Math.max(GROWTH_FLOOR, physicalMemory() / 2);
                    source = "half of physical memory";
                }
            }
            BYTES = bytes;
            SOURCE = source;
            ERROR = error;
        }

        private static long maxDirectMemorySize() {
            try {
                HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
                return hotspot == null ? 0 : Long.parseLong(hotspot.getVMOption("MaxDirectMemorySize").getValue());
            } catch (RuntimeException e) {
                return 0; // not HotSpot, or no such option: the physical-memory default applies
            }
        }

        private static long physicalMemory() {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                long total = os.getTotalMemorySize(); // the container's limit where there is one
                if (total > 0) {
                    return total;
                }
            }
            return 8L << 30; // no measurement on this JVM: a budget a laptop can hold
        }
    }

    /**
     * {@code text} as bytes: digits with an optional k, m, g or t suffix (powers of 1024, either case), or -1
     * when it is not such a size or overflows.
     */
    static long parseSize(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        int shift = 0;
        if (!s.isEmpty()) {
            int suffix = "kmgt".indexOf(s.charAt(s.length() - 1));
            if (suffix >= 0) {
                shift = 10 * (suffix + 1);
                s = s.substring(0, s.length() - 1);
            }
        }
        if (s.isEmpty() || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        try {
            long n = Long.parseLong(s);
            return n > (Long.MAX_VALUE >> shift) ? -1 : n << shift;
        } catch (NumberFormatException e) {
            return -1; // too many digits
        }
    }

    /** The budget in bytes; throws when the property holds something that is not a size. */
    static long budget() {
        if (Budget.ERROR != null) {
            throw new IllegalStateException(Budget.ERROR);
        }
        return Budget.BYTES;
    }

    /** Where the budget comes from, for messages. */
    static String budgetSource() {
        return Budget.SOURCE;
    }

    /** Counts {@code bytes} as taken from the system if that keeps within the budget. */
    static boolean tryReserve(long bytes) {
        long limit = budget();
        long now;
        do {
            now = RESERVED.get();
            if (bytes > limit - now) {
                return false;
            }
        } while (!RESERVED.compareAndSet(now, now + bytes));
        PEAK_RESERVED.accumulateAndGet(now + bytes, Math::max);
        OS_ALLOCATIONS.incrementAndGet();
        OS_ALLOCATED_BYTES.addAndGet(bytes);
        return true;
    }

    /** Undoes {@link #tryReserve} for an allocation the system refused. */
    static void cancel(long bytes) {
        RESERVED.addAndGet(-bytes);
        OS_ALLOCATIONS.decrementAndGet();
        OS_ALLOCATED_BYTES.addAndGet(-bytes);
    }

    /** Counts {@code bytes} as given back to the system. */
    static void freed(long bytes) {
        RESERVED.addAndGet(-bytes);
        OS_FREED_BYTES.addAndGet(bytes);
    }

    /**
     * The buffer of a storage owned by nobody, returned to the pool once the storage is unreachable unless
     * {@link #untrack} came first.
     */
    static final class Tracked extends PhantomReference<Object> {
        private final BufferPool.@Nullable Buffer buffer;
        /** The reclamation count when tracking began: growth counted since then is uncounted on release. */
        private final long epoch = RECLAMATIONS.get();
        /** Set by whichever thread took it off the queue. */
        private volatile boolean dequeued;

        private Tracked(Object owner, BufferPool.@Nullable Buffer buffer) {
            super(owner, DROPPED);
            this.buffer = buffer;
        }

        /**
         * An explicit release came first: the collector must not return the buffer a second time, and the array
         * no longer counts as growth, since a collection could not free it. Without this, a loop that closes
         * what it allocates outside a scope forced a collection every 64 MiB (100 us per 1 MiB array).
         */
        void untrack() {
            clear();
            if (TRACKED.remove(this) && buffer != null && epoch == RECLAMATIONS.get()) {
                SINCE_RECLAMATION.addAndGet(-BufferPool.classBytes(buffer.sizeClass()));
            }
        }
    }

    /** Tracks {@code buffer} until {@code owner} is unreachable. */
    static Tracked track(Object owner, BufferPool.Buffer buffer) {
        Tracked t = new Tracked(owner, buffer);
        TRACKED.add(t);
        afterTrackedAllocation(BufferPool.classBytes(buffer.sizeClass()));
        return t;
    }

    /** Returns to the pool the buffers of storages the collector found unreachable; how many it found. */
    static int drainDropped() {
        int n = 0;
        for (Reference<?> r; (r = DROPPED.poll()) != null; n++) {
            returnDropped(r);
        }
        return n;
    }

    private static void returnDropped(Reference<?> r) {
        Tracked t = (Tracked) r;
        t.dequeued = true;
        if (TRACKED.remove(t) && t.buffer != null) {
            BufferPool.releaseDropped(t.buffer);
        }
    }

    static long reserved() {
        return RESERVED.get();
    }

    /**
     * After an array was handed to the collector's care (allocated outside any scope, or kept out of the
     * outermost one): forces a reclamation when such bytes since the last one exceed the bytes live after it (or
     * the floor). Arrays in scopes are not counted: they are released when their scope closes, and a collection
     * could not free them. One thread reclaims; the others carry on.
     */
    private static void afterTrackedAllocation(long bytes) {
        long since = SINCE_RECLAMATION.addAndGet(bytes);
        long threshold = Math.max(liveAfterReclamation, Math.min(GROWTH_FLOOR, Math.max(budget() / 4, 1 << 20)));
        if (since > threshold && RECLAIMING.tryLock()) {
            try {
                if (SINCE_RECLAMATION.get() > threshold) {
                    reclaim();
                }
            } finally {
                RECLAIMING.unlock();
            }
        }
    }

    /**
     * For an allocation over the budget, attempt {@code attempt} (from 0): the first collects garbage and returns
     * what became unreachable; later ones wait, doubling the wait, for stragglers and for other threads.
     */
    static void reclaimForBudget(int attempt) {
        RECLAIMING.lock();
        try {
            if (attempt == 0) {
                reclaim();
            } else {
                // As java.nio.Bits does: later attempts give slow reference processing time, doubling the wait.
                long start = System.nanoTime();
                sleepMillis(1L << Math.min(attempt - 1, 8));
                drainDropped();
                BufferPool.reapFinishedThreads();
                RECLAMATION_NANOS.addAndGet(System.nanoTime() - start);
            }
        } finally {
            RECLAIMING.unlock();
        }
    }

    /** One reclamation: forced GC, drain what it found, reap finished threads' caches, reset the growth count. */
    private static void reclaim() {
        long start = System.nanoTime();
        RECLAMATIONS.incrementAndGet();
        forceGcAndDrain();
        BufferPool.reapFinishedThreads();
        BufferPool.freePendingCloses();
        liveAfterReclamation = Math.max(0, RESERVED.get() - BufferPool.pooledBytes());
        SINCE_RECLAMATION.set(0);
        RECLAMATION_NANOS.addAndGet(System.nanoTime() - start);
    }

    private static void forceGcAndDrain() {
        // A sentinel dropped before the collection is found unreachable by it. The Reference Handler moves that
        // collection's references to the queue in one sweep, so once the sentinel is out and the queue is
        // empty, what the collection found has been returned (a straggler is drained at a later pool miss).
        Tracked sentinel = new Tracked(new Object(), null);
        TRACKED.add(sentinel);
        FORCED_GCS.incrementAndGet();
        System.gc();
        // NOTE: polled, not parked: a virtual thread that parks here may wait behind thousands of others while
        // the growth it was to stop goes on. The Reference Handler runs at high priority, so this is short.
        long deadline = System.nanoTime() + 100_000_000L;
        drainDropped();
        while (!sentinel.dequeued && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            drainDropped();
        }
        drainDropped();
        sentinel.untrack();
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** An allocation that no reclamation could fit under the budget; callers prefix their op. */
    static final class Exceeded extends OutOfMemoryError {
        private static final long serialVersionUID = 1L;

        Exceeded(String message) {
            super(message);
        }
    }

    /** The error for an allocation that no reclamation could fit under the budget. */
    static Exceeded overBudget(long bytes) {
        long pooled = BufferPool.pooledBytes();
        long reserved = RESERVED.get();
        return new Exceeded(String.format(Locale.ROOT,
                "cannot allocate %,d bytes of native memory: the budget is %,d bytes (%s) and %,d bytes"
                        + " are live (%,d more idle in pools of running threads) after a garbage collection;"
                        + " release arrays (close(), Scope) or raise the budget with -D%s=<size>, e.g. -D%s=%dg",
                bytes, budget(), budgetSource(), Math.max(0, reserved - pooled), pooled, BUDGET_PROPERTY,
                BUDGET_PROPERTY, Math.max(1, 2 * ((budget() + bytes) >> 30) + 1)));
    }

    static long peakReserved() {
        return PEAK_RESERVED.get();
    }

    static long osAllocations() {
        return OS_ALLOCATIONS.get();
    }

    static long osAllocatedBytes() {
        return OS_ALLOCATED_BYTES.get();
    }

    static long osFreedBytes() {
        return OS_FREED_BYTES.get();
    }

    static long reclamations() {
        return RECLAMATIONS.get();
    }

    static long forcedGcs() {
        return FORCED_GCS.get();
    }

    static long reclamationNanos() {
        return RECLAMATION_NANOS.get();
    }
}
