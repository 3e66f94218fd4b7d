package dev.cotangent.autodiff;

import java.util.List;
import org.jspecify.annotations.Nullable;

/** Applies a function whose derivative is a user-given VJP, recording one node with the user's pullback. */
final class CustomDerivative {
    private CustomDerivative() {}

    static <A> Tensor apply(String op, @Nullable DifferentiableFunction<A> original, Vjp<A> vjp, A x) {
        List<Tensor> flat = Structure.flatten(op, "the argument", x);
        if (!differentiating(flat)) {
            return original != null ? original.apply(x) : checkedValue(op, vjp.apply(x)).value();
        }
        // Outside nested differentiation the VJP runs on constants, so its forward records nothing; nested,
        // it runs on tracked inputs so that its residuals carry their own derivatives (higher order).
        A input = DiffContext.get().nested() ? x : Diff.withoutDerivative(x);
        ValueWithPullback<A> vp = checkedValue(op, vjp.apply(input));
        return Tensor.record(op, vp.value().value(), flat.toArray(Tensor[]::new),
                (g, y, needed) -> cotangents(op, vp.pullback().apply(g), flat));
    }

    static <A, B> Tensor apply2(String op, Vjp2<A, B> vjp, A a, B b) {
        List<Tensor> flat = Structure.flatten(op, "the arguments", new Object[] {a, b});
        if (!differentiating(flat)) {
            return checkedValue2(op, vjp.apply(a, b)).value();
        }
        boolean nested = DiffContext.get().nested();
        ValueWithPullback2<A, B> vp = checkedValue2(op, nested
                ? vjp.apply(a, b)
                : vjp.apply(Diff.withoutDerivative(a), Diff.withoutDerivative(b)));
        return Tensor.record(op, vp.value().value(), flat.toArray(Tensor[]::new), (g, y, needed) -> {
            Gradients2<A, B> grads = vp.pullback().apply(g);
            if (grads == null || grads.first() == null || grads.second() == null) {
                throw new IllegalArgumentException(op + ": the custom pullback returned " + (grads == null ? "null"
                        : "Gradients2 with a null " + (grads.first() == null ? "first" : "second") + " cotangent")
                        + "; expected the cotangents of both arguments");
            }
            return cotangents(op, new Object[] {grads.first(), grads.second()}, flat);
        });
    }

    private static boolean differentiating(List<Tensor> flat) {
        if (!DiffContext.get().recording) {
            return false;
        }
        for (Tensor t : flat) {
            if (t.isTracked()) {
                return true;
            }
        }
        return false;
    }

    private static <A> ValueWithPullback<A> checkedValue(String op, @Nullable ValueWithPullback<A> vp) {
        if (vp == null || vp.value() == null || vp.pullback() == null) {
            throw new IllegalArgumentException(op + ": the VJP returned no value or no pullback");
        }
        return vp;
    }

    private static <A, B> ValueWithPullback2<A, B> checkedValue2(String op, @Nullable ValueWithPullback2<A, B> vp) {
        if (vp == null || vp.value() == null || vp.pullback() == null) {
            throw new IllegalArgumentException(op + ": the VJP returned no value or no pullback");
        }
        return vp;
    }

    /** The flattened cotangents from a custom pullback, checked against the inputs they belong to. */
    private static Tensor[] cotangents(String op, @Nullable Object grads, List<Tensor> inputs) {
        if (grads == null) {
            throw new IllegalArgumentException(op + ": the custom pullback returned null; expected cotangents for "
                    + inputs.size() + " input tensor(s)");
        }
        List<Tensor> flat = Structure.flatten(op, "the custom pullback's cotangent", grads);
        if (flat.size() != inputs.size()) {
            throw new IllegalArgumentException(op + ": the custom pullback returned " + flat.size()
                    + " cotangent tensor(s); expected " + inputs.size() + ", one per input tensor");
        }
        Tensor[] out = new Tensor[flat.size()];
        for (int i = 0; i < out.length; i++) {
            Tensor g = flat.get(i);
            Tensor x = inputs.get(i);
            if (!g.shape().equals(x.shape()) || g.dtype() != x.dtype()) {
                throw new IllegalArgumentException(op + ": the custom pullback's cotangent " + i + " is " + g.dtype()
                        + g.shape() + "; expected " + x.dtype() + x.shape() + " like its input");
            }
            out[i] = g;
        }
        return out;
    }
}
