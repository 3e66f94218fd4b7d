package dev.cotangent.autodiff;

/** A binary function's value and its pullback. */
public record ValueWithPullback2<A, B>(Tensor value, Pullback2<A, B> pullback) {
    public static <A, B> ValueWithPullback2<A, B> of(Tensor value, Pullback2<A, B> pullback) {
        return new ValueWithPullback2<>(value, pullback);
    }

    public Tensor component1() {
        return value;
    }

    public Pullback2<A, B> component2() {
        return pullback;
    }
}
