package dev.cotangent.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cotangent.autodiff.Diff;
import dev.cotangent.autodiff.Gradients2;
import dev.cotangent.autodiff.Tangents;
import dev.cotangent.autodiff.Tensor;
import dev.cotangent.core.DType;
import dev.cotangent.core.RandomArrays;
import dev.cotangent.core.Shape;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Recomputed layers and segments give gradients bit-identical to the plain ones; policies keep what they say. */
class RecomputationTest {
    private static Tensor input(int... shape) {
        return Tensor.of(RandomArrays.normal(DType.F32, Shape.of(shape), 0, 1, 3));
    }

    /** Gradients of sum(layer(x)²) with respect to the layer and the input, flattened to float arrays. */
    private static <L extends Layer<L>> List<float[]> gradients(L layer, Tensor x, long dropoutSeed) {
        Initializers.setGlobalSeed(dropoutSeed);
        Gradients2<L, Tensor> g = Diff.gradient(layer, x, (l, in) -> l.apply(in).squared().sum());
        List<float[]> out = new java.util.ArrayList<>();
        for (Tensor t : Tangents.tensors(g.first())) {
            out.add(t.toFloatArray());
        }
        out.add(g.second().toFloatArray());
        return out;
    }

    private static void assertBitIdentical(List<float[]> want, List<float[]> got) {
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            float[] a = want.get(i);
            float[] b = got.get(i);
            assertEquals(a.length, b.length);
            for (int k = 0; k < a.length; k++) {
                assertEquals(Float.floatToRawIntBits(a[k]), Float.floatToRawIntBits(b[k]), "tensor " + i + " element " + k);
            }
        }
    }

    @Test
    void discardingActivationsGivesBitIdenticalGradients() {
        var dense = new Dense(6, 5, Activation.GELU, 1);
        var x = input(4, 6);
        assertBitIdentical(gradients(dense, x, 0), gradients(dense.discardingActivations(), x, 0));
        var conv = new Conv2D(3, 3, 2, 4, new dev.cotangent.core.Conv2dParams(1, 1, dev.cotangent.core.Padding.SAME, 1, 1),
                Activation.RELU, 2);
        var image = input(2, 6, 6, 2);
        assertBitIdentical(gradients(conv, image, 0), gradients(conv.discardingActivations(), image, 0));
    }

    private static Sequential mlp() {
        return new Sequential(new Dense(6, 8, Activation.RELU, 1), new Dropout(0.25), new BatchNorm(8),
                new Dense(8, 8, Activation.TANH, 2), new Dense(8, 8, Activation.RELU, 3), new Dense(8, 3, Activation.IDENTITY, 4));
    }

    @Test
    void recomputedSegmentsGiveBitIdenticalGradientsWithAnyPolicy() {
        var x = input(5, 6);
        var want = gradients(mlp(), x, 9);
        for (SavePolicy policy : new SavePolicy[] {SavePolicy.NOTHING, SavePolicy.MATMUL_OUTPUTS}) {
            for (int length = 1; length <= 4; length++) {
                assertBitIdentical(want, gradients(mlp().recomputingSegments(length, policy), x, 9));
            }
        }
    }

    @Test
    void aRecomputedLayerOnConstantDataGivesBitIdenticalParameterGradients() {
        var x = input(5, 6);
        Initializers.setGlobalSeed(9);
        Sequential plain = Diff.gradient(mlp(), m -> m.apply(x).squared().sum());
        Initializers.setGlobalSeed(9);
        Sequential recomputed = Diff.gradient(mlp().recomputingSegments(2, SavePolicy.NOTHING),
                m -> m.apply(x).squared().sum());
        List<float[]> want = new java.util.ArrayList<>();
        List<float[]> got = new java.util.ArrayList<>();
        plain.parameters().values().forEach(t -> want.add(t.toFloatArray()));
        recomputed.parameters().values().forEach(t -> got.add(t.toFloatArray()));
        assertBitIdentical(want, got);
    }

    @Test
    void aRecomputedBatchNormCountsEachBatchOnceInItsRunningAverages() {
        var x = input(5, 6);
        Sequential plain = mlp();
        Sequential recomputed = mlp().recomputingSegments(3, SavePolicy.NOTHING);
        Initializers.setGlobalSeed(9); // the same dropout masks in both
        Diff.gradient(plain, m -> m.apply(x).sum());
        Initializers.setGlobalSeed(9);
        Diff.gradient(recomputed, m -> m.apply(x).sum());
        var a = (BatchNorm) plain.layers().get(2);
        var b = (BatchNorm) recomputed.layers().get(2);
        assertArrayEquals(a.runningMean().toFloatArray(), b.runningMean().toFloatArray());
        assertArrayEquals(a.runningVariance().toFloatArray(), b.runningVariance().toFloatArray());
    }

    @Test
    void theGradientOfARecomputedModelHasTheModelsStructure() {
        var model = mlp().recomputingSegments(2, SavePolicy.NOTHING);
        Sequential g = Diff.gradient(model, m -> m.apply(input(5, 6)).sum());
        assertEquals(model.parameters().keySet(), g.parameters().keySet());
    }

    /** A layer counting how often its body runs. */
    record Counting(Dense dense, @dev.cotangent.autodiff.NoDerivative AtomicInteger runs) implements Layer<Counting> {
        @Override
        public Tensor apply(Tensor x) {
            runs.incrementAndGet();
            return dense.apply(x);
        }
    }

    @Test
    void aDiscardingLayerRunsTwicePerStepAndAPlainOneOnce() {
        var runs = new AtomicInteger();
        var layer = new Counting(new Dense(3, 2, Activation.RELU, 1), runs);
        Diff.gradient(layer, l -> l.apply(input(2, 3)).sum());
        assertEquals(1, runs.get());
        Diff.gradient(layer.discardingActivations(), l -> l.apply(input(2, 3)).sum());
        assertEquals(3, runs.get());
    }

    @Test
    void aSavingPolicyReusesTheForwardOutputsInsteadOfRecomputingThem() {
        var x = input(4, 6);
        var model = new Sequential(new Dense(6, 5, Activation.RELU, 1), new Dense(5, 2, Activation.IDENTITY, 2));
        var kept = new java.util.ArrayList<String>();
        SavePolicy spy = op -> {
            kept.add(op);
            return true;
        };
        Diff.gradient(model.recomputingSegments(2, spy), m -> m.apply(x).sum());
        // Asked once per primitive in the forward pass and once more in the recomputation, which reuses them.
        assertEquals(List.of("denseRelu", "dense", "denseRelu", "dense"), kept);
        assertArrayEquals(Diff.gradient(model, m -> m.apply(x).sum()).layers().get(0) instanceof Dense d
                ? d.weight().toFloatArray() : null,
                ((Dense) Diff.gradient(model.recomputingSegments(2, spy), m -> m.apply(x).sum()).layers().get(0))
                        .weight().toFloatArray());
    }
}
