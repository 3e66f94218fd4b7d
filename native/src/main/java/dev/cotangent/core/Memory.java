package dev.cotangent.core;

/**
 * The native memory behind arrays: how much is held, the budget it stays under, and what keeping it there
 * has cost.
 *
 * {@snippet :
 * Memory.Stats s = Memory.stats();
 * System.out.printf("%d MiB live, %d MiB pooled, %d forced GCs%n", s.liveBytes() >> 20, s.pooledBytes() >> 20,
 *         s.forcedGcs());
 * }
 *
 * <p>The budget is system property {@value #BUDGET_PROPERTY} (bytes, or a size such as {@code 512m} or
 * {@code 2g}), else {@code -XX:MaxDirectMemorySize} when that is set, else half of physical memory (the
 * container's, where there is one). An allocation that would pass it first forces a garbage collection and
 * waits for dropped arrays to come back, then trims the pool, and only then throws {@link OutOfMemoryError}
 * naming the budget, the live bytes and the property.
 */
public final class Memory {
    /** The system property that sets the native-memory budget. */
    public static final String BUDGET_PROPERTY = MemoryBudget.BUDGET_PROPERTY;

    private Memory() {}

    /**
     * A snapshot of the counters. Counts kept per thread are read without stopping their threads, so while
     * other threads allocate, the figures are approximate.
     *
     * @param budgetBytes         the most native bytes arrays may hold at once
     * @param liveBytes           bytes in buffers handed out: live arrays (and unreachable ones not yet
     *                            collected), and kernels' scratch
     * @param peakLiveBytes       the most live bytes since start or the last {@link #resetPeakLiveBytes}: the
     *                            activation memory of a training step, measured around it
     * @param pooledBytes         bytes held idle for reuse, in the shared pool and per-thread caches
     * @param peakBytes           the most native bytes held at once (live plus pooled), so at least the peak of
     *                            live bytes; never above the budget
     * @param allocations         buffers handed out, from the pool or the system
     * @param systemAllocations   buffers newly taken from the system (a pool miss)
     * @param systemAllocatedBytes bytes newly taken from the system, in total
     * @param systemFreedBytes    bytes given back to the system, in total
     * @param reclamations        reclamations run: by growth, or for an allocation that would pass the budget
     * @param forcedGcs           garbage collections those reclamations forced
     * @param reclamationMillis   time spent reclaiming (collections and waiting for the cleaner), in total
     */
    public record Stats(long budgetBytes, long liveBytes, long peakLiveBytes, long pooledBytes, long peakBytes, long allocations,
            long systemAllocations, long systemAllocatedBytes, long systemFreedBytes, long reclamations,
            long forcedGcs, double reclamationMillis) {

        /** Native bytes held: live plus pooled. */
        public long heldBytes() {
            return liveBytes + pooledBytes;
        }
    }

    /**
     * The counters now.
     *
     * @throws IllegalStateException if {@value #BUDGET_PROPERTY} is set to something that is not a size
     */
    public static Stats stats() {
        long budget = MemoryBudget.budget();
        long pooled = BufferPool.pooledBytes();
        return new Stats(budget, BufferPool.liveBytes(), BufferPool.peakLiveBytes(), pooled, MemoryBudget.peakReserved(),
                BufferPool.allocations(), MemoryBudget.osAllocations(), MemoryBudget.osAllocatedBytes(),
                MemoryBudget.osFreedBytes(), MemoryBudget.reclamations(), MemoryBudget.forcedGcs(),
                MemoryBudget.reclamationNanos() / 1e6);
    }

    /** Starts a new {@link Stats#peakLiveBytes} from the bytes live now (for measuring one step's peak). */
    public static void resetPeakLiveBytes() {
        BufferPool.resetPeakLiveBytes();
    }

    /**
     * The native-memory budget in bytes.
     *
     * @throws IllegalStateException if {@value #BUDGET_PROPERTY} is set to something that is not a size
     */
    public static long budget() {
        return MemoryBudget.budget();
    }
}
