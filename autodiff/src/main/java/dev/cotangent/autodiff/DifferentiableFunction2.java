package dev.cotangent.autodiff;

/** A function of two differentiable arguments to a tensor. */
@FunctionalInterface
public interface DifferentiableFunction2<A, B> {
    Tensor apply(A a, B b);

    /** Kotlin and Scala call syntax: {@code f(a, b)}. */
    default Tensor invoke(A a, B b) {
        return apply(a, b);
    }
}
