package dev.cotangent.autodiff;

import static dev.cotangent.autodiff.ElementwiseOps.cos;
import static dev.cotangent.autodiff.ElementwiseOps.exp;
import static dev.cotangent.autodiff.ElementwiseOps.log;
import static dev.cotangent.autodiff.ElementwiseOps.sin;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cotangent.core.DType;
import dev.cotangent.core.Scope;
import dev.cotangent.core.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class DiffTest {

    private static Tensor d(double v) {
        return Tensor.scalar(DType.F64, v);
    }

    @Test
    void gradientOfOneTwoAndThreeArguments() {
        assertEquals(Math.cos(0.5), Diff.gradient(d(0.5), x -> sin(x)).doubleValue(), 1e-15);
        Gradients2<Tensor, Tensor> g2 = Diff.gradient(d(2), d(3), (x, y) -> x.times(y).plus(x));
        assertEquals(4, g2.first().doubleValue());
        assertEquals(2, g2.second().doubleValue());
        Gradients3<Tensor, Tensor, Tensor> g3 = Diff.gradient(d(2), d(3), d(5), (x, y, z) -> x.times(y).times(z));
        assertEquals(15, g3.first().doubleValue());
        assertEquals(10, g3.second().doubleValue());
        assertEquals(6, g3.third().doubleValue());
    }

    @Test
    void gradientOfReturnsAFunction() {
        GradientFunction<Tensor> dsin = Diff.gradient(x -> sin(x));
        assertEquals(Math.cos(1.25), dsin.apply(d(1.25)).doubleValue(), 1e-15);
    }

    @Test
    void valueWithGradientAndPullback() {
        Tensor x = Tensor.of(new double[] {1, 2, 3});
        ValueWithGradient<Tensor> vg = Diff.valueWithGradient(x, t -> t.squared().sum());
        assertEquals(14, vg.value().doubleValue());
        assertArrayEquals(new double[] {2, 4, 6}, vg.gradient().toDoubleArray());
        assertFalse(vg.value().isTracked());

        ValueWithPullback<Tensor> vp = Diff.valueWithPullback(x, t -> t.times(t));
        assertArrayEquals(new double[] {1, 4, 9}, vp.value().toDoubleArray());
        Tensor dx = vp.pullback().apply(Tensor.of(new double[] {1, 0, 2}));
        assertArrayEquals(new double[] {2, 0, 12}, dx.toDoubleArray());
        // A pullback may be called again.
        assertArrayEquals(new double[] {2, 4, 6}, vp.pullback().apply(Tensor.of(new double[] {1, 1, 1})).toDoubleArray());
    }

    @Test
    void gradientOfANonScalarIsAClearError() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Diff.gradient(Tensor.of(new double[] {1, 2}), x -> x.times(x)));
        assertTrue(e.getMessage().contains("gradient") && e.getMessage().contains("[2]")
                && e.getMessage().contains("scalar"), e.getMessage());
    }

    @Test
    void pullbackRejectsACotangentOfTheWrongShapeOrDtype() {
        var vp = Diff.valueWithPullback(Tensor.of(new double[] {1, 2}), x -> x.times(x));
        var shape = assertThrows(IllegalArgumentException.class, () -> vp.pullback().apply(Tensor.of(new double[] {1})));
        assertTrue(shape.getMessage().contains("[1]") && shape.getMessage().contains("[2]"), shape.getMessage());
        var dtype = assertThrows(IllegalArgumentException.class,
                () -> vp.pullback().apply(Tensor.of(new float[] {1, 1})));
        assertTrue(dtype.getMessage().contains("float32") && dtype.getMessage().contains("float64"), dtype.getMessage());
    }

    @Test
    void mixingFloat32AndFloat64NeedsAConversion() {
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.scalar(1f).plus(Tensor.scalar(DType.F64, 1.0)));
        assertTrue(e.getMessage().contains("float32") && e.getMessage().contains("float64"), e.getMessage());
        Tensor g = Diff.gradient(Tensor.scalar(2f), x -> x.toType(DType.F64).times(Tensor.scalar(DType.F64, 3.0)));
        assertEquals(DType.F32, g.dtype());
        assertEquals(3f, g.floatValue());
    }

    @Test
    void customPullbackReturningTheWrongShapeOrCountIsNamed() {
        DifferentiableFunction<Tensor> bad = Diff.differentiableFunction(
                x -> ValueWithPullback.of(x.times(2), v -> Tensor.of(new double[] {1, 2, 3})));
        var e = assertThrows(IllegalArgumentException.class, () -> Diff.gradient(d(1), x -> bad.apply(x)));
        assertTrue(e.getMessage().contains("differentiableFunction") && e.getMessage().contains("[3]"), e.getMessage());

        DifferentiableFunction<List<Tensor>> tooFew = Diff.differentiableFunction(
                p -> ValueWithPullback.of(p.get(0).plus(p.get(1)), v -> List.of(v)));
        var e2 = assertThrows(IllegalArgumentException.class,
                () -> Diff.gradient(List.of(d(1), d(2)), p -> tooFew.apply(p)));
        assertTrue(e2.getMessage().contains("returned 1") && e2.getMessage().contains("expected 2"), e2.getMessage());
    }

    @Test
    void aReleasedTensorThrowsNamingTheOp() {
        Tensor x;
        try (Scope s = Scope.open()) {
            x = Tensor.of(new double[] {1, 2});
        }
        var e = assertThrows(IllegalStateException.class, () -> exp(x));
        assertTrue(e.getMessage().contains("exp") && e.getMessage().contains("released"), e.getMessage());
    }

    @Test
    void secondDerivativesOfElementwiseReductionAndMatmul() {
        // d²/dx² sin(x) = -sin(x)
        Tensor x = d(0.7);
        Tensor second = Diff.gradient(x, t -> Diff.gradient(t, u -> sin(u)));
        assertEquals(-Math.sin(0.7), second.doubleValue(), 1e-15);
        // d²/dx² exp(x)*x = exp(x)*(x+2)
        assertEquals(Math.exp(0.7) * 2.7, Diff.gradient(x, t -> Diff.gradient(t, u -> exp(u).times(u))).doubleValue(),
                1e-12);
        // f(A) = sum((A·B)²); grad = 2 (A·B) Bᵀ; the gradient of sum(grad) w.r.t. A is 2 · 1 · (B Bᵀ) summed rows
        Tensor a = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
        Tensor b = Tensor.of(new double[] {0.5, -1, 2, 0.25}, 2, 2);
        Tensor h = Diff.gradient(a, p -> Diff.gradient(p, q -> q.matmul(b).squared().sum()).sum());
        // d/dA sum(2 A B Bᵀ) = 2 · ones · (B Bᵀ)ᵀ
        double[] bbt = {0.5 * 0.5 + 1, 0.5 * 2 - 0.25, 2 * 0.5 - 0.25, 4 + 0.0625};
        double[] expected = {2 * (bbt[0] + bbt[2]), 2 * (bbt[1] + bbt[3]), 2 * (bbt[0] + bbt[2]), 2 * (bbt[1] + bbt[3])};
        assertArrayEquals(expected, h.toDoubleArray(), 1e-12);
    }

    @Test
    void nestedGradientsDoNotConfuseTheirPerturbations() {
        // d/dx [ x * d/dy (x + y) ] = d/dx [x] = 1
        Tensor g = Diff.gradient(d(3), x -> x.times(Diff.gradient(d(5), y -> x.plus(y))));
        assertEquals(1, g.doubleValue());
        // d/dx [ x * d/dy (x * y) ] = d/dx x² = 2x
        assertEquals(6, Diff.gradient(d(3), x -> x.times(Diff.gradient(d(5), y -> x.times(y)))).doubleValue());
    }

    @Test
    void threadsComputeIndependentlyAndMatchSerialRuns() throws Exception {
        int n = 8;
        double[] serial = new double[n];
        for (int i = 0; i < n; i++) {
            serial[i] = chain(i);
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<Double>> futures = new ArrayList<>();
            for (int round = 0; round < 4; round++) {
                for (int i = 0; i < n; i++) {
                    int k = i;
                    futures.add(pool.submit(() -> chain(k)));
                }
            }
            for (int i = 0; i < futures.size(); i++) {
                assertEquals(serial[i % n], futures.get(i).get());
            }
        }
    }

    private static double chain(int k) {
        return Diff.gradient(d(0.1 * k), x -> {
            Tensor y = x;
            for (int i = 0; i < 200; i++) {
                y = sin(y).times(1.0001).plus(0.1);
            }
            return y;
        }).doubleValue();
    }

    @Test
    void gradientReleasesItsIntermediatesWhenItReturns() {
        try (Scope outer = Scope.open()) {
            Tensor x = Tensor.of(new double[] {1, 2, 3});
            int before = outer.liveCount();
            Tensor g = Diff.gradient(x, t -> exp(t).times(t).sum());
            // Only the gradient itself moved to the enclosing scope.
            assertEquals(before + 1, outer.liveCount());
            assertArrayEquals(new double[] {2 * Math.E, 3 * Math.exp(2), 4 * Math.exp(3)}, g.toDoubleArray(), 1e-12);
        }
    }

    @Test
    void zeroGradientForAnUnusedArgument() {
        Gradients2<Tensor, Tensor> g = Diff.gradient(d(1), Tensor.of(new double[] {1, 2}), (x, y) -> x.times(x));
        assertEquals(2, g.first().doubleValue());
        assertArrayEquals(new double[] {0, 0}, g.second().toDoubleArray());
    }

    record Affine(Tensor w, Tensor b, @NoDerivative String name) {}

    record Model(Affine first, List<Affine> rest, double scale) {}

    @Test
    void recordsAndNestedStructuresGetTangentsOfTheSameStructure() {
        Affine l1 = new Affine(Tensor.of(new double[] {1, 2}, 2, 1), Tensor.of(new double[] {0.5}), "l1");
        Affine l2 = new Affine(Tensor.of(new double[] {3}, 1, 1), Tensor.of(new double[] {-1}), "l2");
        Model m = new Model(l1, List.of(l2), 2.0);
        Tensor x = Tensor.of(new double[] {1, 1, 2, 0}, 2, 2);
        Model g = Diff.gradient(m, model -> {
            Tensor h = x.matmul(model.first().w()).plus(model.first().b());
            Tensor y = h.matmul(model.rest().get(0).w()).plus(model.rest().get(0).b());
            return y.sum().times(model.scale());
        });
        assertEquals("l1", g.first().name());
        assertEquals(2.0, g.scale());
        // y = 3 (x w + b) - 1 summed, times 2: dW1 = 2 * 3 * colsum(x), db1 = 2 * 3 * 2 rows
        assertArrayEquals(new double[] {18, 6}, g.first().w().toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {12}, g.first().b().toDoubleArray(), 1e-12);
        // h = [3.5, 2.5]; dW2 = 2 * sum(h) = 12; db2 = 2 * 2 = 4
        assertArrayEquals(new double[] {12}, g.rest().get(0).w().toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {4}, g.rest().get(0).b().toDoubleArray(), 1e-12);

        Model moved = Tangents.move(m, Tangents.scale(g, -0.1));
        assertArrayEquals(new double[] {1 - 1.8, 2 - 0.6}, moved.first().w().toDoubleArray(), 1e-12);
        Model zero = Tangents.zero(m);
        assertArrayEquals(new double[] {0, 0}, zero.first().w().toDoubleArray());
        Model twice = Tangents.add(g, g);
        assertArrayEquals(new double[] {36, 12}, twice.first().w().toDoubleArray(), 1e-12);
    }

    static final class Quadratic implements Differentiable<Quadratic> {
        final Tensor a;
        final Tensor c;

        Quadratic(Tensor a, Tensor c) {
            this.a = a;
            this.c = c;
        }

        @Override
        public List<Object> differentiableParts() {
            return List.of(a, c);
        }

        @Override
        public Quadratic withDifferentiableParts(List<Object> parts) {
            return new Quadratic((Tensor) parts.get(0), (Tensor) parts.get(1));
        }
    }

    @Test
    void classesOptInWithASmallInterface() {
        Quadratic q = new Quadratic(d(2), d(5));
        Quadratic g = Diff.gradient(q, p -> p.a.times(d(3)).squared().plus(p.c));
        assertEquals(2 * 2 * 9, g.a.doubleValue());
        assertEquals(1, g.c.doubleValue());
    }

    @Test
    void broadcastingSumsTheCotangentBackToEachShape() {
        Tensor m = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor row = Tensor.of(new double[] {1, 1, 1}, 3);
        Gradients2<Tensor, Tensor> g = Diff.gradient(m, row, (a, b) -> a.times(b).sum());
        assertEquals(Shape.of(3), g.second().shape());
        assertArrayEquals(new double[] {5, 7, 9}, g.second().toDoubleArray());
        assertArrayEquals(new double[] {1, 1, 1, 1, 1, 1}, g.first().toDoubleArray());
    }

    @Test
    void observingHookLeavesGradientsUnchanged() {
        double plain = Diff.gradient(d(0.3), x -> log(exp(x).plus(cos(x)))).doubleValue();
        List<Double> seen = new ArrayList<>();
        double hooked = Diff.gradient(d(0.3),
                x -> log(exp(x).withDerivative(v -> seen.add(v.doubleValue())).plus(cos(x)))).doubleValue();
        assertEquals(plain, hooked);
        assertEquals(1, seen.size());
    }

    @Test
    void aSweepNestedInAPullbackLeavesTheOuterSweepIntact() {
        // The recomputed body captures w, which the outer sweep is differentiating: the inner sweep inside the
        // pullback walks w's node too, and must hand it back unchanged. (A custom derivative covers its
        // declared argument only, so the captured w gets no derivative through it; the direct path does.)
        Gradients2<Tensor, Tensor> g = Diff.gradient(d(0.4), d(1.5), (x, w) -> {
            DifferentiableFunction<Tensor> rec = Diff.withRecomputationInPullbacks(t -> sin(t).times(w));
            return rec.apply(x).plus(w.times(w));
        });
        assertEquals(Math.cos(0.4) * 1.5, g.first().doubleValue(), 1e-15);
        assertEquals(3.0, g.second().doubleValue());
    }

    @Test
    void secondDerivativeThroughRecomputation() {
        DifferentiableFunction<Tensor> square = Diff.withRecomputationInPullbacks(t -> t.times(t));
        // d²/dx² sin(x)² = 2 cos(2x)
        double h = Diff.gradient(d(0.3), x -> Diff.gradient(x, y -> square.apply(sin(y)))).doubleValue();
        assertEquals(2 * Math.cos(0.6), h, 1e-14);
    }
}
