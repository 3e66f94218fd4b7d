package dev.cotangent.core;

import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;

/**
 * The buffer behind one or more array views, and its lifetime.
 *
 * <p>A storage is owned either by a {@link Scope} (released when the scope closes) or by nobody, in which
 * case it is released by {@link NdArray#close()} or, failing that, returned to the pool once the collector
 * finds it unreachable (see {@link MemoryBudget}).
 *
 * <p>A release must never let a reader on another thread see the buffer reused. So a storage remembers whether
 * any thread other than the one that allocated it has touched it (or released it); such a buffer is not pooled
 * but freed: closing its arena makes a concurrent Java reader throw {@link IllegalStateException}, and a
 * concurrent native call holds the arena open until it returns (the pool closes it afterwards). The two
 * volatile flags are written before they are read on each side (access: mark, then check released; release:
 * mark released, then check shared), so at least one side sees the other.
 */
final class Storage {
    private final BufferPool.Buffer buffer;
    final MemorySegment segment;
    private final Thread allocatingThread;
    private volatile boolean released;
    private volatile boolean touchedByOtherThread;
    private @Nullable Scope owner;
    /** Position in the owning scope's registry, for O(1) removal. */
    int slot;
    private MemoryBudget.@Nullable Tracked tracked;

    private Storage(BufferPool.Buffer buffer, long bytes, Thread allocatingThread) {
        this.buffer = buffer;
        this.segment = buffer.slice(bytes);
        this.allocatingThread = allocatingThread;
    }

    /** A new storage registered with the current thread's innermost scope, if any. */
    static Storage allocate(long bytes) {
        ThreadState state = ThreadState.get();
        Storage s = new Storage(BufferPool.acquire(bytes, state.cache), bytes, Thread.currentThread());
        Scope scope = state.current;
        if (scope != null) {
            s.owner = scope;
            scope.register(s);
        } else {
            s.track();
        }
        return s;
    }

    private void track() {
        tracked = MemoryBudget.track(this, buffer);
    }

    boolean isReleased() {
        return released;
    }

    /** Whether the buffer may be read: false once released. Notes an access from another thread first. */
    boolean checkAccess() {
        if (!touchedByOtherThread) {
            Thread t = Thread.currentThread();
            // A kernel worker runs part of an op whose caller waits for it, so it holds nothing past the op.
            if (t != allocatingThread && !Parallel.isWorker(t)) {
                touchedByOtherThread = true;
            }
        }
        return !released;
    }

    @Nullable Scope owner() {
        return owner;
    }

    /** Moves ownership to {@code scope} (or to nobody when null). */
    void transferTo(@Nullable Scope scope) {
        if (released) {
            return;
        }
        if (owner != null) {
            owner.unregister(this);
        }
        owner = scope;
        if (scope != null) {
            scope.register(this);
        } else if (tracked == null) {
            track();
        }
    }

    /** Frees the buffer for reuse; every view of it throws from now on. Idempotent. */
    void release() {
        if (released) {
            return;
        }
        released = true;
        if (tracked != null) {
            tracked.untrack(); // the collector must not return the buffer a second time
        }
        returnBuffer(ThreadState.get().cache);
    }

    /** Release on behalf of a closing scope (on its thread, whose cache it passes); the scope drops its list. */
    void releaseFromScope(BufferPool.@Nullable LocalCache cache) {
        owner = null;
        if (released) {
            return;
        }
        released = true;
        returnBuffer(cache);
    }

    /**
     * Whether a thread other than this one may be reading the buffer now. NOTE: the kernel workers do not count:
     * they touch arrays only inside an op that its caller waits for, and an array a worker allocates is a part's
     * scratch or result that the caller releases. Counting them freed every array a split op had touched instead
     * of pooling it (24 MB from the system per step of a LeNet at 2 threads).
     */
    private boolean mayBeReadElsewhere() {
        return touchedByOtherThread
                || (Thread.currentThread() != allocatingThread && !Parallel.isWorker(allocatingThread));
    }

    private void returnBuffer(BufferPool.@Nullable LocalCache cache) {
        if (mayBeReadElsewhere()) {
            BufferPool.free(buffer); // another thread may be reading it right now
        } else {
            BufferPool.release(buffer, cache);
        }
    }
}
