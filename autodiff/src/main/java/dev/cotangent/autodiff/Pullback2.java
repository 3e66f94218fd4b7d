package dev.cotangent.autodiff;

/** Maps a cotangent of a binary function's result to the cotangents of both arguments. */
@FunctionalInterface
public interface Pullback2<A, B> {
    Gradients2<A, B> apply(Tensor cotangent);

    /** Kotlin and Scala call syntax. */
    default Gradients2<A, B> invoke(Tensor cotangent) {
        return apply(cotangent);
    }
}
