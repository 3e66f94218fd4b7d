package dev.cotangent.autodiff;

/** Maps a cotangent of a function's result (same shape and dtype) to the cotangent of its argument. */
@FunctionalInterface
public interface Pullback<A> {
    A apply(Tensor cotangent);

    /** Kotlin and Scala call syntax. */
    default A invoke(Tensor cotangent) {
        return apply(cotangent);
    }
}
