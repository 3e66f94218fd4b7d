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
 */
final class Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final BufferPool.Buffer buffer;
    final MemorySegment segment;
    private boolean released;
    private @Nullable Scope owner;
    /** Position in the owning scope's registry, for O(1) removal. */
    int slot;
    private Cleaner.@Nullable Cleanable cleanable;

    private Storage(BufferPool.Buffer buffer, long bytes) {
        this.buffer = buffer;
        this.segment = buffer.slice(bytes);
    }

    /** A new storage registered with the current thread's innermost scope, if any. */
    static Storage allocate(long bytes) {
        ThreadState state = ThreadState.get();
        Storage s = new Storage(BufferPool.acquire(bytes, state.cache), bytes);
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
        BufferPool.Buffer b = buffer;
        cleanable = CLEANER.register(this, () -> BufferPool.release(b, false));
    }

    boolean isReleased() {
        return released;
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
        if (cleanable != null) {
            // The cleaning action returns the buffer; running it here makes the GC path a no-op.
            cleanable.clean();
        } else {
            BufferPool.release(buffer, true);
        }
    }

    /** Release on behalf of a closing scope (on its thread, whose cache it passes); the scope drops its list. */
    void releaseFromScope(BufferPool.LocalCache cache) {
        owner = null;
        if (released) {
            return;
        }
        released = true;
        BufferPool.release(buffer, cache);
    }
}
