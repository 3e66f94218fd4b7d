package dev.cotangent.core;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Scratch buffers for a kernel, one set per thread that runs it: a thread-local on a platform thread, a bounded
 * shared stack on a virtual thread.
 *
 * <p>Why not a thread-local everywhere: a virtual thread usually lives for one task, so its thread-local set is
 * garbage once the task ends. Ten thousand virtual threads each computing one product would each allocate a
 * fresh set (up to a few MiB for the GEMM) and grow the heap, and with it the RSS, far past what the same work
 * needs on one thread. A kernel never parks while it holds a set, so a virtual thread's set is in use only while
 * its carrier runs it; the stack keeps as many sets as were ever in use at once, up to {@link #MAX_SHARED}.
 */
final class WorkBuffers<T> {
    /** Sets kept for virtual threads; more than the carriers can use at once is garbage anyway. */
    static final int MAX_SHARED = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

    private final Supplier<T> factory;
    private final ThreadLocal<T> platform;
    private final ConcurrentLinkedDeque<T> shared = new ConcurrentLinkedDeque<>();
    private final AtomicInteger sharedCount = new AtomicInteger();

    WorkBuffers(Supplier<T> factory) {
        this.factory = factory;
        this.platform = ThreadLocal.withInitial(factory);
    }

    /** The calling thread's set; pair with {@link #release}, in a finally block. */
    T acquire() {
        if (!Thread.currentThread().isVirtual()) {
            return platform.get();
        }
        T set = shared.pollFirst();
        if (set == null) {
            return factory.get();
        }
        sharedCount.decrementAndGet();
        return set;
    }

    /**
     * Gives a set back after {@link #acquire}. On a platform thread it stays the thread's; a set that was grown
     * while in use is the one given back, so growth is kept.
     */
    void release(T set) {
        if (!Thread.currentThread().isVirtual()) {
            return;
        }
        if (sharedCount.incrementAndGet() <= MAX_SHARED) {
            shared.offerFirst(set);
        } else {
            sharedCount.decrementAndGet();
        }
    }

    /** Sets held for virtual threads now (for tests). */
    int sharedSets() {
        return sharedCount.get();
    }
}
