package dev.cotangent.nn;

import java.util.function.Supplier;

/**
 * Whether layers run as in training (dropout active, batch statistics) or inference (dropout off, running
 * statistics). Per thread; TRAINING unless set.
 */
public enum LearningPhase {
    TRAINING,
    INFERENCE;

    private static final ThreadLocal<LearningPhase> CURRENT = ThreadLocal.withInitial(() -> TRAINING);

    /** This thread's phase. */
    public static LearningPhase current() {
        return CURRENT.get();
    }

    /** Sets this thread's phase. */
    public static void set(LearningPhase phase) {
        CURRENT.set(phase);
    }

    /** Runs {@code body} in {@code phase}, then restores the previous phase. */
    public static <T> T during(LearningPhase phase, Supplier<T> body) {
        LearningPhase previous = CURRENT.get();
        CURRENT.set(phase);
        try {
            return body.get();
        } finally {
            CURRENT.set(previous);
        }
    }
}
