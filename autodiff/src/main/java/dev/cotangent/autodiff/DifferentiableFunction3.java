package dev.cotangent.autodiff;

/** A function of three differentiable arguments to a tensor. */
@FunctionalInterface
public interface DifferentiableFunction3<A, B, C> {
    Tensor apply(A a, B b, C c);

    /** Kotlin and Scala call syntax: {@code f(a, b, c)}. */
    default Tensor invoke(A a, B b, C c) {
        return apply(a, b, c);
    }
}
