package dev.cotangent.core;

import java.util.ArrayList;
import org.jspecify.annotations.Nullable;

/**
 * Everything the memory code keeps per thread, behind one thread-local lookup: the innermost open scope, a
 * spare registry list for the next scope, and the buffer pool's cache (none on a virtual thread). An
 * allocate/release pair in a scope is a handful of field accesses instead of a dozen thread-local lookups.
 */
final class ThreadState {
    private static final ThreadLocal<ThreadState> STATE = ThreadLocal.withInitial(ThreadState::new);

    @Nullable Scope current;
    @Nullable ArrayList<Storage> spareList;
    final BufferPool.@Nullable LocalCache cache = BufferPool.newCacheForCurrentThread();

    static ThreadState get() {
        return STATE.get();
    }
}
