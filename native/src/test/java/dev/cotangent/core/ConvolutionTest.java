package dev.cotangent.core;

import static dev.cotangent.core.KernelChecks.assertError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** conv2d and its backward products against direct loops in double, and the adjoint identity. */
class ConvolutionTest {

    /** Output size and padding before, by TensorFlow's formulas (written out again, independently of Padding). */
    private static int[] window(Padding padding, int in, int k, int stride, int dilation) {
        int extent = (k - 1) * dilation + 1;
        if (padding == Padding.VALID) {
            return new int[] {in >= extent ? (in - extent) / stride + 1 : -1, 0};
        }
        int out = (int) ((in + (long) stride - 1) / stride);
        long total = Math.max((out - 1L) * stride + extent - in, 0);
        return new int[] {out, (int) (total / 2)};
    }

    /** Direct loops: forward output, backward input, backward filter, each with its absolute-value twin. */
    private record Reference(double[] y, double[] yAbs, double[] dx, double[] dxAbs, double[] dw, double[] dwAbs) {
        static Reference of(double[] x, int[] xs, double[] w, int[] ws, double[] g, Conv2dParams p) {
            int n = xs[0], h = xs[1], wd = xs[2], c = xs[3], kh = ws[0], kw = ws[1], f = ws[3];
            int[] rows = window(p.padding(), h, kh, p.strideH(), p.dilationH());
            int[] cols = window(p.padding(), wd, kw, p.strideW(), p.dilationW());
            int oh = rows[0], ow = cols[0];
            Reference r = new Reference(new double[n * oh * ow * f], new double[n * oh * ow * f], new double[x.length],
                    new double[x.length], new double[w.length], new double[w.length]);
            for (int b = 0; b < n; b++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        for (int ky = 0; ky < kh; ky++) {
                            int iy = oy * p.strideH() - rows[1] + ky * p.dilationH();
                            for (int kx = 0; kx < kw; kx++) {
                                int ix = ox * p.strideW() - cols[1] + kx * p.dilationW();
                                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) {
                                    continue;
                                }
                                for (int ci = 0; ci < c; ci++) {
                                    int xi = ((b * h + iy) * wd + ix) * c + ci;
                                    for (int fo = 0; fo < f; fo++) {
                                        int wi = ((ky * kw + kx) * c + ci) * f + fo;
                                        int yi = ((b * oh + oy) * ow + ox) * f + fo;
                                        r.y[yi] += x[xi] * w[wi];
                                        r.yAbs[yi] += Math.abs(x[xi] * w[wi]);
                                        r.dx[xi] += g[yi] * w[wi];
                                        r.dxAbs[xi] += Math.abs(g[yi] * w[wi]);
                                        r.dw[wi] += x[xi] * g[yi];
                                        r.dwAbs[wi] += Math.abs(x[xi] * g[yi]);
                                    }
                                }
                            }
                        }
                    }
                }
            }
            return r;
        }
    }

    /** Checks all three products for one geometry; the terms bound the rounding of the longest sum. */
    private static void check(Random rnd, DType dtype, int[] xs, int[] ws, Conv2dParams p) {
        NdArray x = KernelChecks.random(rnd, dtype, xs);
        NdArray w = KernelChecks.random(rnd, dtype, ws);
        NdArray y = Convolution.conv2d(x, w, p);
        NdArray g = KernelChecks.random(rnd, dtype, y.shape().dims());
        Reference r = Reference.of(x.toDoubleArray(), xs, w.toDoubleArray(), ws, g.toDoubleArray(), p);
        String what = Backend.kind() + " " + dtype + " x" + x.shape() + " w" + w.shape() + " " + p;
        // Terms per output element: taps x channels; the same for dx (plus f); output pixels for dw.
        int taps = ws[0] * ws[1];
        KernelChecks.assertClose("conv2d " + what, r.y, r.yAbs, y, taps * ws[2]);
        KernelChecks.assertClose("conv2dBackwardInput " + what, r.dx, r.dxAbs,
                Convolution.conv2dBackwardInput(g, w, x.shape(), p), taps * ws[3]);
        KernelChecks.assertClose("conv2dBackwardFilter " + what, r.dw, r.dwAbs,
                Convolution.conv2dBackwardFilter(x, g, w.shape(), p), (int) (y.size() / Math.max(1, ws[3])));
    }

    /** Whether the filter's windows fit the input in both directions (else the convolution is an error). */
    private static boolean hasOutput(int[] xs, int[] ws, Conv2dParams p) {
        return window(p.padding(), xs[1], ws[0], p.strideH(), p.dilationH())[0] >= 0
                && window(p.padding(), xs[2], ws[1], p.strideW(), p.dilationW())[0] >= 0;
    }

    private static Conv2dParams randomParams(Random rnd) {
        return new Conv2dParams(1 + rnd.nextInt(3), 1 + rnd.nextInt(3),
                rnd.nextBoolean() ? Padding.VALID : Padding.SAME, 1 + rnd.nextInt(2), 1 + rnd.nextInt(2));
    }

    @ParameterizedTest
    @EnumSource(Backend.Kind.class)
    void randomGeometriesMatchDirectLoops(Backend.Kind kind) {
        KernelChecks.under(kind, () -> {
            Random rnd = new Random(11);
            for (DType dtype : DType.values()) {
                int checked = 0;
                for (int trial = 0; trial < 60; trial++) {
                    int[] xs = {1 + rnd.nextInt(3), 1 + rnd.nextInt(9), 1 + rnd.nextInt(9), 1 + rnd.nextInt(4)};
                    int[] ws = {1 + rnd.nextInt(4), 1 + rnd.nextInt(4), xs[3], 1 + rnd.nextInt(4)};
                    Conv2dParams p = randomParams(rnd);
                    boolean fits = window(p.padding(), xs[1], ws[0], p.strideH(), p.dilationH())[0] >= 0
                            && window(p.padding(), xs[2], ws[1], p.strideW(), p.dilationW())[0] >= 0;
                    if (!fits) {
                        NdArray x = NdArray.zeros(dtype, xs);
                        NdArray w = NdArray.zeros(dtype, ws);
                        assertError(() -> Convolution.conv2d(x, w, p), "conv2d", x.shape().toString(),
                                w.shape().toString(), "VALID", "no larger than the input");
                        continue;
                    }
                    check(rnd, dtype, xs, ws, p);
                    checked++;
                }
                assertTrue(checked > 30, "too few geometries fit: " + checked);
            }
        });
    }

    @ParameterizedTest
    @EnumSource(Backend.Kind.class)
    void specialPaths(Backend.Kind kind) {
        KernelChecks.under(kind, () -> {
            Random rnd = new Random(12);
            long budget = Convolution.colsBudgetBytes;
            try {
                for (DType dtype : DType.values()) {
                    // 1x1 stride 1: the input is used as the im2col matrix directly.
                    check(rnd, dtype, new int[] {2, 3, 5, 4}, new int[] {1, 1, 4, 3}, Conv2dParams.of(1, Padding.SAME));
                    // 1x1 with stride 2 goes through im2col.
                    check(rnd, dtype, new int[] {2, 5, 5, 3}, new int[] {1, 1, 3, 2},
                            Conv2dParams.of(2, Padding.VALID));
                    // Filter as large as the input, VALID: a single output pixel.
                    check(rnd, dtype, new int[] {2, 4, 3, 2}, new int[] {4, 3, 2, 3},
                            Conv2dParams.of(1, Padding.VALID));
                    // Filter larger than the input is fine with SAME.
                    check(rnd, dtype, new int[] {1, 2, 3, 2}, new int[] {5, 5, 2, 2}, Conv2dParams.of(1, Padding.SAME));
                    // Chunks of one output row, then of a few rows crossing image boundaries.
                    Convolution.colsBudgetBytes = 1;
                    check(rnd, dtype, new int[] {3, 5, 4, 2}, new int[] {3, 2, 2, 3},
                            new Conv2dParams(1, 2, Padding.SAME, 2, 1));
                    Convolution.colsBudgetBytes = 3L * 4 * 3 * 2 * 2 * dtype.byteSize();
                    check(rnd, dtype, new int[] {3, 5, 4, 2}, new int[] {3, 2, 2, 3}, Conv2dParams.of(1, Padding.SAME));
                    // Enough chunks for the Java backend's threads to take whole chunks each (and partial dW sums).
                    int threads = Parallel.threads();
                    boolean perThread = Convolution.chunksPerThread;
                    Parallel.setThreads(2);
                    try {
                        for (boolean mode : new boolean[] {false, true}) {
                            Convolution.chunksPerThread = mode;
                            Convolution.colsBudgetBytes = 1;
                            check(rnd, dtype, new int[] {8, 5, 4, 2}, new int[] {3, 2, 2, 3},
                                    new Conv2dParams(1, 2, Padding.SAME, 2, 1));
                            Convolution.colsBudgetBytes = 8L * 4 * 8 * dtype.byteSize(); // two images per chunk
                            check(rnd, dtype, new int[] {9, 4, 4, 2}, new int[] {2, 2, 2, 3},
                                    Conv2dParams.of(1, Padding.SAME));
                        }
                    } finally {
                        Parallel.setThreads(threads);
                        Convolution.chunksPerThread = perThread;
                    }
                    Convolution.colsBudgetBytes = budget;
                    // Big enough for im2col/col2im to split whole images over two threads.
                    check(rnd, dtype, new int[] {8, 16, 16, 8}, new int[] {3, 3, 8, 4},
                            Conv2dParams.of(1, Padding.SAME));
                    // A strided view as input is made contiguous first.
                    NdArray xt = KernelChecks.random(rnd, dtype, 2, 4, 5, 3).transpose(0, 2, 1, 3);
                    NdArray w = KernelChecks.random(rnd, dtype, 2, 2, 3, 2);
                    Conv2dParams p = Conv2dParams.of(1, Padding.SAME);
                    KernelChecks.assertClose("strided input", Convolution.conv2d(xt.copy(), w, p).toDoubleArray(),
                            absOf(Convolution.conv2d(xt.copy(), w, p).toDoubleArray()),
                            Convolution.conv2d(xt, w, p), 1);
                }
            } finally {
                Convolution.colsBudgetBytes = budget;
            }
        });
    }

    private static double[] absOf(double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Math.abs(v[i]);
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(Backend.Kind.class)
    void adjointIdentityInFloat64(Backend.Kind kind) {
        KernelChecks.under(kind, () -> {
            Random rnd = new Random(13);
            for (int trial = 0; trial < 10; trial++) {
                int[] xs = {1 + rnd.nextInt(3), 3 + rnd.nextInt(8), 3 + rnd.nextInt(8), 1 + rnd.nextInt(4)};
                int[] ws = {1 + rnd.nextInt(3), 1 + rnd.nextInt(3), xs[3], 1 + rnd.nextInt(4)};
                Conv2dParams p = new Conv2dParams(1 + rnd.nextInt(3), 1 + rnd.nextInt(3),
                        trial % 2 == 0 ? Padding.SAME : Padding.VALID, 1, 1 + rnd.nextInt(2));
                NdArray x = KernelChecks.random(rnd, DType.F64, xs);
                NdArray w = KernelChecks.random(rnd, DType.F64, ws);
                NdArray y = Convolution.conv2d(x, w, p);
                NdArray g = KernelChecks.random(rnd, DType.F64, y.shape().dims());
                // <conv(x, w), g> = <x, bwdInput(g, w)> = <w, bwdFilter(x, g)>
                double lhs = KernelChecks.dot(y.toDoubleArray(), g.toDoubleArray());
                double viaInput = KernelChecks.dot(x.toDoubleArray(),
                        Convolution.conv2dBackwardInput(g, w, x.shape(), p).toDoubleArray());
                double viaFilter = KernelChecks.dot(w.toDoubleArray(),
                        Convolution.conv2dBackwardFilter(x, g, w.shape(), p).toDoubleArray());
                double scale = 1e-12 * (1 + KernelChecks.absDot(y.toDoubleArray(), g.toDoubleArray()) * 100);
                assertEquals(lhs, viaInput, scale, "adjoint via input, " + p);
                assertEquals(lhs, viaFilter, scale, "adjoint via filter, " + p);
            }
        });
    }

    @ParameterizedTest
    @EnumSource(Backend.Kind.class)
    void emptyDimensions(Backend.Kind kind) {
        KernelChecks.under(kind, () -> {
            Conv2dParams same = Conv2dParams.of(1, Padding.SAME);
            for (DType dtype : DType.values()) {
                // No images: empty output; the filter gradient is all zeros.
                NdArray x0 = NdArray.zeros(dtype, 0, 4, 4, 2);
                NdArray w = NdArray.ones(dtype, 3, 3, 2, 5);
                assertEquals(Shape.of(0, 4, 4, 5), Convolution.conv2d(x0, w, same).shape());
                NdArray dw = Convolution.conv2dBackwardFilter(x0, NdArray.zeros(dtype, 0, 4, 4, 5), w.shape(), same);
                assertEquals(0.0, sumAbs(dw));
                // No input channels: every output is an empty sum.
                NdArray y = Convolution.conv2d(NdArray.zeros(dtype, 2, 3, 3, 0), NdArray.ones(dtype, 2, 2, 0, 3), same);
                assertEquals(Shape.of(2, 3, 3, 3), y.shape());
                assertEquals(0.0, sumAbs(y));
                // No output channels: the input gradient is zeros.
                NdArray dx = Convolution.conv2dBackwardInput(NdArray.zeros(dtype, 1, 3, 3, 0),
                        NdArray.ones(dtype, 2, 2, 2, 0), Shape.of(1, 3, 3, 2), same);
                assertEquals(0.0, sumAbs(dx));
                // Height 0 under SAME: empty output.
                assertEquals(Shape.of(1, 0, 3, 5),
                        Convolution.conv2d(NdArray.zeros(dtype, 1, 0, 3, 2), w, same).shape());
            }
        });
    }

    private static double sumAbs(NdArray a) {
        double s = 0;
        for (double v : a.toDoubleArray()) {
            s += Math.abs(v);
        }
        return s;
    }

    @Test
    void errorsNameOpShapesParamsAndExpectation() {
        NdArray x = NdArray.zeros(DType.F32, 1, 3, 3, 2);
        NdArray w = NdArray.zeros(DType.F32, 5, 2, 2, 4);
        Conv2dParams valid = Conv2dParams.of(1, Padding.VALID);
        assertError(() -> Convolution.conv2d(x, w, valid), "conv2d", "[1, 3, 3, 2]", "[5, 2, 2, 4]", "VALID",
                "height", "spans 5", "no larger than the input");
        assertError(() -> Convolution.conv2d(x, NdArray.zeros(DType.F32, 2, 2, 3, 4), valid), "conv2d",
                "[1, 3, 3, 2]", "[2, 2, 3, 4]", "2 channels", "expects 3");
        assertError(() -> Convolution.conv2d(NdArray.zeros(DType.F32, 3, 3, 2), w, valid), "conv2d", "[3, 3, 2]",
                "rank 4", "NHWC");
        assertError(() -> Convolution.conv2d(x, NdArray.zeros(DType.F32, 2, 2, 4), valid), "conv2d", "[2, 2, 4]",
                "rank 4");
        assertError(() -> Convolution.conv2d(x, NdArray.zeros(DType.F64, 1, 1, 2, 1), valid), "conv2d", "float32",
                "float64");
        NdArray w2 = NdArray.zeros(DType.F32, 2, 2, 2, 4);
        assertError(() -> Convolution.conv2dBackwardInput(NdArray.zeros(DType.F32, 1, 3, 3, 4), w2, x.shape(), valid),
                "conv2dBackwardInput", "[1, 3, 3, 4]", "expected [1, 2, 2, 4]");
        assertError(() -> Convolution.conv2dBackwardFilter(x, NdArray.zeros(DType.F32, 1, 2, 2, 3), w2.shape(), valid),
                "conv2dBackwardFilter", "[1, 2, 2, 3]", "expected [1, 2, 2, 4]");
        assertError(() -> Convolution.conv2dBackwardFilter(x, NdArray.zeros(DType.F32, 1, 1, 1, 4),
                Shape.of(2, 9, 2, 4), valid), "conv2dBackwardFilter", "[2, 9, 2, 4]", "width", "spans 9");
        assertError(() -> Conv2dParams.of(0, Padding.SAME), "Conv2dParams", "expected all >= 1");
        assertError(() -> new Conv2dParams(1, -2, Padding.SAME, 1, 1), "Conv2dParams", "-2");
        assertError(() -> new Conv2dParams(1, 1, Padding.SAME, 0, 1), "Conv2dParams", "dilations (0, 1)");
        assertThrows(NullPointerException.class, () -> new Conv2dParams(1, 1, null, 1, 1));
    }

    /**
     * The direct float32 kernels (forward and both gradients) against the im2col path on the same inputs, over
     * channel counts on both sides of a vector, one and two vectors per tile, tile tails, strides, dilations and
     * padding; and against the direct loops through {@link #check} with the kernels forced on.
     */
    @Test
    void directKernelsMatchIm2col() throws Exception {
        int saved = DirectConv.maxChannels;
        Random rnd = new Random(31);
        try {
            for (int trial = 0; trial < 80; trial++) {
                int[] xs = {1 + rnd.nextInt(3), 1 + rnd.nextInt(12), 1 + rnd.nextInt(12), 1 + rnd.nextInt(6)};
                int[] ws = {1 + rnd.nextInt(5), 1 + rnd.nextInt(5), xs[3], 1 + rnd.nextInt(70)};
                Conv2dParams p = randomParams(rnd);
                if (trial % 2 == 1) {
                    // Unit strides half the time: the direct input gradient takes only those.
                    p = new Conv2dParams(1, 1, p.padding(), p.dilationH(), p.dilationW());
                }
                if (!hasOutput(xs, ws, p)) {
                    continue;
                }
                NdArray x = KernelChecks.random(rnd, DType.F32, xs);
                NdArray w = KernelChecks.random(rnd, DType.F32, ws);
                DirectConv.maxChannels = -1;
                NdArray y = Convolution.conv2d(x, w, p);
                NdArray g = KernelChecks.random(rnd, DType.F32, y.shape().dims());
                NdArray dw = Convolution.conv2dBackwardFilter(x, g, w.shape(), p);
                NdArray dx = Convolution.conv2dBackwardInput(g, w, x.shape(), p);
                DirectConv.maxChannels = Integer.MAX_VALUE;
                String what = "x" + x.shape() + " w" + w.shape() + " " + p;
                assertNear("conv2d " + what, y, Convolution.conv2d(x, w, p), ws[0] * ws[1] * ws[2]);
                assertNear("conv2dBackwardFilter " + what, dw, Convolution.conv2dBackwardFilter(x, g, w.shape(), p),
                        (int) (y.size() / ws[3]));
                assertNear("conv2dBackwardInput " + what, dx, Convolution.conv2dBackwardInput(g, w, x.shape(), p),
                        ws[0] * ws[1] * ws[3]);
                check(rnd, DType.F32, xs, ws, p);
            }
            // Enough work for the batch to be split over threads (when there are several).
            for (Padding padding : Padding.values()) {
                DirectConv.maxChannels = Integer.MAX_VALUE;
                check(rnd, DType.F32, new int[] {5, 20, 20, 3}, new int[] {5, 5, 3, 40}, Conv2dParams.of(1, padding));
            }
            // Threads take whole images: the forward and input gradient have the same bits on one thread, on two,
            // and on a virtual thread (whose parts run one after another on it). The filter gradient's partials
            // add in part order: the same bits for the same thread count.
            DirectConv.maxChannels = saved;
            NdArray x = KernelChecks.random(rnd, DType.F32, 5, 20, 20, 3);
            NdArray w = KernelChecks.random(rnd, DType.F32, 5, 5, 3, 40);
            Conv2dParams same = Conv2dParams.of(1, Padding.SAME);
            NdArray gy = KernelChecks.random(rnd, DType.F32, 5, 20, 20, 40);
            java.util.function.Supplier<List<double[]>> products = () -> List.of(
                    Convolution.conv2d(x, w, same).toDoubleArray(),
                    Convolution.conv2dBackwardInput(gy, w, x.shape(), same).toDoubleArray(),
                    Convolution.conv2dBackwardFilter(x, gy, w.shape(), same).toDoubleArray());
            int threads = Parallel.threads();
            try {
                Parallel.setThreads(1);
                List<double[]> one = products.get();
                Parallel.setThreads(2);
                List<double[]> two = products.get();
                List<double[]> virtual;
                try (var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                    virtual = executor.submit(products::get).get();
                }
                for (int i = 0; i < 3; i++) {
                    if (i < 2) {
                        assertArrayEquals(one.get(i), two.get(i), "direct product " + i + " on 1 and 2 threads");
                    }
                    assertArrayEquals(two.get(i), virtual.get(i), "direct product " + i + " on a virtual thread");
                }
            } finally {
                Parallel.setThreads(threads);
            }
        } finally {
            DirectConv.maxChannels = saved;
        }
    }

    /**
     * The float32 forward and filter gradient whose im2col blocks are made inside the GEMM ({@link Im2colPanels}),
     * and the input gradient made the same way from the output gradient (stride 1, SAME):
     * against the direct loops, and against the chunked im2col path, on random geometries with more channels than
     * the direct kernels take (strides, dilations, padding, runs cut by block edges), and on a product larger than
     * one GEMM block in every direction, on one thread and two.
     */
    @Test
    void im2colPanelsMatchDirectLoopsAndTheChunkedPath() {
        Random rnd = new Random(41);
        int threads = Parallel.threads();
        boolean perThread = Convolution.chunksPerThread;
        try {
            for (int trial = 0; trial < 60; trial++) {
                int[] xs = {1 + rnd.nextInt(3), 1 + rnd.nextInt(12), 1 + rnd.nextInt(12), 5 + rnd.nextInt(30)};
                int[] ws = {1 + rnd.nextInt(5), 1 + rnd.nextInt(5), xs[3], 1 + rnd.nextInt(40)};
                Conv2dParams p = randomParams(rnd);
                if (!hasOutput(xs, ws, p) || (ws[0] == 1 && ws[1] == 1 && p.strideH() == 1 && p.strideW() == 1)) {
                    continue;
                }
                Parallel.setThreads(1 + trial % 2);
                Convolution.chunksPerThread = true;
                check(rnd, DType.F32, xs, ws, p);
                NdArray x = KernelChecks.random(rnd, DType.F32, xs);
                NdArray w = KernelChecks.random(rnd, DType.F32, ws);
                NdArray y = Convolution.conv2d(x, w, p);
                NdArray g = KernelChecks.random(rnd, DType.F32, y.shape().dims());
                NdArray dw = Convolution.conv2dBackwardFilter(x, g, w.shape(), p);
                Convolution.chunksPerThread = false;
                String what = "x" + x.shape() + " w" + w.shape() + " " + p;
                assertNear("conv2d panels vs chunks " + what, Convolution.conv2d(x, w, p), y, ws[0] * ws[1] * ws[2]);
                assertNear("conv2dBackwardFilter panels vs chunks " + what,
                        Convolution.conv2dBackwardFilter(x, g, w.shape(), p), dw, (int) (y.size() / ws[3]));
            }
            Convolution.chunksPerThread = true;
            // The filter gradient's pixel parts are fixed by the shape and the thread count: the same bits on
            // every run at 2 threads, and within rounding of 1 thread's.
            NdArray x = KernelChecks.random(rnd, DType.F32, 5, 30, 30, 12); // 4,500 pixels: two parts
            NdArray gy = KernelChecks.random(rnd, DType.F32, 5, 30, 30, 20);
            Conv2dParams same = Conv2dParams.of(1, Padding.SAME);
            Shape filterShape = Shape.of(3, 3, 12, 20);
            Parallel.setThreads(1);
            NdArray one = Convolution.conv2dBackwardFilter(x, gy, filterShape, same);
            Parallel.setThreads(2);
            double[] two = Convolution.conv2dBackwardFilter(x, gy, filterShape, same).toDoubleArray();
            for (int run = 0; run < 5; run++) {
                assertArrayEquals(two, Convolution.conv2dBackwardFilter(x, gy, filterShape, same).toDoubleArray(),
                        "filter gradient, run " + run + " on 2 threads");
            }
            assertNear("filter gradient on 1 and 2 threads", one, Convolution.conv2dBackwardFilter(x, gy, filterShape,
                    same), 4500);
            for (int t : new int[] {1, 2}) {
                Parallel.setThreads(t);
                // K = 5*5*24 = 600 taps (three depth blocks), 2*14*13 = 364 pixels (several row blocks), 70 filters.
                check(rnd, DType.F32, new int[] {2, 14, 13, 24}, new int[] {5, 5, 24, 70},
                        new Conv2dParams(1, 1, Padding.SAME, 1, 2));
                // SAME at stride 1: the input gradient is the flipped filter's convolution of the output gradient.
                // Even filter sizes pad unevenly; a filter larger than the image; a ResNet-like 3x3 layer.
                check(rnd, DType.F32, new int[] {2, 9, 8, 7}, new int[] {4, 2, 7, 5}, Conv2dParams.of(1, Padding.SAME));
                check(rnd, DType.F32, new int[] {3, 2, 1, 6}, new int[] {3, 5, 6, 4}, Conv2dParams.of(1, Padding.SAME));
                check(rnd, DType.F32, new int[] {2, 12, 12, 40}, new int[] {3, 3, 40, 36},
                        Conv2dParams.of(1, Padding.SAME));
            }
        } finally {
            Parallel.setThreads(threads);
            Convolution.chunksPerThread = perThread;
        }
    }

    /**
     * Strides and dilations so large that the windows reach far past a small image: the direct kernels (few
     * input channels) would copy a padded image of billions of floats; the im2col path takes these instead.
     */
    @Test
    void hugeStridesAndDilationsMatchDirectLoops() {
        Random rnd = new Random(71);
        for (int[] xs : new int[][] {{1, 5, 7, 2}, {2, 3, 4, 1}}) {
            check(rnd, DType.F32, xs, new int[] {2, 3, xs[3], 2}, new Conv2dParams(5, Integer.MAX_VALUE,
                    Padding.SAME, 1 << 30, 1 << 16));
            check(rnd, DType.F32, xs, new int[] {1, 2, xs[3], 3}, new Conv2dParams(1, 1, Padding.SAME, 1, 1 << 28));
        }
    }

    /**
     * Float32 3x3 stride-1 layers with 16 or more channels on each side run as Winograd F(2x2, 3x3) products, all
     * three of them: against the direct loops in double, and against im2col (Winograd switched off), on random
     * geometries (SAME and VALID, odd and even sizes, channel counts that leave partial vectors, an image smaller
     * than the filter) on one thread and two, and on products of several tile blocks. The filter gradient has the
     * same bits on every run at a given thread count.
     */
    @Test
    void winogradMatchesDirectLoopsAndIm2col() {
        Random rnd = new Random(61);
        int threads = Parallel.threads();
        try {
            for (int trial = 0; trial < 40; trial++) {
                Padding padding = rnd.nextBoolean() ? Padding.SAME : Padding.VALID;
                int low = padding == Padding.VALID ? 3 : 1;
                int[] xs = {1 + rnd.nextInt(3), low + rnd.nextInt(12), low + rnd.nextInt(12), 16 + rnd.nextInt(25)};
                int[] ws = {3, 3, xs[3], 16 + rnd.nextInt(55)};
                Parallel.setThreads(1 + trial % 2);
                checkWinograd(rnd, xs, ws, Conv2dParams.of(1, padding));
            }
            for (int t : new int[] {1, 2}) {
                Parallel.setThreads(t);
                // 2 x 10 x 10 = 200 tiles of 16 -> 16 channels: two blocks; 24 x 24 x 48 -> 80: several.
                checkWinograd(rnd, new int[] {2, 20, 19, 16}, new int[] {3, 3, 16, 16}, Conv2dParams.of(1,
                        Padding.SAME));
                checkWinograd(rnd, new int[] {3, 24, 24, 48}, new int[] {3, 3, 48, 80}, Conv2dParams.of(1,
                        Padding.VALID));
                checkWinograd(rnd, new int[] {1, 1, 2, 20}, new int[] {3, 3, 20, 17}, Conv2dParams.of(1,
                        Padding.SAME));
            }
            Parallel.setThreads(2);
            NdArray x = KernelChecks.random(rnd, DType.F32, 4, 30, 30, 32);
            NdArray gy = KernelChecks.random(rnd, DType.F32, 4, 30, 30, 32);
            Conv2dParams same = Conv2dParams.of(1, Padding.SAME);
            double[] first = Convolution.conv2dBackwardFilter(x, gy, Shape.of(3, 3, 32, 32), same).toDoubleArray();
            for (int run = 0; run < 5; run++) {
                assertArrayEquals(first, Convolution.conv2dBackwardFilter(x, gy, Shape.of(3, 3, 32, 32), same)
                        .toDoubleArray(), "Winograd filter gradient, run " + run + " on 2 threads");
            }
        } finally {
            Parallel.setThreads(threads);
            Convolution.winogradAllowed = true;
        }
    }

    /**
     * F(2x2, 5x5): 5x5 layers whose channel counts are whole vectors, SAME and VALID (whose input gradient pads by
     * 4), on 1 and 2 threads, against direct loops and im2col; each product must differ from im2col's in some bit,
     * which shows that it took the Winograd path. LeNet's second layer at batch 2, and a layer with a partial
     * vector of channels, which keeps im2col.
     */
    @Test
    void winograd5x5MatchesDirectLoopsAndIm2col() throws Exception {
        Random rnd = new Random(71);
        int threads = Parallel.threads();
        int l = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        try {
            for (int trial = 0; trial < 16; trial++) {
                Padding padding = trial % 2 == 0 ? Padding.SAME : Padding.VALID;
                int low = padding == Padding.VALID ? 5 : 1;
                int c = l * (1 + rnd.nextInt(3));
                int[] xs = {1 + rnd.nextInt(2), low + rnd.nextInt(11), low + rnd.nextInt(11), c};
                int[] ws = {5, 5, c, l * (1 + rnd.nextInt(3))};
                Parallel.setThreads(1 + trial % 2);
                checkWinograd(rnd, xs, ws, Conv2dParams.of(1, padding));
                assertTakesWinograd(rnd, xs, ws, Conv2dParams.of(1, padding));
            }
            for (int t : new int[] {1, 2}) {
                Parallel.setThreads(t);
                checkWinograd(rnd, new int[] {2, 14, 14, 2 * l}, new int[] {5, 5, 2 * l, 4 * l}, Conv2dParams.of(1,
                        Padding.VALID));
                checkWinograd(rnd, new int[] {1, 9, 9, l + 8}, new int[] {5, 5, l + 8, l}, Conv2dParams.of(1,
                        Padding.SAME));
            }
            // The input gradient gives each thread whole images and the filter gradient fixed tile ranges: the
            // same bits on every run, and on a virtual thread (whose parts run one after another) as on this one.
            Parallel.setThreads(2);
            NdArray x = KernelChecks.random(rnd, DType.F32, 5, 12, 12, l);
            NdArray w = KernelChecks.random(rnd, DType.F32, 5, 5, l, 2 * l);
            NdArray gy = KernelChecks.random(rnd, DType.F32, 5, 12, 12, 2 * l);
            Conv2dParams same = Conv2dParams.of(1, Padding.SAME);
            double[] dx = Convolution.conv2dBackwardInput(gy, w, x.shape(), same).toDoubleArray();
            double[] dw = Convolution.conv2dBackwardFilter(x, gy, w.shape(), same).toDoubleArray();
            for (int run = 0; run < 3; run++) {
                assertArrayEquals(dx, Convolution.conv2dBackwardInput(gy, w, x.shape(), same).toDoubleArray());
                assertArrayEquals(dw, Convolution.conv2dBackwardFilter(x, gy, w.shape(), same).toDoubleArray());
            }
            Parallel.setThreads(1);
            assertArrayEquals(dx, Convolution.conv2dBackwardInput(gy, w, x.shape(), same).toDoubleArray(),
                    "5x5 input gradient on 1 thread and on 2");
            Parallel.setThreads(2);
            try (var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                assertArrayEquals(dx, executor.submit(() -> Convolution.conv2dBackwardInput(gy, w, x.shape(), same)
                        .toDoubleArray()).get(), "5x5 input gradient on a virtual thread");
                assertArrayEquals(dw, executor.submit(() -> Convolution.conv2dBackwardFilter(x, gy, w.shape(), same)
                        .toDoubleArray()).get(), "5x5 filter gradient on a virtual thread");
            }
        } finally {
            Parallel.setThreads(threads);
            Convolution.winogradAllowed = true;
        }
    }

    /** Each of the three products differs from im2col's in at least one bit: Winograd computed it. */
    private static void assertTakesWinograd(Random rnd, int[] xs, int[] ws, Conv2dParams p) {
        NdArray x = KernelChecks.random(rnd, DType.F32, xs);
        NdArray w = KernelChecks.random(rnd, DType.F32, ws);
        Convolution.winogradAllowed = true;
        NdArray y = Convolution.conv2d(x, w, p);
        NdArray g = KernelChecks.random(rnd, DType.F32, y.shape().dims());
        double[] fast = Convolution.conv2d(x, w, p).toDoubleArray();
        double[] dx = Convolution.conv2dBackwardInput(g, w, x.shape(), p).toDoubleArray();
        double[] dw = Convolution.conv2dBackwardFilter(x, g, w.shape(), p).toDoubleArray();
        Convolution.winogradAllowed = false;
        String what = "x" + x.shape() + " w" + w.shape() + " " + p;
        assertFalse(Arrays.equals(fast, Convolution.conv2d(x, w, p).toDoubleArray()), "forward of " + what);
        assertFalse(Arrays.equals(dx, Convolution.conv2dBackwardInput(g, w, x.shape(), p).toDoubleArray()),
                "input gradient of " + what);
        assertFalse(Arrays.equals(dw, Convolution.conv2dBackwardFilter(x, g, w.shape(), p).toDoubleArray()),
                "filter gradient of " + what);
        Convolution.winogradAllowed = true;
    }

    /**
     * The filter gradients sum per-part partials: a virtual thread (whose parts run one after another on it, never
     * on the workers) gets the same parts, hence the same bits, as a platform thread. Before, float64's chunked
     * path on a virtual thread summed only the first part's chunks (a wrong result, silently), and the other paths
     * summed in one part (other bits). Every path: direct (3 channels), chunked (float64), panels, Winograd.
     */
    @Test
    void filterGradientsOnAVirtualThreadHaveThePlatformThreadsBits() throws Exception {
        int threads = Parallel.threads();
        try {
            Parallel.setThreads(2);
            Random rnd = new Random(91);
            for (DType dtype : DType.values()) {
                for (int c : new int[] {3, 8, 16}) {
                    NdArray x = KernelChecks.random(rnd, dtype, 16, 28, 28, c);
                    NdArray gy = KernelChecks.random(rnd, dtype, 16, 28, 28, 16);
                    Conv2dParams same = Conv2dParams.of(1, Padding.SAME);
                    Shape filter = Shape.of(3, 3, c, 16);
                    double[] platform = Convolution.conv2dBackwardFilter(x, gy, filter, same).toDoubleArray();
                    double[] virtual;
                    try (var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                        virtual = executor.submit(() -> Convolution.conv2dBackwardFilter(x, gy, filter, same)
                                .toDoubleArray()).get();
                    }
                    assertArrayEquals(platform, virtual, dtype + " filter gradient with " + c + " channels");
                }
            }
        } finally {
            Parallel.setThreads(threads);
        }
    }

    /**
     * A NaN or an infinity in a Winograd tile reaches all of the tile's outputs through the transforms, including
     * outputs whose windows do not contain it: such products are recomputed with im2col, so every result is
     * bit for bit im2col's, NaN for NaN.
     */
    @Test
    void winogradLeavesNonFiniteValuesWhereIm2colPutsThem() {
        Random rnd = new Random(81);
        try {
            for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                for (int k : new int[] {3, 5}) {
                    int f = k == 3 ? 20 : 32; // 5x5 Winograd takes whole vectors of channels
                    NdArray x = KernelChecks.random(rnd, DType.F32, 2, 9, 8, 16);
                    NdArray w = KernelChecks.random(rnd, DType.F32, k, k, 16, f);
                    NdArray gy = KernelChecks.random(rnd, DType.F32, 2, 9, 8, f);
                    x.segment().set(ValueLayout.JAVA_FLOAT, x.byteOffset() + 4L * (((9 + 4) * 8 + 5) * 16 + 3),
                            bad);
                    gy.segment().set(ValueLayout.JAVA_FLOAT, gy.byteOffset() + 4L * ((2 * 8 + 6) * f + 7), bad);
                    Conv2dParams same = Conv2dParams.of(1, Padding.SAME);
                    Convolution.winogradAllowed = true;
                    double[] y = Convolution.conv2d(x, w, same).toDoubleArray();
                    double[] dx = Convolution.conv2dBackwardInput(gy, w, x.shape(), same).toDoubleArray();
                    double[] dw = Convolution.conv2dBackwardFilter(x, gy, w.shape(), same).toDoubleArray();
                    Convolution.winogradAllowed = false;
                    assertArrayEquals(Convolution.conv2d(x, w, same).toDoubleArray(), y,
                            k + "x" + k + " conv2d with " + bad);
                    assertArrayEquals(Convolution.conv2dBackwardInput(gy, w, x.shape(), same).toDoubleArray(), dx,
                            k + "x" + k + " conv2dBackwardInput with " + bad);
                    assertArrayEquals(Convolution.conv2dBackwardFilter(x, gy, w.shape(), same).toDoubleArray(), dw,
                            k + "x" + k + " conv2dBackwardFilter with " + bad);
                    long finite = Arrays.stream(y).filter(Double::isFinite).count();
                    assertTrue(finite > y.length / 2, "most outputs stay finite with one " + bad + ": " + finite);
                }
            }
        } finally {
            Convolution.winogradAllowed = true;
        }
    }

    /**
     * The direct input gradient and im2col put infinities and NaNs in the same places: from the output gradient,
     * which both multiply by the same filter taps; and from the filter, whose padded products the direct kernel
     * would form with zeros col2im never touches (0 * inf = NaN), so such a filter takes im2col itself.
     */
    @Test
    void directInputGradientLeavesNonFiniteValuesWhereIm2colPutsThem() {
        int saved = DirectConv.maxChannels;
        Random rnd = new Random(83);
        try {
            for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                for (Padding padding : Padding.values()) {
                    Conv2dParams p = Conv2dParams.of(1, padding);
                    NdArray w = KernelChecks.random(rnd, DType.F32, 5, 5, 3, 20);
                    NdArray gy = KernelChecks.random(rnd, DType.F32, Convolution.conv2d(
                            NdArray.zeros(DType.F32, 2, 11, 10, 3), w, p).shape().dims());
                    gy.segment().set(ValueLayout.JAVA_FLOAT, gy.byteOffset() + 4L * (gy.size() / 2 + 7), bad);
                    Shape xs = Shape.of(2, 11, 10, 3);
                    DirectConv.maxChannels = saved;
                    double[] direct = Convolution.conv2dBackwardInput(gy, w, xs, p).toDoubleArray();
                    DirectConv.maxChannels = -1;
                    double[] im2col = Convolution.conv2dBackwardInput(gy, w, xs, p).toDoubleArray();
                    for (int i = 0; i < im2col.length; i++) {
                        String what = "conv2dBackwardInput " + padding + " with " + bad + " in dy, element " + i;
                        if (Double.isFinite(im2col[i])) {
                            assertEquals(im2col[i], direct[i], 1e-3 * (1 + Math.abs(im2col[i])), what);
                        } else {
                            assertEquals(im2col[i], direct[i], what);
                        }
                    }
                    NdArray gy2 = KernelChecks.random(rnd, DType.F32, gy.shape().dims());
                    w.segment().set(ValueLayout.JAVA_FLOAT, w.byteOffset() + 4L * ((3 * 5 + 4) * 3 * 20 + 20 + 9),
                            bad);
                    DirectConv.maxChannels = saved;
                    double[] directW = Convolution.conv2dBackwardInput(gy2, w, xs, p).toDoubleArray();
                    DirectConv.maxChannels = -1;
                    assertArrayEquals(Convolution.conv2dBackwardInput(gy2, w, xs, p).toDoubleArray(), directW,
                            "conv2dBackwardInput " + padding + " with " + bad + " in the filter");
                    long finite = Arrays.stream(directW).filter(Double::isFinite).count();
                    assertTrue(finite > 0 && finite < directW.length, "some of dx is finite: " + finite);
                }
            }
        } finally {
            DirectConv.maxChannels = saved;
        }
    }

    /**
     * One Winograd geometry: the three products against the direct loops, then against im2col's. Rounding is
     * bounded by the largest magnitude sum rather than each element's own: a tile's transforms add and subtract
     * inputs that its four outputs share, so one output's error follows its neighbours' magnitudes too.
     */
    private static void checkWinograd(Random rnd, int[] xs, int[] ws, Conv2dParams p) {
        Convolution.winogradAllowed = true;
        NdArray x = KernelChecks.random(rnd, DType.F32, xs);
        NdArray w = KernelChecks.random(rnd, DType.F32, ws);
        NdArray y = Convolution.conv2d(x, w, p);
        NdArray g = KernelChecks.random(rnd, DType.F32, y.shape().dims());
        NdArray dx = Convolution.conv2dBackwardInput(g, w, x.shape(), p);
        NdArray dw = Convolution.conv2dBackwardFilter(x, g, w.shape(), p);
        String what = "x" + x.shape() + " w" + w.shape() + " " + p + " on " + Parallel.threads() + " threads";
        Reference r = Reference.of(x.toDoubleArray(), xs, w.toDoubleArray(), ws, g.toDoubleArray(), p);
        int window = ws[0] * ws[1];
        int taps = window * ws[2];
        assertNear("conv2d Winograd vs direct loops " + what, r.y(), r.yAbs(), y, 16 * taps);
        assertNear("conv2dBackwardInput Winograd vs direct loops " + what, r.dx(), r.dxAbs(), dx,
                16 * window * ws[3]);
        // F(2x2, 5x5)'s filter gradient rounds more: its transforms' entries reach 5 (Bᵀ), 2 (A) and 1/24 (G),
        // and dU sums products of both grown transforms. Seen: up to 1.7 times the 3x3 bound (worst of the
        // trials below, a VALID layer with a small output), against 0.07 for 3x3 and 0.04 for 5x5 forwards. The
        // bound grows as the square root of the terms: 64 times the terms is 8 times the bound.
        int growth = ws[0] == 5 ? 64 : 1;
        assertNear("conv2dBackwardFilter Winograd vs direct loops " + what, r.dw(), r.dwAbs(), dw,
                growth * 16 * (int) (y.size() / ws[3]));
        Convolution.winogradAllowed = false;
        // Winograd's transforms add up to 4 inputs before multiplying: a few times im2col's rounding.
        assertNear("conv2d Winograd vs im2col " + what, Convolution.conv2d(x, w, p), y, 16 * taps);
        assertNear("conv2dBackwardInput Winograd vs im2col " + what, Convolution.conv2dBackwardInput(g, w, x.shape(),
                p), dx, 16 * window * ws[3]);
        assertNear("conv2dBackwardFilter Winograd vs im2col " + what, Convolution.conv2dBackwardFilter(x, g,
                w.shape(), p), dw, growth * 16 * (int) (y.size() / ws[3]));
        Convolution.winogradAllowed = true;
    }

    /**
     * The chunked filter gradient (float64 here) sums each thread's chunks into its own partial: each part takes
     * a fixed share of the chunks, so the bits do not depend on which thread got ahead.
     */
    @Test
    void chunkedFilterGradientHasTheSameBitsEveryRun() {
        int threads = Parallel.threads();
        long budget = Convolution.colsBudgetBytes;
        try {
            Parallel.setThreads(2);
            Convolution.colsBudgetBytes = 12L * 12 * 45 * 8; // one image's rows per chunk: many chunks
            Random rnd = new Random(51);
            NdArray x = KernelChecks.random(rnd, DType.F64, 16, 12, 12, 5);
            NdArray gy = KernelChecks.random(rnd, DType.F64, 16, 12, 12, 4);
            Conv2dParams same = Conv2dParams.of(1, Padding.SAME);
            double[] first = Convolution.conv2dBackwardFilter(x, gy, Shape.of(3, 3, 5, 4), same).toDoubleArray();
            for (int run = 0; run < 30; run++) {
                assertArrayEquals(first, Convolution.conv2dBackwardFilter(x, gy, Shape.of(3, 3, 5, 4), same)
                        .toDoubleArray(), "run " + run);
            }
        } finally {
            Parallel.setThreads(threads);
            Convolution.colsBudgetBytes = budget;
        }
    }

    /** Closeness to double loops of a float32 result of {@code terms}-term sums, relative to the largest |sum|. */
    private static void assertNear(String what, double[] expected, double[] absSums, NdArray got, int terms) {
        double[] a = got.toDoubleArray();
        assertEquals(expected.length, a.length, what);
        double scale = 1e-30;
        for (double v : absSums) {
            scale = Math.max(scale, v);
        }
        double tol = 4 * Math.sqrt(Math.max(1, terms)) * 0x1p-24 * scale;
        for (int i = 0; i < a.length; i++) {
            if (!(Math.abs(expected[i] - a[i]) <= tol)) {
                throw new AssertionError(what + ": element " + i + " is " + a[i] + ", expected " + expected[i]
                        + " (tolerance " + tol + ")");
            }
        }
    }

    /** Element-wise closeness of two float32 results of {@code terms}-term sums, relative to the larger scale. */
    private static void assertNear(String what, NdArray expected, NdArray got, int terms) {
        assertEquals(expected.shape(), got.shape(), what);
        double[] e = expected.toDoubleArray();
        double[] a = got.toDoubleArray();
        double scale = 1e-30;
        for (double v : e) {
            scale = Math.max(scale, Math.abs(v));
        }
        double tol = 4 * Math.sqrt(Math.max(1, terms)) * 0x1p-23 * scale * 4;
        for (int i = 0; i < e.length; i++) {
            if (!(Math.abs(e[i] - a[i]) <= tol)) {
                throw new AssertionError(what + ": element " + i + " is " + a[i] + ", im2col gives " + e[i]
                        + " (tolerance " + tol + ")");
            }
        }
    }

    /**
     * OpenBLAS's thread count is process-wide: a convolution must never change it, not even for the duration of a
     * call, or a concurrent matmul (or another convolution restoring what it saw) would observe the wrong count.
     */
    @Test
    void concurrentConvolutionsLeaveTheBlasThreadCountAlone() throws Exception {
        assumeTrue(Backend.isAvailable(Backend.Kind.OPENBLAS), () -> "OpenBLAS unavailable: " + Backend.describe());
        int before = Backend.threads();
        Backend.setThreads(2);
        int blas = dev.cotangent.bindings.openblas.OpenBlas.threads();
        try {
            // Enough output rows that the two Java threads take whole chunks each.
            NdArray x = KernelChecks.random(new Random(21), DType.F32, 16, 32, 32, 3);
            NdArray w = KernelChecks.random(new Random(22), DType.F32, 5, 5, 3, 8);
            Conv2dParams p = Conv2dParams.of(1, Padding.SAME);
            AtomicBoolean done = new AtomicBoolean();
            AtomicInteger seen = new AtomicInteger(blas);
            Thread watcher = Thread.ofPlatform().start(() -> {
                while (!done.get()) {
                    int now = dev.cotangent.bindings.openblas.OpenBlas.threads();
                    if (now != blas) {
                        seen.set(now);
                    }
                }
            });
            Thread[] callers = new Thread[2];
            AtomicReference<Throwable> failure = new AtomicReference<>();
            for (int t = 0; t < callers.length; t++) {
                callers[t] = Thread.ofPlatform().start(() -> Backend.runWith(Backend.Kind.OPENBLAS, () -> {
                    try {
                        for (int i = 0; i < 20; i++) {
                            Convolution.conv2d(x, w, p).close();
                            Convolution.conv2dBackwardFilter(x, Convolution.conv2d(x, w, p), w.shape(), p).close();
                        }
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                }));
            }
            for (Thread t : callers) {
                t.join();
            }
            done.set(true);
            watcher.join();
            assertNull(failure.get());
            assertEquals(blas, seen.get(), "a thread saw OpenBLAS's thread count change during a convolution");
            assertEquals(blas, dev.cotangent.bindings.openblas.OpenBlas.threads(),
                    "OpenBLAS's thread count after concurrent convolutions");
            assertEquals(2, Backend.threads());
        } finally {
            Backend.setThreads(before);
        }
    }
}
