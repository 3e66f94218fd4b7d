package dev.cotangent.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cotangent.core.Elementwise;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The public primitive API: recording a user's kernel, op definitions, parameter paths, recording state. */
class PrimitiveApiTest {
    /** A user's primitive: cube through a kernel, with its pullback written in ops. */
    static Tensor cube(Tensor x) {
        var y = Elementwise.mul(Elementwise.mul(x.value(), x.value()), x.value());
        return Tensor.record("cube", y, x, (g, out, needed) -> new Tensor[] {g.times(x.squared().times(3))}); // dx = 3x²g
    }

    @Test
    void aPrimitiveRecordedOutsideThePackageDifferentiatesToFirstAndSecondOrder() {
        Tensor x = Tensor.scalar(2.0);
        assertEquals(12.0, Diff.gradient(x, t -> cube(t)).doubleValue(), 1e-12);
        assertEquals(12.0, Diff.gradient(x, t -> Diff.gradient(t, u -> cube(u))).doubleValue(), 1e-12);
        assertFalse(cube(x).isTracked(), "outside differentiation a primitive's result is a constant");
    }

    @Test
    void aCustomSignatureNeedsACaseGeneratorAndOnlyIt() {
        OpDefinition.Applier applier = (in, p) -> in.get(0);
        assertThrows(IllegalArgumentException.class,
                () -> new OpDefinition("x", Signature.CUSTOM, List.of(Domain.REAL), true, applier));
        assertThrows(IllegalArgumentException.class, () -> new OpDefinition("x", Signature.UNARY, List.of(Domain.REAL),
                true, applier, r -> new CaseGenerator.Layout(List.of(), OpParams.NONE)));
    }

    record Layer(Tensor weight, @NoDerivative int size, List<Tensor> extras) {}

    @Test
    void tensorsHavePathsByComponentNameAndIndex() {
        var value = List.of(new Layer(Tensor.scalar(1.0), 3, List.of(Tensor.scalar(2.0), Tensor.scalar(3.0))));
        assertEquals(List.of("0.weight", "0.extras.0", "0.extras.1"), List.copyOf(Tangents.named(value).keySet()));
        assertEquals(List.of(""), List.copyOf(Tangents.named(Tensor.scalar(1.0)).keySet()));
    }

    @Test
    void aRecomputedRegionsInnerSweepRecordsNothingUnlessASecondDerivativeIsTaken() {
        AtomicBoolean tracked = new AtomicBoolean();
        DifferentiableFunction<Tensor> probe = Diff.differentiableFunction(x -> ValueWithPullback.of(x.times(1), v -> {
            if (v.isTracked()) {
                tracked.set(true);
            }
            return v;
        }));
        DifferentiableFunction<Tensor> region = Diff.withRecomputationInPullbacks(t -> probe.apply(t).times(t));
        Tensor x = Tensor.scalar(2.0);
        assertEquals(4.0, Diff.gradient(x, region).doubleValue(), 1e-12);
        assertFalse(tracked.get(), "the recomputation's sweep recorded a graph nobody differentiates");
        assertEquals(2.0, Diff.gradient(x, t -> Diff.gradient(t, region)).doubleValue(), 1e-12);
        assertTrue(tracked.get(), "under a second derivative some inner sweep must record");
    }

    @Test
    void isRecordingIsTrueWhileTracingOnly() {
        assertFalse(Diff.isRecording());
        AtomicBoolean during = new AtomicBoolean();
        Diff.gradient(Tensor.scalar(1.0), t -> {
            during.set(Diff.isRecording());
            return t;
        });
        assertTrue(during.get());
    }
}
