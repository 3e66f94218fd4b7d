package dev.cotangent.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cotangent.autodiff.Diff;
import dev.cotangent.autodiff.Tensor;
import dev.cotangent.core.Shape;
import org.junit.jupiter.api.Test;

/** Loss values against plain loops, their stability, and their errors. */
class LossTest {
    @Test
    void softmaxCrossEntropyIsTheMeanNegativeLogProbabilityOfTheLabel() {
        Tensor logits = LayerForwardTest.normal(11, 4, 5);
        int[] labels = {0, 4, 2, 2};
        double want = 0;
        for (int i = 0; i < 4; i++) {
            double sum = 0;
            for (int c = 0; c < 5; c++) {
                sum += Math.exp(logits.get(i, c));
            }
            want -= logits.get(i, labels[i]) - Math.log(sum);
        }
        assertEquals(want / 4, Losses.softmaxCrossEntropy(logits, labels).doubleValue(), 1e-12);
        assertEquals(want / 4, Losses.softmaxCrossEntropy(logits, Tensor.of(new double[] {0, 4, 2, 2})).doubleValue(), 1e-12);
    }

    @Test
    void softmaxCrossEntropyIsStableForHugeLogitsAndItsGradientIsSoftmaxMinusOneHot() {
        Tensor logits = Tensor.of(new float[] {1000, 0, -1000, 500}, 2, 2);
        Tensor g = Diff.gradient(logits, l -> Losses.softmaxCrossEntropy(l, new int[] {1, 1}));
        assertEquals(500, Losses.softmaxCrossEntropy(logits, new int[] {1, 1}).doubleValue(), 1e-3);
        float[] grad = g.toFloatArray();
        assertEquals(0.5, grad[0], 1e-6);
        assertEquals(-0.5, grad[1], 1e-6);
        assertEquals(0, grad[2], 1e-6);
        assertEquals(0, grad[3], 1e-6);
    }

    @Test
    void softmaxCrossEntropyRejectsLabelsOutOfRangeAndWrongCounts() {
        Tensor logits = Tensor.zeros(dev.cotangent.core.DType.F32, 3, 4);
        var e = assertThrows(IllegalArgumentException.class,
                () -> Losses.softmaxCrossEntropy(logits, new int[] {0, 4, 1}));
        assertTrue(e.getMessage().contains("label 4 at index 1") && e.getMessage().contains("[3, 4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Losses.softmaxCrossEntropy(logits, new int[] {0, 1}));
        assertTrue(e.getMessage().contains("2 labels"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Losses.softmaxCrossEntropy(logits, Tensor.of(new float[] {0, 1.5f, 2})));
        assertTrue(e.getMessage().contains("1.5"), e.getMessage());
    }

    @Test
    void sigmoidCrossEntropyMatchesItsDefinitionAndStaysFinite() {
        double[] x = {-3, -0.5, 0, 2, 40};
        double[] z = {0, 1, 0.5, 1, 0};
        double want = 0;
        for (int i = 0; i < 5; i++) {
            double logSigmoid = -Math.log1p(Math.exp(-x[i])); // log σ(x), accurate for these x
            double logOneMinusSigmoid = -x[i] + logSigmoid; // log(1 - σ(x)) = -x + log σ(x)
            want -= z[i] * logSigmoid + (1 - z[i]) * logOneMinusSigmoid;
        }
        assertEquals(want / 5, Losses.sigmoidCrossEntropy(Tensor.of(x), Tensor.of(z)).doubleValue(), 1e-9);
        Tensor huge = Tensor.of(new float[] {1000, -1000});
        assertEquals(500, Losses.sigmoidCrossEntropy(huge, Tensor.of(new float[] {0, 0})).doubleValue(), 1e-3);
        Tensor g = Diff.gradient(Tensor.of(new double[] {0}), l -> Losses.sigmoidCrossEntropy(l, Tensor.of(new double[] {0.25})));
        assertEquals(0.25, g.doubleValue(), 1e-12, "σ(0) - z at the kink-free point 0");
    }

    @Test
    void meanSquaredErrorBroadcastsAsTheSubtractionDoes() {
        Tensor yHat = Tensor.of(new float[] {1, 2, 3, 4}, 4, 1);
        Tensor y = Tensor.of(new float[] {0, 1, 1, 0});
        double want = 0;
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                double d = yHat.get(i, 0) - y.get(j);
                want += d * d;
            }
        }
        assertEquals(want / 16, Losses.meanSquaredError(yHat, y).doubleValue(), 1e-6);
        assertEquals(Shape.scalar(), Losses.meanSquaredError(yHat, y).shape());
    }
}
