package dev.cotangent.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cotangent.autodiff.Diff;
import dev.cotangent.autodiff.Tensor;
import dev.cotangent.core.DType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parameter paths, seeding, gradients of the model's type, and the errors a new user meets. */
class ParametersTest {
    record Model(Conv2D conv, MaxPool2D pool, Flatten flatten, Dense dense) implements Layer<Model> {
        @Override
        public Tensor apply(Tensor x) {
            return x.sequenced(conv, pool, flatten, dense);
        }
    }

    @Test
    void parametersAreNamedByTheirPaths() {
        var seq = new Sequential(new Dense(4, 3), new Dropout(0.1), new Dense(3, 2).discardingActivations());
        assertEquals(List.of("layers.0.weight", "layers.0.bias", "layers.2.wrapped.weight", "layers.2.wrapped.bias"),
                List.copyOf(seq.parameters().keySet()));
        var model = new Model(new Conv2D(3, 3, 1, 2), new MaxPool2D(2, 2, 2, 2), new Flatten(), new Dense(2, 1));
        assertEquals(List.of("conv.filter", "conv.bias", "dense.weight", "dense.bias"), List.copyOf(model.parameters().keySet()));
    }

    @Test
    void theSameSeedGivesTheSameBits() {
        Initializers.setGlobalSeed(42);
        var a = new Sequential(new Dense(5, 4), new Conv2DHolder().conv);
        Initializers.setGlobalSeed(42);
        var b = new Sequential(new Dense(5, 4), new Conv2DHolder().conv);
        a.parameters().forEach((path, t) -> assertArrayEquals(t.toFloatArray(), b.parameters().get(path).toFloatArray(), path));
        assertArrayEquals(new Dense(5, 4, Activation.RELU, 7).weight().toFloatArray(),
                new Dense(5, 4, Activation.RELU, 7).weight().toFloatArray());
        assertNotEquals(new Dense(5, 4, Activation.RELU, 7).weight().toString(), new Dense(5, 4, Activation.RELU, 8).weight().toString());
    }

    private static final class Conv2DHolder {
        final Conv2D conv = new Conv2D(2, 2, 1, 1);
    }

    @Test
    void theGradientOfAModelIsAModelOfGradients() {
        var model = new Model(new Conv2D(3, 3, 1, 2), new MaxPool2D(2, 2, 2, 2), new Flatten(), new Dense(2, 1));
        Tensor x = Tensor.ones(DType.F32, 1, 4, 4, 1);
        Model g = Diff.gradient(model, m -> m.apply(x).sum());
        assertEquals(model.conv().filter().shape(), g.conv().filter().shape());
        assertEquals(model.dense().activation(), g.dense().activation());
        var applied = model.appliedForBackpropagation(x);
        var grads = applied.backpropagator().apply(Tensor.ones(DType.F32, 1, 1));
        assertArrayEquals(g.dense().weight().toFloatArray(), grads.layer().dense().weight().toFloatArray());
        assertEquals(x.shape(), grads.input().shape());
    }

    @Test
    void misuseGetsErrorsNamingTheLayerAndShapes() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new Sequential(new Dense(4, 3), new Dense(2, 1)).apply(Tensor.ones(DType.F32, 5, 4)));
        assertTrue(e.getMessage().startsWith("layers.1: Dense(2 -> 1, identity): input float32[5, 3]")
                || e.getMessage().contains("layers.1"), e.getMessage());
        assertTrue(e.getMessage().contains("[batch, 2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Conv2D(3, 3, 3, 6).apply(Tensor.ones(DType.F32, 1, 8, 8, 4)));
        assertTrue(e.getMessage().contains("Conv2D(3x3, 3 -> 6") && e.getMessage().contains("[1, 8, 8, 4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Conv2D(3, 3, 3, 6).apply(Tensor.ones(DType.F32, 8, 8, 3)));
        assertTrue(e.getMessage().contains("NHWC"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Dense(0, 3));
        assertTrue(e.getMessage().contains("positive"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Dense(2, 3).apply(Tensor.ones(DType.F64, 1, 2)));
        assertTrue(e.getMessage().contains("float64[1, 2]"), e.getMessage());
    }
}
