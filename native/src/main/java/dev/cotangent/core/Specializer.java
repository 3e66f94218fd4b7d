package dev.cotangent.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Objects;

/**
 * Makes one hidden copy of a kernel template class per operator (its class data), so that the JIT compiles
 * each operator's loops on their own.
 *
 * <p>Why: a loop shared by all operators (a switch, a lambda or an operator argument inside the loop) is
 * compiled once with every operator's profile mixed in; C2 then keeps vectors boxed across the branches and
 * the loop runs 3 to 10 times slower than a loop written for one operator (measured: 26 against 80 GB/s for
 * a 1M-float add). A hidden class has its own methods, profiles and compiled code, and reads its class data
 * into {@code static final} fields, which the JIT treats as constants: the template's comparisons against
 * the operator fold away, leaving exactly the loop one would write by hand.
 */
final class Specializer {
    private Specializer() {}

    /** A new instance of a hidden copy of {@code template} whose class data is {@code operator}. */
    static <K> K instantiate(Class<?> template, Class<K> kernelType, Object operator) {
        try {
            MethodHandles.Lookup copy = MethodHandles.lookup()
                    .defineHiddenClassWithClassData(bytes(template), operator, true);
            Object kernel = copy.findConstructor(copy.lookupClass(), MethodType.methodType(void.class)).invoke();
            return kernelType.cast(kernel);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("Specializer: cannot define a copy of " + template.getName() + " for "
                    + operator, e);
        }
    }

    /** Called from a template's static initializer: the operator this copy was made for. */
    static <E> E operator(MethodHandles.Lookup lookup, Class<E> type) {
        try {
            // NOTE: null when the template class itself is initialized; only its hidden copies may run.
            return Objects.requireNonNull(MethodHandles.classData(lookup, "_", type),
                    "kernel templates run only as hidden copies made by Specializer");
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(Class<?> template) {
        String name = template.getSimpleName() + ".class";
        try (InputStream in = template.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("Specializer: class file " + name + " not found");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
