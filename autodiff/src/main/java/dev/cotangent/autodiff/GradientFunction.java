package dev.cotangent.autodiff;

/** The gradient of a scalar function, as a function: {@code gradient(of: f)}. */
@FunctionalInterface
public interface GradientFunction<A> {
    A apply(A x);

    /** Kotlin and Scala call syntax. */
    default A invoke(A x) {
        return apply(x);
    }
}
