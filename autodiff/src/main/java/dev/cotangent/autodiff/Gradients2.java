package dev.cotangent.autodiff;

/** The gradients with respect to two arguments; prints as {@code (-0.18009877, 0.0)}. */
public record Gradients2<A, B>(A first, B second) {
    public A component1() {
        return first;
    }

    public B component2() {
        return second;
    }

    @Override
    public String toString() {
        return "(" + first + ", " + second + ")";
    }
}
