package dev.cotangent.autodiff;

/** A function's value and its pullback: the unit of work of reverse-mode differentiation. */
public record ValueWithPullback<A>(Tensor value, Pullback<A> pullback) {
    public static <A> ValueWithPullback<A> of(Tensor value, Pullback<A> pullback) {
        return new ValueWithPullback<>(value, pullback);
    }

    public Tensor component1() {
        return value;
    }

    public Pullback<A> component2() {
        return pullback;
    }
}
