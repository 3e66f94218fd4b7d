package dev.cotangent.autodiff;

/** The gradients with respect to three arguments. */
public record Gradients3<A, B, C>(A first, B second, C third) {
    public A component1() {
        return first;
    }

    public B component2() {
        return second;
    }

    public C component3() {
        return third;
    }

    @Override
    public String toString() {
        return "(" + first + ", " + second + ", " + third + ")";
    }
}
