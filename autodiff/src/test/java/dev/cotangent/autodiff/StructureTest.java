package dev.cotangent.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StructureTest {
    private static Tensor d(double... v) {
        return Tensor.of(v);
    }

    @Test
    void mapsWithStringKeysDifferentiateWithTangentsOfTheSameKeys() {
        Map<String, Tensor> params = new LinkedHashMap<>();
        params.put("w", d(2, 3));
        params.put("b", d(1));
        Map<String, Tensor> g = Diff.gradient(params, p -> p.get("w").times(p.get("w")).sum().plus(p.get("b").sum()));
        assertEquals(List.of("w", "b"), List.copyOf(g.keySet()));
        assertArrayEquals(new double[] {4, 6}, g.get("w").toDoubleArray());
        assertArrayEquals(new double[] {1}, g.get("b").toDoubleArray());
    }

    @Test
    void mapsWithOtherKeysAreRejected() {
        Map<Integer, Tensor> params = Map.of(1, d(2));
        var e = assertThrows(IllegalArgumentException.class, () -> Diff.gradient(params, p -> p.get(1).sum()));
        assertTrue(e.getMessage().contains("String keys"), e.getMessage());
    }

    static final class Opaque {
        final Tensor w;

        Opaque(Tensor w) {
            this.w = w;
        }
    }

    record Holder(Opaque inner, Tensor b) {}

    @Test
    void anObjectHoldingTensorsThatCannotBeRebuiltIsAnErrorNamingItsClassAndPath() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Diff.gradient(new Opaque(d(1)), o -> o.w.sum()));
        assertTrue(e.getMessage().contains(Opaque.class.getName()), e.getMessage());
        assertTrue(e.getMessage().contains("field 'w'"), e.getMessage());
        var nested = assertThrows(IllegalArgumentException.class,
                () -> Diff.gradient(new Holder(new Opaque(d(1)), d(2)), h -> h.b().sum()));
        assertTrue(nested.getMessage().contains("at 'inner'"), nested.getMessage());
    }

    @Test
    void aSetOfTensorsIsRejected() {
        record WithSet(Set<Tensor> ts) {}
        var e = assertThrows(IllegalArgumentException.class,
                () -> Diff.gradient(new WithSet(Set.of(d(1))), s -> s.ts().iterator().next().sum()));
        assertTrue(e.getMessage().contains("holds tensors"), e.getMessage());
    }

    @Test
    void anArgumentThatIsNoStructureIsAnError() {
        var e = assertThrows(IllegalArgumentException.class, () -> Diff.gradient("w", s -> d(1).sum()));
        assertTrue(e.getMessage().contains("java.lang.String"), e.getMessage());
        assertTrue(e.getMessage().startsWith("gradient"), e.getMessage());
    }

    record Normalizer(Tensor scale, @NoDerivative Tensor runningMean, @NoDerivative String name) {}

    @Test
    void noDerivativeTensorsGetAZeroTangentAndKeepTheirValueWhenMoved() {
        Normalizer n = new Normalizer(d(2), d(5, 7), "bn");
        Normalizer g = Diff.gradient(n, m -> m.scale().times(m.runningMean().sum()).sum());
        assertArrayEquals(new double[] {12}, g.scale().toDoubleArray());
        assertArrayEquals(new double[] {0, 0}, g.runningMean().toDoubleArray());
        assertEquals("bn", g.name());
        Normalizer moved = Tangents.move(n, Tangents.scale(g, -0.5));
        assertSame(n.runningMean(), moved.runningMean());
        assertArrayEquals(new double[] {-4}, moved.scale().toDoubleArray());
    }

    static final class Swapping implements Differentiable<Swapping> {
        final Tensor a;
        final Tensor b;

        Swapping(Tensor a, Tensor b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public List<Object> differentiableParts() {
            return List.of(a, b);
        }

        @Override
        public Swapping withDifferentiableParts(List<Object> parts) {
            return new Swapping((Tensor) parts.get(1), (Tensor) parts.get(0)); // wrong order
        }
    }

    @Test
    void aDifferentiableThatRebuildsWithSwappedShapesIsCaught() {
        Swapping s = new Swapping(d(1, 2), d(3));
        var e = assertThrows(IllegalStateException.class, () -> Diff.gradient(s, v -> v.a.sum().plus(v.b.sum())));
        assertTrue(e.getMessage().contains("withDifferentiableParts"), e.getMessage());
    }

    record Layer(Tensor weight, Tensor bias) {}

    record Net(List<Layer> layers, Map<String, Tensor> extra) {}

    @Test
    void everyTensorHasAPath() {
        Net net = new Net(List.of(new Layer(d(1), d(2)), new Layer(d(3), d(4))), Map.of("scale", d(5)));
        assertEquals(List.of("layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "extra.scale"),
                List.copyOf(Tangents.named(net).keySet()));
        assertEquals(List.of(""), List.copyOf(Tangents.named(d(1)).keySet()));
    }

    static final class Config {
        final int width = 3;
        final String label = "x";
    }

    record WithConfig(Tensor w, Config config) {}

    @Test
    void objectsWithoutTensorsAreCarriedAsConstants() {
        Config c = new Config();
        WithConfig g = Diff.gradient(new WithConfig(d(2), c), v -> v.w().squared().sum());
        assertSame(c, g.config());
        assertArrayEquals(new double[] {4}, g.w().toDoubleArray());
    }
}
