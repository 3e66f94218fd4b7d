package dev.cotangent.autodiff;

/** A vector-Jacobian product function: the value of a function at x together with its pullback. */
@FunctionalInterface
public interface Vjp<A> {
    ValueWithPullback<A> apply(A x);
}
