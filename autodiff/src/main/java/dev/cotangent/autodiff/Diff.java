package dev.cotangent.autodiff;

import dev.cotangent.core.Checks;
import dev.cotangent.core.NdArray;
import dev.cotangent.core.Scope;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The differential operators: gradients, pullbacks, custom derivatives, stop-gradient, derivative surgery and
 * recomputation. Arguments may be tensors or any differentiable structure (records, {@link Differentiable}
 * classes, lists); gradients come back with the structure of the argument.
 *
 * {@snippet :
 * Gradients2<Tensor, Tensor> g = Diff.gradient(x, y,
 *     (a, b) -> sin(sin(sin(a))).plus(Diff.withoutDerivative(cos(cos(cos(b))))));
 * }
 *
 * <p>There is no global tape: each call traces on its own thread, so calls on different threads are
 * independent and calls nest (a gradient of a gradient). Intermediates of a {@code gradient} call are released
 * when it returns, except when it runs inside another differentiation that still needs them.
 *
 * <p>Every gradient returned (by {@code gradient}, {@code valueWithGradient} and pullbacks, for every
 * argument and every tensor of a structure) owns its memory: a contiguous, writable buffer shared with no
 * other returned gradient, no argument, no cotangent passed in and no constant the function captured. Writing
 * into one (derivative surgery, an optimizer) changes nothing else.
 */
public final class Diff {
    private Diff() {}

    // ---------------------------------------------------------------- gradients

    /** The gradient of scalar-valued {@code f} at {@code x}. */
    public static <A> A gradient(A x, DifferentiableFunction<A> f) {
        Checks.notNull(x, "gradient", "x");
        Checks.notNull(f, "gradient", "f");
        return cast(gradients("gradient", new Object[] {x}, args -> f.apply(cast(args[0])), null)[0]);
    }

    /** The gradients of scalar-valued {@code f} with respect to both arguments. */
    public static <A, B> Gradients2<A, B> gradient(A a, B b, DifferentiableFunction2<A, B> f) {
        Checks.notNull(a, "gradient", "a");
        Checks.notNull(b, "gradient", "b");
        Checks.notNull(f, "gradient", "f");
        Object[] g = gradients("gradient", new Object[] {a, b}, args -> f.apply(cast(args[0]), cast(args[1])), null);
        return new Gradients2<>(cast(g[0]), cast(g[1]));
    }

    /** The gradients of scalar-valued {@code f} with respect to all three arguments. */
    public static <A, B, C> Gradients3<A, B, C> gradient(A a, B b, C c, DifferentiableFunction3<A, B, C> f) {
        Checks.notNull(a, "gradient", "a");
        Checks.notNull(b, "gradient", "b");
        Checks.notNull(c, "gradient", "c");
        Checks.notNull(f, "gradient", "f");
        Object[] g = gradients("gradient", new Object[] {a, b, c},
                args -> f.apply(cast(args[0]), cast(args[1]), cast(args[2])), null);
        return new Gradients3<>(cast(g[0]), cast(g[1]), cast(g[2]));
    }

    /** The gradient of {@code f} as a function ({@code gradient(of: f)}). */
    public static <A> GradientFunction<A> gradient(DifferentiableFunction<A> f) {
        Checks.notNull(f, "gradient", "f");
        return x -> gradient(x, f);
    }

    /** The value of scalar-valued {@code f} at {@code x} and its gradient there. */
    public static <A> ValueWithGradient<A> valueWithGradient(A x, DifferentiableFunction<A> f) {
        Checks.notNull(x, "valueWithGradient", "x");
        Checks.notNull(f, "valueWithGradient", "f");
        Tensor[] value = new Tensor[1];
        Object[] g = gradients("valueWithGradient", new Object[] {x}, args -> f.apply(cast(args[0])), value);
        return new ValueWithGradient<>(value[0], cast(g[0]));
    }

    /** The value of {@code f} and its gradients with respect to both arguments. */
    public static <A, B> ValueWithGradient<Gradients2<A, B>> valueWithGradient(A a, B b,
            DifferentiableFunction2<A, B> f) {
        Checks.notNull(a, "valueWithGradient", "a");
        Checks.notNull(b, "valueWithGradient", "b");
        Checks.notNull(f, "valueWithGradient", "f");
        Tensor[] value = new Tensor[1];
        Object[] g = gradients("valueWithGradient", new Object[] {a, b},
                args -> f.apply(cast(args[0]), cast(args[1])), value);
        return new ValueWithGradient<>(value[0], new Gradients2<>(cast(g[0]), cast(g[1])));
    }

    private static Object[] gradients(String op, Object[] args, Function<Object[], Tensor> f,
            Tensor @Nullable [] valueOut) {
        return inStepScope((scope, held) -> {
            Trace trace = Trace.run(op, args, f);
            trace.requireScalarResult();
            Object[] grads = trace.pullback(trace.onesSeed());
            if (valueOut != null) {
                // Outside any differentiation the value is a plain constant; inside one it stays tracked.
                valueOut[0] = Trace.insideDifferentiation() ? trace.result
                        : Tensor.of(scope.keep(trace.result.value()));
                held.add(trace.result.value());
            }
            return grads;
        });
    }

    /** A step's work: gradients computed in {@code scope}; arrays the caller also returns go to {@code held}. */
    @FunctionalInterface
    private interface Step {
        Object[] run(Scope scope, List<NdArray> held);
    }

    /**
     * Runs {@code body} in a scope that releases everything but the returned gradients, unless an enclosing
     * differentiation may still differentiate through them, in which case everything is handed outwards. Each
     * returned gradient is made to own its memory first (see the class comment).
     */
    private static Object[] inStepScope(Step body) {
        boolean nested = Trace.insideDifferentiation();
        Scope scope = Scope.open();
        try {
            List<NdArray> held = new ArrayList<>();
            Object[] grads = OwnedGradients.of(body.run(scope, held), scope, held);
            for (Object g : grads) {
                for (Tensor t : Structure.allTensors(g)) {
                    scope.keep(t.value());
                }
            }
            return grads;
        } finally {
            if (nested) {
                scope.closeKeepingAll();
            } else {
                scope.close();
            }
        }
    }

    // ---------------------------------------------------------------- pullbacks

    /** The pullback of {@code f} at {@code x}: cotangent of the result in, cotangent of {@code x} out. */
    public static <A> Pullback<A> pullback(A x, DifferentiableFunction<A> f) {
        Checks.notNull(x, "pullback", "x");
        Checks.notNull(f, "pullback", "f");
        return valueWithPullback(x, f).pullback();
    }

    /** The pullback of binary {@code f} at {@code (a, b)}. */
    public static <A, B> Pullback2<A, B> pullback(A a, B b, DifferentiableFunction2<A, B> f) {
        Checks.notNull(a, "pullback", "a");
        Checks.notNull(b, "pullback", "b");
        Checks.notNull(f, "pullback", "f");
        return valueWithPullback(a, b, f).pullback();
    }

    /**
     * The value of {@code f} at {@code x} and its pullback. The intermediates live as long as the pullback
     * (or until the enclosing {@link Scope} closes); the pullback may be called any number of times.
     */
    public static <A> ValueWithPullback<A> valueWithPullback(A x, DifferentiableFunction<A> f) {
        Checks.notNull(x, "valueWithPullback", "x");
        Checks.notNull(f, "valueWithPullback", "f");
        Trace trace = Trace.run("valueWithPullback", new Object[] {x}, args -> f.apply(cast(args[0])));
        return ValueWithPullback.of(resultValue(trace), v -> cast(sweep(trace, v)[0]));
    }

    /** The value of binary {@code f} at {@code (a, b)} and its pullback. */
    public static <A, B> ValueWithPullback2<A, B> valueWithPullback(A a, B b, DifferentiableFunction2<A, B> f) {
        Checks.notNull(a, "valueWithPullback", "a");
        Checks.notNull(b, "valueWithPullback", "b");
        Checks.notNull(f, "valueWithPullback", "f");
        Trace trace = Trace.run("valueWithPullback", new Object[] {a, b},
                args -> f.apply(cast(args[0]), cast(args[1])));
        return ValueWithPullback2.of(resultValue(trace), v -> {
            Object[] g = sweep(trace, v);
            return new Gradients2<>(cast(g[0]), cast(g[1]));
        });
    }

    private static Tensor resultValue(Trace trace) {
        return Trace.insideDifferentiation() ? trace.result : Tensor.of(trace.result.value());
    }

    private static Object[] sweep(Trace trace, Tensor cotangent) {
        Checks.notNull(cotangent, trace.op + " (pullback)", "cotangent");
        return inStepScope((scope, held) -> trace.pullback(cotangent));
    }

    // ---------------------------------------------------------------- custom derivatives

    /** A differentiable function built directly from its VJP ({@code differentiableFunction(from:)}). */
    public static <A> DifferentiableFunction<A> differentiableFunction(Vjp<A> vjp) {
        Checks.notNull(vjp, "differentiableFunction", "vjp");
        return x -> CustomDerivative.apply("differentiableFunction", null, vjp, x);
    }

    /** A binary differentiable function built directly from its VJP. */
    public static <A, B> DifferentiableFunction2<A, B> differentiableFunction2(Vjp2<A, B> vjp) {
        Checks.notNull(vjp, "differentiableFunction2", "vjp");
        return (a, b) -> CustomDerivative.apply2("differentiableFunction2", vjp, a, b);
    }

    /**
     * {@code original} with its derivative given by {@code vjp}: undifferentiated calls run {@code original},
     * differentiated ones run {@code vjp} (once), wherever the function is used.
     */
    public static <A> DifferentiableFunction<A> withCustomDerivative(DifferentiableFunction<A> original, Vjp<A> vjp) {
        Checks.notNull(original, "withCustomDerivative", "original");
        Checks.notNull(vjp, "withCustomDerivative", "vjp");
        return x -> CustomDerivative.apply("withCustomDerivative", original, vjp, x);
    }

    // ---------------------------------------------------------------- stop-gradient and derivative surgery

    /** {@code x} with derivatives stopped: every tensor in it is a constant for differentiation. */
    public static <T> T withoutDerivative(T x) {
        Structure.flatten("withoutDerivative", "x", x);
        return Structure.map(x, Diff::stop);
    }

    private static Tensor stop(Tensor t) {
        if (t.node == null) {
            return t;
        }
        DiffContext ctx = DiffContext.get();
        if (ctx.depth > 0) {
            ctx.stopped.add(t.node);
        }
        return Tensor.of(t.value());
    }

    /**
     * {@code x} unchanged, except that {@code body} runs on the derivative reaching it during backpropagation,
     * in backpropagation order. The body gets a private copy: it may observe it, or rewrite it in place, and
     * what it leaves flows on.
     */
    public static Tensor withDerivative(Tensor x, DerivativeHook body) {
        Checks.notNull(x, "withDerivative", "x");
        Checks.notNull(body, "withDerivative", "body");
        if (x.node == null || !DiffContext.get().recording) {
            return x;
        }
        return Tensor.record("withDerivative", x.value(), x, (g, y, needed) -> {
            Tensor copy = Tensor.of(g.value().copy());
            body.accept(copy);
            // Unwritten: pass the original on, which keeps higher derivatives intact.
            return new Tensor[] {copy.writes > 0 ? copy : g};
        });
    }

    // ---------------------------------------------------------------- recomputation

    /**
     * {@code f} unchanged, except that when differentiated it keeps none of its intermediates: they are
     * recomputed inside the pullback (checkpointing).
     */
    public static <A> DifferentiableFunction<A> withRecomputationInPullbacks(DifferentiableFunction<A> f) {
        Checks.notNull(f, "withRecomputationInPullbacks", "f");
        return differentiableFunction(x -> ValueWithPullback.of(f.apply(x), v -> pullback(x, f).apply(v)));
    }

    /** Binary form of {@link #withRecomputationInPullbacks(DifferentiableFunction)}. */
    public static <A, B> DifferentiableFunction2<A, B> withRecomputationInPullbacks2(DifferentiableFunction2<A, B> f) {
        Checks.notNull(f, "withRecomputationInPullbacks2", "f");
        return differentiableFunction2((a, b) -> ValueWithPullback2.of(f.apply(a, b), v -> pullback(a, b, f).apply(v)));
    }

    /**
     * Whether a primitive applied now to tracked inputs is recorded: true while a derivative is traced, and
     * inside a pullback only when an enclosing derivative will differentiate it (second order). A primitive's
     * pullback that takes a non-differentiable shortcut must not take it then.
     */
    public static boolean isRecording() {
        DiffContext ctx = DiffContext.get();
        return ctx.recording && ctx.depth > 0;
    }

    @SuppressWarnings("unchecked")
    static <T> T cast(Object o) {
        return (T) o;
    }
}
