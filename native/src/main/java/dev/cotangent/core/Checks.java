package dev.cotangent.core;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The exceptions Cotangent documents, and the argument checks that produce them with messages naming the op.
 *
 * <p>Every failure of a public method is one of {@link #DOCUMENTED_EXCEPTIONS}, and its message names the op,
 * the shapes and dtypes involved and what was expected:
 * <ul>
 *   <li>{@link IllegalArgumentException}: a bad argument (shape, dtype, axis, size, parameter);</li>
 *   <li>{@link IllegalStateException}: a bad state (a released array, a read-only view written to, a
 *       tracked tensor written in place, an allocation the system refused, a misconfigured backend);</li>
 *   <li>{@link UnsupportedOperationException}: a valid request the library does not implement (second
 *       derivatives through max pooling);</li>
 *   <li>{@link NullPointerException}: a required argument was null (the message names the op and the
 *       parameter).</li>
 * </ul>
 * No input crashes the JVM, and none ends in an {@link ArithmeticException} or an index exception.
 */
public final class Checks {
    /** The exception types any public method may throw; each message names the op. */
    public static final List<Class<? extends RuntimeException>> DOCUMENTED_EXCEPTIONS = List.of(
            IllegalArgumentException.class, IllegalStateException.class, UnsupportedOperationException.class,
            NullPointerException.class);

    private Checks() {}

    /** Whether {@code t} is one of the {@link #DOCUMENTED_EXCEPTIONS} (subclasses included). */
    public static boolean isDocumented(Throwable t) {
        for (Class<? extends RuntimeException> c : DOCUMENTED_EXCEPTIONS) {
            if (c.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Returns {@code value}, or throws a {@link NullPointerException} saying that parameter {@code param} of
     * {@code op} is null.
     */
    public static <T> T notNull(@Nullable T value, String op, String param) {
        if (value == null) {
            throw new NullPointerException(op + ": " + param + " is null; expected a value");
        }
        return value;
    }

    /** {@link #notNull} for an array argument and each of its elements. */
    public static <T> T[] notNullElements(T @Nullable [] values, String op, String param) {
        notNull(values, op, param);
        for (int i = 0; i < values.length; i++) {
            if (values[i] == null) {
                throw new NullPointerException(op + ": " + param + "[" + i + "] is null; expected a value");
            }
        }
        return values;
    }
}
