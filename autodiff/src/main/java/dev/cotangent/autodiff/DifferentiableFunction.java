package dev.cotangent.autodiff;

/** A function of one differentiable argument (a tensor, a record of tensors, a model) to a tensor. */
@FunctionalInterface
public interface DifferentiableFunction<A> {
    Tensor apply(A x);

    /** Kotlin and Scala call syntax: {@code f(x)}. */
    default Tensor invoke(A x) {
        return apply(x);
    }
}
