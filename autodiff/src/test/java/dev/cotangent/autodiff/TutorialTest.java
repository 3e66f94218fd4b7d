package dev.cotangent.autodiff;

import static dev.cotangent.autodiff.ElementwiseOps.cos;
import static dev.cotangent.autodiff.ElementwiseOps.log;
import static dev.cotangent.autodiff.ElementwiseOps.sin;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cotangent.core.DType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The numbers and print order of the custom-differentiation tutorial, reproduced exactly in float32. */
class TutorialTest {

    @Test
    void customDerivativeOfACFunctionIsUsedWheneverItIsDifferentiated() {
        List<String> printed = new ArrayList<>();
        DifferentiableFunction<Tensor> cExp = CExp.withLog(printed::add);

        assertEquals(Math.exp(1.5), cExp.apply(Tensor.scalar(DType.F64, 1.5)).doubleValue());
        assertEquals(List.of("exp(1.5)"), printed);
        printed.clear();
        // Nested inside other ops, and under a gradient of a gradient-free composition.
        Tensor g = Diff.gradient(Tensor.scalar(DType.F64, 1.5), x -> sin(cExp.apply(x.times(2))));
        assertEquals(Math.cos(Math.exp(3)) * Math.exp(3) * 2, g.doubleValue(), 1e-12);
        assertEquals(List.of("exp(3.0)"), printed);
    }

    @Test
    void withoutDerivativeStopsTheGradient() {
        Gradients2<Tensor, Tensor> g = Diff.gradient(Tensor.scalar(2f), Tensor.scalar(3f),
                (x, y) -> sin(sin(sin(x))).plus(Diff.withoutDerivative(cos(cos(cos(y))))));
        assertEquals("(-0.18009877, 0.0)", g.toString());
    }

    @Test
    void derivativeSurgeryObservesAndRewritesInBackpropagationOrder() {
        List<String> printed = new ArrayList<>();
        Tensor grad = Diff.gradient(Tensor.scalar(30f), x -> {
            Tensor a = sin(x).withDerivative(d -> printed.add("∂+/∂sin = " + d));
            Tensor b = log(x.withDerivative(dx -> {
                printed.add("∂log/∂x = " + dx + ", but rewritten to 0.5");
                dx.fill(0.5);
            }));
            return a.plus(b);
        });
        assertEquals(List.of("∂log/∂x = 0.033333335, but rewritten to 0.5", "∂+/∂sin = 1.0"), printed);
        assertEquals("0.65425146", grad.toString());
    }

    /** The tutorial's five-line checkpointing API, written from the public pieces. */
    static <T> DifferentiableFunction<T> makeRecomputedInGradient(DifferentiableFunction<T> original) {
        return Diff.differentiableFunction(x -> ValueWithPullback.of(original.apply(x),
                v -> Diff.pullback(x, original).apply(v)));
    }

    static <T, U> DifferentiableFunction2<T, U> makeRecomputedInGradient2(DifferentiableFunction2<T, U> original) {
        return Diff.differentiableFunction2((x, y) -> ValueWithPullback2.of(original.apply(x, y),
                v -> Diff.pullback(x, y, original).apply(v)));
    }

    @Test
    void recomputationRunsTheBodyOnceForwardAndOnceInBackpropagation() {
        List<String> printed = new ArrayList<>();
        DifferentiableFunction<Tensor> square = makeRecomputedInGradient(x -> {
            printed.add("  Computing square...");
            return x.times(x);
        });
        printed.add("Running original computation...");
        ValueWithPullback<Tensor> vp = Diff.valueWithPullback(Tensor.scalar(10f), input -> square.apply(cos(input)));
        printed.add("Running backpropagation...");
        Tensor grad = vp.pullback().apply(Tensor.scalar(1f));
        assertEquals(List.of("Running original computation...", "  Computing square...", "Running backpropagation...",
                "  Computing square..."), printed);
        assertEquals("-0.9129453", grad.toString());
    }

    @Test
    void libraryRecomputationMatchesTheHandWrittenOne() {
        int[] calls = {0};
        DifferentiableFunction<Tensor> body = x -> {
            calls[0]++;
            return x.times(x);
        };
        DifferentiableFunction<Tensor> square = Diff.withRecomputationInPullbacks(body);
        Tensor grad = Diff.gradient(Tensor.scalar(10f), input -> square.apply(cos(input)));
        assertEquals("-0.9129453", grad.toString());
        assertEquals(2, calls[0]);
    }

    @Test
    void binaryRecomputation() {
        int[] calls = {0};
        DifferentiableFunction2<Tensor, Tensor> mul = makeRecomputedInGradient2((a, b) -> {
            calls[0]++;
            return a.times(b);
        });
        Gradients2<Tensor, Tensor> g = Diff.gradient(Tensor.scalar(3f), Tensor.scalar(5f),
                (a, b) -> mul.apply(sin(a), b));
        assertEquals((float) (Math.cos(3) * 5), g.first().floatValue(), 1e-6);
        assertEquals((float) Math.sin(3), g.second().floatValue(), 1e-6);
        assertEquals(2, calls[0]);
    }
}
