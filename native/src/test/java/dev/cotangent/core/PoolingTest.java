package dev.cotangent.core;

import static dev.cotangent.core.KernelChecks.assertError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Max and average pooling and their gradients against direct loops with TensorFlow's padding rules. */
class PoolingTest {

    /** [out, padBefore] per TensorFlow, or out = -1 when a VALID window does not fit. */
    private static int[] window(Padding padding, int in, int k, int stride) {
        if (padding == Padding.VALID) {
            return new int[] {in >= k ? (in - k) / stride + 1 : -1, 0};
        }
        int out = (in + stride - 1) / stride;
        return new int[] {out, Math.max((out - 1) * stride + k - in, 0) / 2};
    }

    /** Forward max and avg, and both gradients for a given output gradient, by direct loops. */
    private static double[][] reference(double[] x, int[] xs, double[] g, PoolParams p) {
        int n = xs[0], h = xs[1], w = xs[2], c = xs[3];
        int[] rows = window(p.padding(), h, p.poolH(), p.strideH());
        int[] cols = window(p.padding(), w, p.poolW(), p.strideW());
        int oh = rows[0], ow = cols[0];
        double[] max = new double[n * oh * ow * c];
        double[] avg = new double[max.length];
        double[] dMax = new double[x.length];
        double[] dAvg = new double[x.length];
        for (int b = 0; b < n; b++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    for (int ch = 0; ch < c; ch++) {
                        int o = ((b * oh + oy) * ow + ox) * c + ch;
                        double best = Double.NEGATIVE_INFINITY;
                        int at = -1;
                        double sum = 0;
                        int count = 0;
                        for (int ky = 0; ky < p.poolH(); ky++) {
                            for (int kx = 0; kx < p.poolW(); kx++) {
                                int iy = oy * p.strideH() - rows[1] + ky;
                                int ix = ox * p.strideW() - cols[1] + kx;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                                    continue;
                                }
                                int i = ((b * h + iy) * w + ix) * c + ch;
                                if (at < 0 || x[i] > best) {
                                    best = x[i];
                                    at = i;
                                }
                                sum += x[i];
                                count++;
                            }
                        }
                        max[o] = best;
                        avg[o] = sum / count;
                        dMax[at] += g[o];
                        for (int ky = 0; ky < p.poolH(); ky++) {
                            for (int kx = 0; kx < p.poolW(); kx++) {
                                int iy = oy * p.strideH() - rows[1] + ky;
                                int ix = ox * p.strideW() - cols[1] + kx;
                                if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                    dAvg[((b * h + iy) * w + ix) * c + ch] += g[o] / count;
                                }
                            }
                        }
                    }
                }
            }
        }
        return new double[][] {max, avg, dMax, dAvg};
    }

    private static void check(DType dtype, NdArray x, PoolParams p, Random rnd) {
        NdArray y = Pooling.maxPool2d(x, p);
        NdArray g = KernelChecks.random(rnd, dtype, y.shape().dims());
        double[][] r = reference(x.toDoubleArray(), x.shape().dims(), g.toDoubleArray(), p);
        String what = dtype + " " + x.shape() + " " + p;
        double tol = dtype == DType.F32 ? 1e-6 : 1e-13;
        assertArrayEquals(r[0], y.toDoubleArray(), 0, "maxPool2d " + what);
        assertArrayEquals(r[1], Pooling.avgPool2d(x, p).toDoubleArray(), tol, "avgPool2d " + what);
        assertArrayEquals(r[2], Pooling.maxPool2dBackward(x, g, p).toDoubleArray(), tol * 10,
                "maxPool2dBackward " + what);
        assertArrayEquals(r[3], Pooling.avgPool2dBackward(g, x.shape(), p).toDoubleArray(), tol * 10,
                "avgPool2dBackward " + what);
        assertEquals(dtype, y.dtype());
    }

    @Test
    void randomGeometriesMatchDirectLoops() {
        Random rnd = new Random(21);
        for (DType dtype : DType.values()) {
            for (int trial = 0; trial < 60; trial++) {
                int[] xs = {1 + rnd.nextInt(2), 1 + rnd.nextInt(8), 1 + rnd.nextInt(8), 1 + rnd.nextInt(5)};
                PoolParams p = new PoolParams(1 + rnd.nextInt(4), 1 + rnd.nextInt(4), 1 + rnd.nextInt(3),
                        1 + rnd.nextInt(3), rnd.nextBoolean() ? Padding.VALID : Padding.SAME);
                NdArray x = KernelChecks.random(rnd, dtype, xs);
                if (window(p.padding(), xs[1], p.poolH(), p.strideH())[0] < 0
                        || window(p.padding(), xs[2], p.poolW(), p.strideW())[0] < 0) {
                    assertError(() -> Pooling.maxPool2d(x, p), "maxPool2d", x.shape().toString(), "VALID",
                            "no larger than the input");
                    continue;
                }
                check(dtype, x, p, rnd);
            }
            // Enough images for the work to be split over threads; a strided view as input.
            check(dtype, KernelChecks.random(rnd, dtype, 16, 32, 32, 8), PoolParams.of(3, 2, Padding.SAME), rnd);
            check(dtype, KernelChecks.random(rnd, dtype, 2, 5, 6, 3).transpose(0, 2, 1, 3),
                    PoolParams.of(2, 1, Padding.VALID), rnd);
            // Windows that tile the input exactly (float32 writes the gradients without zeroing first), and
            // the same window leaving a row and a column out; channels over more than one vector.
            check(dtype, KernelChecks.random(rnd, dtype, 3, 8, 6, 37), PoolParams.of(2, 2, Padding.VALID), rnd);
            check(dtype, KernelChecks.random(rnd, dtype, 3, 9, 7, 37), PoolParams.of(2, 2, Padding.VALID), rnd);
            check(dtype, KernelChecks.random(rnd, dtype, 2, 9, 9, 16), PoolParams.of(3, 3, Padding.SAME), rnd);
        }
    }

    @Test
    void tiesGoToTheFirstMaximumAndOverlapsAccumulate() {
        NdArray x = NdArray.zeros(DType.F32, 1, 3, 3, 1);
        NdArray g = NdArray.ones(DType.F32, 1, 2, 2, 1);
        // Stride-1 2x2 windows: each window's first element is its top-left one.
        double[] dx = Pooling.maxPool2dBackward(x, g, new PoolParams(2, 2, 1, 1, Padding.VALID)).toDoubleArray();
        assertArrayEquals(new double[] {1, 1, 0, 1, 1, 0, 0, 0, 0}, dx);
        NdArray peak = NdArray.of(new float[] {0, 0, 0, 0, 5, 0, 0, 0, 0}, 1, 3, 3, 1);
        dx = Pooling.maxPool2dBackward(peak, g, new PoolParams(2, 2, 1, 1, Padding.VALID)).toDoubleArray();
        assertArrayEquals(new double[] {0, 0, 0, 0, 4, 0, 0, 0, 0}, dx);
        // 2x2 windows with stride 2 tiling the image (their own float32 loops), full of ties: values 0, 1 and 2,
        // channels over two vectors and a scalar tail.
        Random rnd = new Random(22);
        for (DType dtype : DType.values()) {
            float[] v = new float[2 * 6 * 4 * 37];
            for (int i = 0; i < v.length; i++) {
                v[i] = rnd.nextInt(3);
            }
            NdArray ties = NdArray.of(v, 2, 6, 4, 37);
            check(dtype, dtype == DType.F32 ? ties : ties.toType(DType.F64), PoolParams.of(2, 2, Padding.VALID), rnd);
        }
    }

    @Test
    void sameAveragesOverValidElementsOnly() {
        NdArray x = NdArray.of(new float[] {1, 2, 3, 4}, 1, 2, 2, 1);
        // 3x3 SAME windows on a 2x2 image each cover the whole image, never the padding.
        double[] y = Pooling.avgPool2d(x, PoolParams.of(3, 1, Padding.SAME)).toDoubleArray();
        assertArrayEquals(new double[] {2.5, 2.5, 2.5, 2.5}, y);
        double[] m = Pooling.maxPool2d(NdArray.of(new float[] {-1, -2, -3, -4}, 1, 2, 2, 1),
                PoolParams.of(3, 1, Padding.SAME)).toDoubleArray();
        assertArrayEquals(new double[] {-1, -1, -1, -1}, m);
    }

    @Test
    void emptyInputs() {
        PoolParams p = PoolParams.of(2, 2, Padding.SAME);
        assertEquals(Shape.of(0, 2, 2, 3), Pooling.maxPool2d(NdArray.zeros(DType.F64, 0, 4, 4, 3), p).shape());
        assertEquals(Shape.of(1, 2, 2, 0), Pooling.avgPool2d(NdArray.zeros(DType.F32, 1, 4, 4, 0), p).shape());
        assertEquals(Shape.of(1, 0, 2, 3), Pooling.avgPool2d(NdArray.zeros(DType.F32, 1, 0, 4, 3), p).shape());
    }

    @Test
    void errorsNameOpShapesParamsAndExpectation() {
        NdArray x = NdArray.zeros(DType.F32, 1, 3, 3, 2);
        PoolParams big = new PoolParams(4, 2, 1, 1, Padding.VALID);
        assertError(() -> Pooling.maxPool2d(x, big), "maxPool2d", "[1, 3, 3, 2]", "window (4, 2)", "height",
                "no larger than the input");
        assertError(() -> Pooling.avgPool2d(NdArray.zeros(DType.F32, 3, 3, 2), PoolParams.of(2, 2, Padding.VALID)),
                "avgPool2d", "[3, 3, 2]", "rank 4");
        PoolParams p = PoolParams.of(2, 1, Padding.VALID);
        assertError(() -> Pooling.maxPool2dBackward(x, NdArray.zeros(DType.F32, 1, 3, 3, 2), p),
                "maxPool2dBackward", "[1, 3, 3, 2]", "expected [1, 2, 2, 2]");
        assertError(() -> Pooling.avgPool2dBackward(NdArray.zeros(DType.F32, 1, 1, 2, 2), x.shape(), p),
                "avgPool2dBackward", "[1, 1, 2, 2]", "expected [1, 2, 2, 2]");
        assertError(() -> Pooling.maxPool2dBackward(x, NdArray.zeros(DType.F64, 1, 2, 2, 2), p),
                "maxPool2dBackward", "float32", "float64");
        assertError(() -> new PoolParams(2, 0, 1, 1, Padding.SAME), "PoolParams", "window (2, 0)");
        assertError(() -> PoolParams.of(2, 0, Padding.SAME), "PoolParams", "strides (0, 0)");
    }
}
