package dev.cotangent.core;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import org.jspecify.annotations.Nullable;

/**
 * The buffer behind one or more array views, and its lifetime.
 *
 * <p>A storage is owned either by a {@link Scope} (released when the scope closes) or by nobody, in which
 * case it is released by {@link NdArray#close()} or, failing that, returned to the pool by the cleaner once
 * unreachable.
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
    private Cleaner.@Nullable Cleanable cleanable;
    private @Nullable ReturnBuffer cleaningAction;

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
            s.registerCleaner();
        }
        return s;
    }

    private void registerCleaner() {
        cleaningAction = new ReturnBuffer(buffer);
        cleanable = MemoryBudget.CLEANER.register(this, cleaningAction);
    }

    /** The cleaning action: run by the cleaner once the storage is unreachable, or by an explicit release. */
    private static final class ReturnBuffer implements Runnable {
        private final BufferPool.Buffer buffer;
        // Set by release() just before it runs the action on its own thread; false when the cleaner runs it.
        boolean explicit;
        boolean free;

        ReturnBuffer(BufferPool.Buffer buffer) {
            this.buffer = buffer;
        }

        @Override
        public void run() {
            if (!explicit) {
                BufferPool.releaseFromCleaner(buffer); // unreachable: nobody can be reading, so it may be pooled
            } else if (free) {
                BufferPool.free(buffer);
            } else {
                BufferPool.release(buffer, ThreadState.get().cache);
            }
        }
    }

    boolean isReleased() {
        return released;
    }

    /** Whether the buffer may be read: false once released. Notes an access from another thread first. */
    boolean checkAccess() {
        if (!touchedByOtherThread && Thread.currentThread() != allocatingThread) {
            touchedByOtherThread = true;
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
        } else if (cleanable == null) {
            registerCleaner();
        }
    }

    /** Frees the buffer for reuse; every view of it throws from now on. Idempotent. */
    void release() {
        if (released) {
            return;
        }
        released = true;
        if (cleanable != null && cleaningAction != null) {
            cleaningAction.explicit = true;
            cleaningAction.free = mayBeReadElsewhere();
            cleanable.clean(); // runs the cleaning action now, so the GC has nothing to do
        } else {
            returnBuffer(ThreadState.get().cache);
        }
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

    private boolean mayBeReadElsewhere() {
        return touchedByOtherThread || Thread.currentThread() != allocatingThread;
    }

    private void returnBuffer(BufferPool.@Nullable LocalCache cache) {
        if (mayBeReadElsewhere()) {
            BufferPool.free(buffer); // another thread may be reading it right now
        } else {
            BufferPool.release(buffer, cache);
        }
    }
}
