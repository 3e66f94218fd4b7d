package dev.cotangent.core;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.lang.ref.Cleaner;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The native bytes the library holds, the budget they stay under, and the garbage collections it forces to get
 * unreachable arrays back.
 *
 * <p>Arrays dropped outside any scope are returned by a {@link Cleaner}, which only runs after a garbage
 * collection; the Java heap they occupy is tiny, so without help the heap never fills, the collector never runs
 * and native memory grows without bound. Two triggers force a collection: an allocation that would pass the
 * budget (then the pool is trimmed, and only then does the allocation fail), and growth: when the bytes taken
 * from the system since the last reclamation exceed the bytes live after it (with a floor), as Go's GOGC does.
 * Only allocations the pool cannot serve count, so a loop that reuses its buffers never forces a collection.
 */
final class MemoryBudget {
    static final String BUDGET_PROPERTY = "cotangent.memory.budget";
    /** Growth below this many bytes never forces a collection: small programs should not pay for one. */
    static final long GROWTH_FLOOR = 64L << 20;

    /** Returns dropped arrays' buffers to the pool; shared with {@link Storage}, so a sentinel can follow it. */
    static final Cleaner CLEANER = Cleaner.create();

    /** Native bytes taken from the system and not yet given back: live arrays, idle pool buffers, pending frees. */
    private static final AtomicLong RESERVED = new AtomicLong();
    private static final AtomicLong PEAK_RESERVED = new AtomicLong();
    private static final AtomicLong OS_ALLOCATIONS = new AtomicLong();
    private static final AtomicLong OS_ALLOCATED_BYTES = new AtomicLong();
    private static final AtomicLong OS_FREED_BYTES = new AtomicLong();
    /** Buffers the cleaner has returned: the progress that a reclamation waits on. */
    private static final AtomicLong CLEANER_RETURNS = new AtomicLong();
    private static final AtomicLong SINCE_RECLAMATION = new AtomicLong();
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
        SINCE_RECLAMATION.addAndGet(bytes);
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

    static void cleanerReturned() {
        CLEANER_RETURNS.incrementAndGet();
    }

    static long reserved() {
        return RESERVED.get();
    }

    /**
     * After an allocation from the system: forces a reclamation when the bytes taken since the last one exceed
     * the bytes live after it (or the floor). One thread reclaims; the others carry on.
     */
    static void afterGrowth() {
        long threshold = Math.max(liveAfterReclamation, Math.min(GROWTH_FLOOR, Math.max(budget() / 4, 1 << 20)));
        if (SINCE_RECLAMATION.get() > threshold && RECLAIMING.tryLock()) {
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
     * Collects garbage and waits for the cleaner to return what became unreachable (or for the backoff to run
     * out), then frees what the pool cannot keep. The caller of a failed reservation holds no lock here.
     */
    static void reclaimForBudget(int attempt) {
        RECLAIMING.lock();
        try {
            if (attempt == 0) {
                reclaim();
            } else {
                // As java.nio.Bits does: later attempts give a slow cleaner time, doubling the wait each round.
                long start = System.nanoTime();
                sleepMillis(1L << Math.min(attempt - 1, 8));
                BufferPool.reapFinishedThreads();
                RECLAMATION_NANOS.addAndGet(System.nanoTime() - start);
            }
        } finally {
            RECLAIMING.unlock();
        }
    }

    /** One reclamation: forced GC, wait for the cleaner, reap finished threads' caches, reset the growth count. */
    private static void reclaim() {
        long start = System.nanoTime();
        RECLAMATIONS.incrementAndGet();
        forceGcAndAwaitCleaner();
        BufferPool.reapFinishedThreads();
        BufferPool.freePendingCloses();
        liveAfterReclamation = Math.max(0, RESERVED.get() - BufferPool.pooledBytes());
        SINCE_RECLAMATION.set(0);
        RECLAMATION_NANOS.addAndGet(System.nanoTime() - start);
    }

    private static void forceGcAndAwaitCleaner() {
        // A sentinel dropped before the collection is found unreachable by it; once the cleaner has run its
        // action, reference processing for that collection has happened. Then wait while returns still arrive.
        CountDownLatch sentinelCleaned = new CountDownLatch(1);
        CLEANER.register(new Object(), sentinelCleaned::countDown);
        FORCED_GCS.incrementAndGet();
        System.gc();
        try {
            sentinelCleaned.await(200, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        long seen = CLEANER_RETURNS.get();
        while (System.nanoTime() < deadline) {
            LockSupport.parkNanos(200_000);
            long now = CLEANER_RETURNS.get();
            if (now == seen) {
                return;
            }
            seen = now;
        }
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The error for an allocation that no reclamation could fit under the budget. */
    static OutOfMemoryError overBudget(long bytes) {
        long pooled = BufferPool.pooledBytes();
        long reserved = RESERVED.get();
        return new OutOfMemoryError(String.format(Locale.ROOT,
                "Cotangent: cannot allocate %,d bytes of native memory: the budget is %,d bytes (%s) and %,d bytes"
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
