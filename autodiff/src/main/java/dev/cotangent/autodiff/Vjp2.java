package dev.cotangent.autodiff;

/** A vector-Jacobian product function of two arguments. */
@FunctionalInterface
public interface Vjp2<A, B> {
    ValueWithPullback2<A, B> apply(A a, B b);
}
