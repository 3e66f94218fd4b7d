package dev.cotangent.core;

import java.util.ArrayList;
import org.jspecify.annotations.Nullable;

/**
 * A lifetime for arrays: every array allocated on this thread while the scope is innermost is released when
 * it closes, except those passed to {@link #keep}.
 *
 * {@snippet :
 * try (Scope step = Scope.open()) {
 *     NdArray y = Elementwise.exp(x);       // released when the scope closes
 *     result = step.keep(Reductions.sum(y)); // survives, owned by the enclosing scope
 * }
 * }
 *
 * <p>Scopes nest and are confined to the thread that opened them: {@link #close()} and {@link #keep} from
 * another thread throw. Their arrays may be read from other threads; closing the scope meanwhile makes such a
 * reader throw {@link IllegalStateException}, never read memory that another array reuses.
 */
public final class Scope implements AutoCloseable {

    private final @Nullable Scope parent;
    private final ThreadState state;
    private final Thread thread;
    // Insertion-ordered registry; keep() nulls an entry in O(1) through the slot each storage remembers.
    private final ArrayList<Storage> storages;
    private boolean closed;

    private Scope(ThreadState state) {
        this.state = state;
        this.parent = state.current;
        this.thread = Thread.currentThread();
        // The registry list of this thread's last closed scope is reused, so short scopes allocate no list.
        ArrayList<Storage> spare = state.spareList;
        if (spare != null) {
            state.spareList = null;
            storages = spare;
        } else {
            storages = new ArrayList<>();
        }
    }

    /** Opens a scope nested in the current one and makes it current. */
    public static Scope open() {
        ThreadState state = ThreadState.get();
        Scope s = new Scope(state);
        state.current = s;
        return s;
    }

    /** The innermost open scope of this thread, or null. */
    static @Nullable Scope current() {
        return ThreadState.get().current;
    }

    /** Whether this thread has an open scope. */
    public static boolean isActive() {
        return ThreadState.get().current != null;
    }

    void register(Storage s) {
        if (closed) {
            throw new IllegalStateException("Scope: allocation into a closed scope");
        }
        s.slot = storages.size();
        storages.add(s);
    }

    void unregister(Storage s) {
        if (s.slot < storages.size() && storages.get(s.slot) == s) {
            storages.set(s.slot, null);
        }
    }

    /**
     * Moves {@code array} (and every view of its buffer) to the enclosing scope, or to nobody, and returns it.
     *
     * @throws IllegalStateException if this scope is closed, or belongs to another thread
     */
    public NdArray keep(NdArray array) {
        checkOpen();
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("Scope.keep: called on thread " + describe(Thread.currentThread())
                    + " but the scope belongs to thread " + describe(thread) + ", which opened it; scopes are"
                    + " confined to their thread: keep the array on " + describe(thread) + ", or copy it");
        }
        Storage s = array.storage();
        if (s.owner() == this) {
            s.transferTo(parent);
        }
        return array;
    }

    /** Number of live arrays this scope will release (for tests and diagnostics). */
    public int liveCount() {
        if (closed) {
            return 0; // its list may already serve another scope
        }
        int n = 0;
        for (Storage s : storages) {
            if (s != null && !s.isReleased()) {
                n++;
            }
        }
        return n;
    }

    /** A thread's name, and its id since names may repeat or be empty (virtual threads have none by default). */
    private static String describe(Thread t) {
        return "'" + t.getName() + "' (id " + t.threadId() + (t.isVirtual() ? ", virtual" : "") + ")";
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("Scope: already closed");
        }
    }

    /**
     * Closes this scope without releasing anything: its arrays move to the enclosing scope (or to nobody).
     * Used where intermediates must outlive an inner computation, such as a nested derivative.
     */
    public void closeKeepingAll() {
        if (closed) {
            return;
        }
        checkClosable();
        closed = true;
        state.current = parent;
        for (Storage s : storages) {
            if (s != null) {
                s.transferTo(parent);
            }
        }
        recycle();
    }

    private void recycle() {
        storages.clear();
        if (state.spareList == null) {
            state.spareList = storages;
        }
    }

    private void checkClosable() {
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("Scope: closed on thread " + describe(Thread.currentThread())
                    + " but opened on " + describe(thread) + "; scopes are confined to their thread");
        }
        if (state.current != this) {
            throw new IllegalStateException("Scope: closed out of order; close inner scopes first");
        }
    }

    /** Releases every array still owned by this scope and makes the enclosing scope current again. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        checkClosable();
        closed = true;
        state.current = parent;
        for (int i = storages.size() - 1; i >= 0; i--) {
            Storage s = storages.get(i);
            if (s != null) {
                s.releaseFromScope(state.cache);
            }
        }
        recycle();
    }
}
