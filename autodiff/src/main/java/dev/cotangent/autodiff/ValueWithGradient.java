package dev.cotangent.autodiff;

/** A scalar function's value and its gradient. */
public record ValueWithGradient<A>(Tensor value, A gradient) {
    public Tensor component1() {
        return value;
    }

    public A component2() {
        return gradient;
    }
}
