package dev.cotangent.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cotangent.autodiff.Tensor;
import dev.cotangent.core.Conv2dParams;
import dev.cotangent.core.DType;
import dev.cotangent.core.Padding;
import dev.cotangent.core.PoolParams;
import dev.cotangent.core.RandomArrays;
import dev.cotangent.core.Shape;
import org.junit.jupiter.api.Test;

/** Each layer's forward pass against plain loops written here. */
class LayerForwardTest {
    static Tensor normal(long seed, int... shape) {
        return Tensor.of(RandomArrays.normal(DType.F64, Shape.of(shape), 0, 1, seed));
    }

    static void assertClose(double[] want, double[] got, double tolerance) {
        assertEquals(want.length, got.length, "length");
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], tolerance * Math.max(1, Math.abs(want[i])), "element " + i);
        }
    }

    @Test
    void denseIsMatmulPlusBiasThenActivation() {
        Tensor x = normal(1, 5, 3);
        Tensor w = normal(2, 3, 4);
        Tensor b = normal(3, 4);
        for (Activation act : new Activation[] {Activation.IDENTITY, Activation.RELU, Activation.TANH}) {
            double[] want = new double[5 * 4];
            for (int i = 0; i < 5; i++) {
                for (int j = 0; j < 4; j++) {
                    double z = b.get(j);
                    for (int k = 0; k < 3; k++) {
                        z += x.get(i, k) * w.get(k, j);
                    }
                    want[i * 4 + j] = act == Activation.RELU ? Math.max(z, 0) : act == Activation.TANH ? Math.tanh(z) : z;
                }
            }
            assertClose(want, new Dense(w, b, act).apply(x).toDoubleArray(), 1e-12);
        }
    }

    @Test
    void denseDefaultsAreGlorotUniformWeightsAndZeroBias() {
        Dense d = new Dense(300, 200, Activation.RELU, 5);
        double limit = Math.sqrt(6.0 / 500);
        double max = 0;
        for (float v : d.weight().toFloatArray()) {
            max = Math.max(max, Math.abs(v));
        }
        assertEquals(limit, max, limit * 0.01, "the largest weight is near the Glorot limit");
        assertArrayEquals(new float[200], d.bias().toFloatArray());
        assertEquals(DType.F32, d.weight().dtype());
        assertEquals(Shape.of(300, 200), d.weight().shape());
    }

    @Test
    void conv2dMatchesDirectLoops() {
        for (Padding padding : Padding.values()) {
            for (int stride = 1; stride <= 2; stride++) {
                for (int dilation = 1; dilation <= 2; dilation++) {
                    Tensor x = normal(4, 2, 7, 6, 3);
                    Tensor f = normal(5, 3, 2, 3, 4);
                    Tensor b = normal(6, 4);
                    var params = new Conv2dParams(stride, stride, padding, dilation, dilation);
                    Tensor y = new Conv2D(f, b, params, Activation.RELU).apply(x);
                    assertClose(directConv(x, f, b, stride, dilation, padding, y.shape()), y.toDoubleArray(), 1e-10);
                }
            }
        }
    }

    private static double[] directConv(Tensor x, Tensor f, Tensor b, int stride, int dilation, Padding padding,
            Shape outShape) {
        int n = x.shape().dim(0), h = x.shape().dim(1), w = x.shape().dim(2), c = x.shape().dim(3);
        int kh = f.shape().dim(0), kw = f.shape().dim(1), o = f.shape().dim(3);
        int oh = padding == Padding.VALID ? (h - (kh - 1) * dilation - 1) / stride + 1 : (h + stride - 1) / stride;
        int ow = padding == Padding.VALID ? (w - (kw - 1) * dilation - 1) / stride + 1 : (w + stride - 1) / stride;
        assertEquals(Shape.of(n, oh, ow, o), outShape);
        int padTop = padding == Padding.VALID ? 0 : Math.max(0, (oh - 1) * stride + (kh - 1) * dilation + 1 - h) / 2;
        int padLeft = padding == Padding.VALID ? 0 : Math.max(0, (ow - 1) * stride + (kw - 1) * dilation + 1 - w) / 2;
        double[] out = new double[n * oh * ow * o];
        for (int b0 = 0; b0 < n; b0++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    for (int q = 0; q < o; q++) {
                        double s = b.get(q);
                        for (int di = 0; di < kh; di++) {
                            for (int dj = 0; dj < kw; dj++) {
                                int r = i * stride + di * dilation - padTop;
                                int col = j * stride + dj * dilation - padLeft;
                                if (r < 0 || r >= h || col < 0 || col >= w) {
                                    continue;
                                }
                                for (int p = 0; p < c; p++) {
                                    s += x.get(b0, r, col, p) * f.get(di, dj, p, q);
                                }
                            }
                        }
                        out[((b0 * oh + i) * ow + j) * o + q] = Math.max(s, 0);
                    }
                }
            }
        }
        return out;
    }

    @Test
    void poolingMatchesDirectLoops() {
        Tensor x = normal(7, 2, 6, 5, 3);
        Tensor max = new MaxPool2D(2, 2, 2, 2).apply(x);
        Tensor avg = new AvgPool2D(3, 2, 1, 2).apply(x);
        assertEquals(Shape.of(2, 3, 2, 3), max.shape());
        assertEquals(Shape.of(2, 4, 2, 3), avg.shape());
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < 3; c++) {
                for (int i = 0; i < 3; i++) {
                    for (int j = 0; j < 2; j++) {
                        double m = Double.NEGATIVE_INFINITY;
                        for (int a = 0; a < 2; a++) {
                            for (int d = 0; d < 2; d++) {
                                m = Math.max(m, x.get(n, 2 * i + a, 2 * j + d, c));
                            }
                        }
                        assertEquals(m, max.get(n, i, j, c), 0);
                    }
                }
                for (int i = 0; i < 4; i++) {
                    for (int j = 0; j < 2; j++) {
                        double s = 0;
                        for (int a = 0; a < 3; a++) {
                            for (int d = 0; d < 2; d++) {
                                s += x.get(n, i + a, 2 * j + d, c);
                            }
                        }
                        assertEquals(s / 6, avg.get(n, i, j, c), 1e-12);
                    }
                }
            }
        }
        assertEquals(new PoolParams(2, 2, 2, 2, Padding.VALID), new MaxPool2D(2, 2, 2, 2).params());
    }

    @Test
    void flattenKeepsTheBatchAxis() {
        Tensor x = normal(8, 2, 3, 4, 5);
        Tensor y = new Flatten().apply(x);
        assertEquals(Shape.of(2, 60), y.shape());
        assertArrayEquals(x.toDoubleArray(), y.toDoubleArray());
    }

    @Test
    void batchNormUsesBatchStatisticsInTrainingAndRunningOnesInInference() {
        Tensor x = Tensor.of(new float[] {1, 10, 3, 20, 5, 60}, 3, 2);
        BatchNorm bn = new BatchNorm(2);
        Tensor y = bn.apply(x);
        double[] means = {3, 30};
        double[] vars = {8.0 / 3, (400 + 100 + 900) / 3.0};
        double[] want = new double[6];
        for (int i = 0; i < 3; i++) {
            for (int c = 0; c < 2; c++) {
                want[i * 2 + c] = (x.get(i, c) - means[c]) / Math.sqrt(vars[c] + 0.001);
            }
        }
        assertClose(want, y.toDoubleArray(), 1e-5);
        // Running averages moved toward the batch: 0.99 · init + 0.01 · batch.
        assertClose(new double[] {0.03, 0.3}, bn.runningMean().toDoubleArray(), 1e-5);
        assertClose(new double[] {0.99 + 0.01 * vars[0], 0.99 + 0.01 * vars[1]}, bn.runningVariance().toDoubleArray(), 1e-5);
        Tensor inference = LearningPhase.during(LearningPhase.INFERENCE, () -> bn.apply(x));
        double[] wantInference = new double[6];
        for (int i = 0; i < 6; i++) {
            int c = i % 2;
            wantInference[i] = (x.toDoubleArray()[i] - bn.runningMean().get(c)) / Math.sqrt(bn.runningVariance().get(c) + 0.001);
        }
        assertClose(wantInference, inference.toDoubleArray(), 1e-5);
    }

    @Test
    void dropoutZeroesAboutPAndScalesTheRestInTrainingOnly() {
        Tensor x = Tensor.ones(DType.F32, 100, 100);
        Dropout dropout = new Dropout(0.3);
        double[] y = dropout.apply(x).toDoubleArray();
        int zeros = 0;
        for (double v : y) {
            if (v == 0) {
                zeros++;
            } else {
                assertEquals(1 / 0.7, v, 1e-6);
            }
        }
        assertEquals(3000, zeros, 300);
        assertArrayEquals(x.toDoubleArray(), LearningPhase.during(LearningPhase.INFERENCE, () -> dropout.apply(x)).toDoubleArray());
    }

    @Test
    void activationsMatchTheirFormulas() {
        double[] xs = {-2.5, -0.3, 0.4, 1.7};
        Tensor x = Tensor.of(xs);
        double[] gelu = new double[4];
        double[] leaky = new double[4];
        for (int i = 0; i < 4; i++) {
            double v = xs[i];
            gelu[i] = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
            leaky[i] = v > 0 ? v : 0.2 * v;
        }
        assertClose(gelu, Activations.gelu(x).toDoubleArray(), 1e-12);
        assertClose(leaky, Activations.leakyRelu(x).toDoubleArray(), 1e-12);
        double sum = 0;
        for (double v : xs) {
            sum += Math.exp(v);
        }
        double[] logSoftmax = new double[4];
        for (int i = 0; i < 4; i++) {
            logSoftmax[i] = xs[i] - Math.log(sum);
        }
        assertClose(logSoftmax, Activations.logSoftmax(x).toDoubleArray(), 1e-12);
    }
}
