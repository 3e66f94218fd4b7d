package dev.cotangent.examples;

import static dev.cotangent.autodiff.ElementwiseOps.cos;
import static dev.cotangent.autodiff.ElementwiseOps.log;
import static dev.cotangent.autodiff.ElementwiseOps.sin;

import dev.cotangent.autodiff.Diff;
import dev.cotangent.autodiff.DifferentiableFunction;
import dev.cotangent.autodiff.DifferentiableFunction2;
import dev.cotangent.autodiff.Tensor;
import dev.cotangent.autodiff.ValueWithPullback;
import dev.cotangent.autodiff.ValueWithPullback2;
import java.io.PrintStream;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/**
 * The Swift custom-differentiation tutorial's scalar programs, step for step: a C function with its own
 * derivative, stop-gradient, derivative surgery and checkpointing built in five lines.
 */
public final class CustomDifferentiation {
    private static final MethodHandle POWF = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("powf").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_FLOAT, ValueLayout.JAVA_FLOAT, ValueLayout.JAVA_FLOAT));

    private final PrintStream out;

    CustomDifferentiation(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        new CustomDifferentiation(new PrintStream(System.out, true, StandardCharsets.UTF_8)).run();
    }

    /** libm's powf, called through the native linker (the Kotlin and Scala versions call it too). */
    public static float powf(float base, float exponent) {
        try {
            return (float) POWF.invokeExact(base, exponent);
        } catch (Throwable e) {
            throw new IllegalStateException("powf failed", e);
        }
    }

    void run() {
        declaringCustomDerivatives();
        stoppingDerivatives();
        derivativeSurgery();
        checkpointing();
    }

    void declaringCustomDerivatives() {
        DifferentiableFunction<Tensor> plain = x -> {
            float e = (float) Math.E;
            out.println("Taking 𝑒(" + e + ") to the power of " + x.floatValue() + "!");
            return Tensor.scalar(powf(e, x.floatValue()));
        };
        // @derivative(of: sillyExp)
        DifferentiableFunction<Tensor> sillyExp = Diff.withCustomDerivative(plain, x -> {
            Tensor y = plain.apply(x);
            return ValueWithPullback.of(y, v -> v.times(y));
        });
        out.println("exp(3) = " + sillyExp.apply(Tensor.scalar(3f)));
        out.println("𝛁exp(3) = " + Diff.gradient(sillyExp).apply(Tensor.scalar(3f)));
    }

    void stoppingDerivatives() {
        Tensor x = Tensor.scalar(2f);
        Tensor y = Tensor.scalar(3f);
        var xyGradient = Diff.gradient(x, y,
                (a, b) -> sin(sin(sin(a))).plus(Diff.withoutDerivative(cos(cos(cos(b))))));
        out.println(xyGradient);
    }

    void derivativeSurgery() {
        Tensor x = Tensor.scalar(30f);
        Tensor xGradient = Diff.gradient(x, t -> {
            // Print the partial derivative with respect to the result of `sin(x)`.
            Tensor a = sin(t).withDerivative(d -> out.println("∂+/∂sin = " + d));
            // Force the partial derivative with respect to `x` to be `0.5`.
            Tensor b = log(t.withDerivative(dx -> {
                out.println("∂log/∂x = " + dx + ", but rewritten to 0.5");
                dx.fill(0.5);
            }));
            return a.plus(b);
        });
        out.println(xGradient);
    }

    /** The tutorial's checkpointing API: five lines from differentiableFunction and pullback. */
    static <T> DifferentiableFunction<T> makeRecomputedInGradient(DifferentiableFunction<T> original) {
        return Diff.differentiableFunction(x -> ValueWithPullback.of(original.apply(x),
                v -> Diff.pullback(x, original).apply(v)));
    }

    /** The same for binary functions. */
    static <T, U> DifferentiableFunction2<T, U> makeRecomputedInGradient(DifferentiableFunction2<T, U> original) {
        return Diff.differentiableFunction2((x, y) -> ValueWithPullback2.of(original.apply(x, y),
                v -> Diff.pullback(x, y, original).apply(v)));
    }

    void checkpointing() {
        Tensor input = Tensor.scalar(10f);
        out.println("Running original computation...");
        // Differentiable multiplication with checkpointing.
        DifferentiableFunction<Tensor> square = makeRecomputedInGradient(x -> {
            out.println("  Computing square...");
            return x.times(x);
        });
        // Differentiate `f(x) = (cos(x))^2`.
        var vp = Diff.valueWithPullback(input, t -> square.apply(cos(t)));
        out.println("Running backpropagation...");
        Tensor grad = vp.pullback().apply(Tensor.scalar(1f));
        out.println("Gradient = " + grad);
    }
}
