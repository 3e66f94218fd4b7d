package dev.cotangent.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.cotangent.core.Backend;
import dev.cotangent.core.DType;
import dev.cotangent.core.NdArray;
import dev.cotangent.core.RandomArrays;
import dev.cotangent.core.Shape;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The fused bias and relu-gradient passes, long enough to be split over two threads: every element as a plain
 * loop computes it, and the same bits on one thread and two.
 */
class DenseKernelsTest {
    /** Rows of a conv layer's output, 333K elements in all: past the split threshold, with ragged parts. */
    private static final int ROWS = 9_001;
    private static final int CHANNELS = 37;

    @Test
    void biasReluAndReluGradientMatchAPlainLoopOnAnyThreadCount() {
        for (DType dtype : DType.values()) {
            NdArray z = RandomArrays.normal(dtype, Shape.of(ROWS, CHANNELS), 0, 1, 1);
            NdArray bias = RandomArrays.normal(dtype, Shape.of(CHANNELS), 0, 1, 2);
            NdArray g = RandomArrays.normal(dtype, Shape.of(ROWS, CHANNELS), 0, 1, 3);
            double[] zv = z.toDoubleArray();
            double[] bv = bias.toDoubleArray();
            double[] gv = g.toDoubleArray();
            double[] expected = new double[zv.length];
            double[] expectedGrad = new double[zv.length];
            for (int i = 0; i < zv.length; i++) {
                double sum = zv[i] + bv[i % CHANNELS];
                double v = dtype == DType.F32 ? (float) ((float) zv[i] + (float) bv[i % CHANNELS]) : sum;
                expected[i] = Math.max(v, 0);
                expectedGrad[i] = expected[i] > 0 ? gv[i] : 0;
            }
            for (int threads : new int[] {1, 2}) {
                double[][] got = onThreads(threads, () -> {
                    NdArray y = z.copy();
                    DenseKernels.addBiasInPlace("test", y, bias, true);
                    return new double[][] {y.toDoubleArray(), DenseKernels.gradientAndBiasSum(g, y, false)[0].toDoubleArray()};
                });
                assertArrayEquals(expected, got[0], dtype + " bias + relu on " + threads + " threads");
                assertArrayEquals(expectedGrad, got[1], dtype + " relu gradient on " + threads + " threads");
            }
        }
    }

    @Test
    void biasGradientIsTheColumnSumOfTheMaskedGradientWithTheSameBitsOnAnyThreadCount() {
        for (DType dtype : DType.values()) {
            NdArray y = RandomArrays.normal(dtype, Shape.of(ROWS, CHANNELS), 0, 1, 4);
            NdArray g = RandomArrays.normal(dtype, Shape.of(ROWS, CHANNELS), 0, 1, 5);
            double[] yv = y.toDoubleArray();
            double[] gv = g.toDoubleArray();
            for (boolean relu : new boolean[] {true, false}) {
                double[] expected = new double[CHANNELS];
                double[] absolute = new double[CHANNELS];
                for (int i = 0; i < gv.length; i++) {
                    double v = relu && yv[i] <= 0 ? 0 : gv[i];
                    expected[i % CHANNELS] += v;
                    absolute[i % CHANNELS] += Math.abs(v);
                }
                double[][] one = onThreads(1, () -> fused(g, relu ? y : null));
                double[][] two = onThreads(2, () -> fused(g, relu ? y : null));
                assertArrayEquals(one[1], two[1], dtype + " bias gradient, relu " + relu + ": 1 and 2 threads");
                assertArrayEquals(one[0], two[0], dtype + " masked gradient, relu " + relu + ": 1 and 2 threads");
                double eps = dtype == DType.F32 ? 1e-6 : 1e-15;
                for (int j = 0; j < CHANNELS; j++) {
                    double tolerance = eps * absolute[j] + 1e-12;
                    if (Math.abs(one[1][j] - expected[j]) > tolerance) {
                        throw new AssertionError(dtype + " relu " + relu + " channel " + j + ": bias gradient "
                                + one[1][j] + ", expected " + expected[j] + " within " + tolerance);
                    }
                }
            }
        }
    }

    @Test
    void biasGradientOfAnEmptyBatchIsZero() {
        NdArray g = NdArray.empty(DType.F32, 0, CHANNELS);
        NdArray[] out = DenseKernels.gradientAndBiasSum(g, g, true);
        assertArrayEquals(new double[CHANNELS], out[1].toDoubleArray());
    }

    private static double[][] fused(NdArray g, NdArray y) {
        NdArray[] out = DenseKernels.gradientAndBiasSum(g, y, true);
        return new double[][] {out[0].toDoubleArray(), out[1].toDoubleArray()};
    }

    private static double[][] onThreads(int threads, Supplier<double[][]> body) {
        int before = Backend.threads();
        Backend.setThreads(threads);
        try {
            return body.get();
        } finally {
            Backend.setThreads(before);
        }
    }
}
