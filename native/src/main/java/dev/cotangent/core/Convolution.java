package dev.cotangent.core;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * 2-D convolution in NHWC with filters [KH, KW, C_in, C_out] (TensorFlow's layout) and its two backward
 * products, as im2col + GEMM on the {@link Backend}'s GEMM.
 *
 * <p>The im2col matrix has one row per output pixel and one column per filter tap and input channel, in the
 * filter's own order, so the filter is used in place as a [KH*KW*C_in, C_out] matrix. The batch is processed
 * in chunks of output rows of about one L2 cache (never more than 64 MiB), so that the GEMM reads the im2col
 * rows from cache right after they were written; a 1x1 stride-1 convolution skips im2col, and so do the three
 * products in float32 with few input channels ({@link DirectConv}; the input gradient at unit strides). Other
 * float32 forwards and filter gradients are one Java GEMM over the whole batch whose im2col blocks are made from
 * the image as it packs them ({@link Im2colPanels}): no im2col matrix is written at all.
 *
 * <p>Threads: with more than one thread and enough chunks, each thread takes whole chunks and runs im2col, a
 * single-threaded Java GEMM and col2im on its own core, with no hand-off inside a chunk (OpenBLAS is never asked
 * for one thread: its thread count is process-wide, and another thread would see it change). Letting OpenBLAS
 * thread each GEMM instead leaves its spinning worker threads competing with the Java threads doing im2col and col2im: on 2 cores, 206 ms against
 * 30 ms for a forward plus both backward products of a [64,32,32,3] batch with a 5x5x3x32 filter. System
 * property {@code cotangent.conv.gemm=backend} keeps every GEMM on the backend's own threading, chunk after
 * chunk, with im2col and col2im split over the Java threads; scripts/bench conv2d measures both.
 */
public final class Convolution {
    /** Largest im2col buffer: big enough for large GEMMs, small enough to stay out of the way (tests shrink it). */
    static volatile long colsBudgetBytes = 64L << 20;
    /** Preferred im2col chunk per thread: about one L2 cache (tests and benchmarks may change it). */
    static volatile long chunkBytes = 1L << 20;
    /** Fewest GEMM rows per chunk (when the budget allows), so that per-call costs stay small. */
    private static final int MIN_CHUNK_ROWS = 1024;
    /** Whether threads may take whole chunks with the Java GEMM (see the class comment). */
    static volatile boolean chunksPerThread = !"backend".equals(Requested.GEMM);
    /** Whether 3x3 stride-1 layers may run as Winograd products ({@link Winograd}); tests switch it. */
    static volatile boolean winogradAllowed = !"off".equals(Requested.WINOGRAD);

    /** The system property that places a convolution's GEMMs: {@code default} or {@code backend}. */
    public static final String GEMM_PROPERTY = "cotangent.conv.gemm";
    /** The system property that allows ({@code auto}, the default) or forbids ({@code off}) Winograd products. */
    public static final String WINOGRAD_PROPERTY = "cotangent.conv.winograd";

    /** The two properties, read once per JVM; a value neither accepts is reported by every convolution. */
    private static final class Requested {
        static final String GEMM = read(GEMM_PROPERTY);
        static final String WINOGRAD = read(WINOGRAD_PROPERTY);
        static final @Nullable String PROBLEM = problem(GEMM_PROPERTY, GEMM, "default", "backend") != null
                ? problem(GEMM_PROPERTY, GEMM, "default", "backend")
                : problem(WINOGRAD_PROPERTY, WINOGRAD, "auto", "off");

        private static String read(String property) {
            return System.getProperty(property, "").strip().toLowerCase(java.util.Locale.ROOT);
        }

        private static @Nullable String problem(String property, String value, String first, String second) {
            if (value.isEmpty() || value.equals(first) || value.equals(second)) {
                return null;
            }
            return "system property " + property + "=" + System.getProperty(property) + " is not understood;"
                    + " expected " + first + " or " + second + " (or unset)";
        }
    }

    /** Throws if a convolution property has a value this class does not know. */
    private static void checkProperties(String op) {
        if (Requested.PROBLEM != null) {
            throw new IllegalStateException(op + ": " + Requested.PROBLEM);
        }
    }

    private Convolution() {}

    /** The convolution of {@code input} [N, H, W, C_in] with {@code filter} [KH, KW, C_in, C_out]. */
    public static NdArray conv2d(NdArray input, NdArray filter, Conv2dParams p) {
        Checks.notNull(input, "conv2d", "input").checkAlive();
        Checks.notNull(filter, "conv2d", "filter").checkAlive();
        DType dtype = DType.common("conv2d", input.dtype(), filter.dtype());
        ConvGeometry g = ConvGeometry.of("conv2d", input.shape(), filter.shape(), p);
        checkProperties("conv2d");
        NdArray out = NdArray.allocate("conv2d", dtype, Shape.of("conv2d", g.n(), g.oh(), g.ow(), g.f()));
        if (out.size() == 0) {
            return out;
        }
        if (g.k() == 0) {
            out.fill(0);
            return out;
        }
        NdArray x = input.contiguous("conv2d");
        NdArray w = filter.contiguous("conv2d");
        try {
            long es = dtype.byteSize();
            MemorySegment xs = x.segment();
            MemorySegment ws = w.segment();
            MemorySegment os = out.segment();
            if (g.pointwise()) {
                // 1x1, stride 1, no padding: the input rows are the im2col rows.
                pointwise(g, (u0, rows) -> gemm(Backend.gemm(), dtype, false, false, rows, g.f(), g.c(), xs,
                        x.byteOffset() + u0 * g.ow() * g.c() * es, g.c(), ws, w.byteOffset(), g.f(), 0, os,
                        out.byteOffset() + u0 * g.ow() * g.f() * es, g.f()));
                return out;
            }
            if (DirectConv.applies(g, dtype)) {
                DirectConv.forward(g, xs, x.byteOffset(), ws, w.byteOffset(), os, out.byteOffset());
                return out;
            }
            if (winograd(g, dtype, WINOGRAD_PAIRS)
                    && Winograd.forward(g, xs, x.byteOffset(), ws, w.byteOffset(), os, out.byteOffset())) {
                return out;
            }
            if (panels(g, dtype)) {
                // out [pixels, F] = im2col(x) [pixels, K] @ W [K, F], im2col made block by block in the GEMM.
                JavaGemm.INSTANCE.sgemmPanels(false, pixels(g), g.f(), g.k(), new Im2colPanels(g, xs, x.byteOffset()),
                        Parallel.shareable(xs, xs, xs), ws, w.byteOffset(), g.f(), 0f, os, out.byteOffset(), g.f());
                return out;
            }
            chunks(g, dtype, (run, cols, u0, units, part) -> {
                run.im2col(g, es, xs, x.byteOffset(), cols, u0, units);
                gemm(run.gemm, dtype, false, false, units * g.ow(), g.f(), g.k(), cols, 0, g.k(), ws,
                        w.byteOffset(), g.f(), 0, os, out.byteOffset() + (long) u0 * g.ow() * g.f() * es, g.f());
            });
        } finally {
            releaseCopy(x, input);
            releaseCopy(w, filter);
        }
        return out;
    }

    /** The gradient of {@code conv2d} with respect to its input, given the output's gradient [N, OH, OW, C_out]. */
    public static NdArray conv2dBackwardInput(NdArray gradOutput, NdArray filter, Shape inputShape, Conv2dParams p) {
        String op = "conv2dBackwardInput";
        Checks.notNull(gradOutput, op, "gradOutput").checkAlive();
        Checks.notNull(filter, op, "filter").checkAlive();
        Checks.notNull(inputShape, op, "inputShape");
        DType dtype = DType.common(op, gradOutput.dtype(), filter.dtype());
        ConvGeometry g = ConvGeometry.of(op, inputShape, filter.shape(), p);
        g.checkGradOutput(gradOutput.shape());
        checkProperties(op);
        NdArray dx = NdArray.allocate(op, dtype, inputShape);
        if (dx.size() == 0) {
            return dx;
        }
        boolean empty = (long) g.units() * g.ow() == 0 || g.f() == 0;
        if (!empty && DirectConv.appliesToInputGradient(g, dtype)) {
            // Few input channels: each input pixel's window of the output gradient, no dcols matrix or col2im.
            // A filter that is not finite goes on to im2col.
            NdArray dy = gradOutput.contiguous(op);
            NdArray w = filter.contiguous(op);
            boolean done;
            try {
                done = DirectConv.backwardInput(g, dy.segment(), dy.byteOffset(), w.segment(), w.byteOffset(),
                        dx.segment(), dx.byteOffset());
            } finally {
                releaseCopy(dy, gradOutput);
                releaseCopy(w, filter);
            }
            if (done) {
                return dx;
            }
        }
        if (!empty && winograd(g, dtype, WINOGRAD_PAIRS) && (long) g.n() * g.h() * g.w() <= Integer.MAX_VALUE) {
            // 3x3: dx = conv2d(dy, flipped W), a 3x3 stride-1 convolution too; fewer multiply-adds than col2im's
            // product even for VALID layers, whose adjoint pads by 2. Non-finite values go on to im2col.
            NdArray dy = gradOutput.contiguous(op);
            boolean done;
            if (g.kh() == 5) {
                // 5x5: the product's transpose, as many multiply-adds as the forward (see Winograd.inputGradient)
                NdArray w = filter.contiguous(op);
                try {
                    done = Winograd.inputGradient(g, dy.segment(), dy.byteOffset(), w.segment(), w.byteOffset(),
                            dx.segment(), dx.byteOffset());
                } finally {
                    releaseCopy(dy, gradOutput);
                    releaseCopy(w, filter);
                }
            } else {
                try (NdArray flipped = flippedFilter(filter, g)) {
                    done = Winograd.forward(g.adjoint(), dy.segment(), dy.byteOffset(), flipped.segment(),
                            flipped.byteOffset(), dx.segment(), dx.byteOffset());
                } finally {
                    releaseCopy(dy, gradOutput);
                }
            }
            if (done) {
                return dx;
            }
        }
        if (!empty && adjointPanels(g, dtype)) {
            // dx = conv2d(dy, flipped W): one GEMM with the output gradient's im2col made block by block, no
            // col2im scatter. As many multiply-adds as the forward when the output is as large as the input.
            ConvGeometry t = g.adjoint();
            NdArray dy = gradOutput.contiguous(op);
            try (NdArray flipped = flippedFilter(filter, g)) {
                MemorySegment gs = dy.segment();
                JavaGemm.INSTANCE.sgemmPanels(false, g.n() * g.h() * g.w(), g.c(), t.k(),
                        new Im2colPanels(t, gs, dy.byteOffset()), Parallel.shareable(gs, gs, gs), flipped.segment(),
                        flipped.byteOffset(), g.c(), 0f, dx.segment(), dx.byteOffset(), g.c());
            } finally {
                releaseCopy(dy, gradOutput);
            }
            return dx;
        }
        if (empty || !g.pointwise()) {
            // col2im accumulates; pixels no window touches (or every pixel, for an empty product) stay zero.
            dx.fill(0);
        }
        if (empty) {
            return dx;
        }
        NdArray dy = gradOutput.contiguous(op);
        NdArray w = filter.contiguous(op);
        try {
            long es = dtype.byteSize();
            MemorySegment gs = dy.segment();
            MemorySegment ws = w.segment();
            MemorySegment xs = dx.segment();
            if (g.pointwise()) {
                // dx = dy @ W^T straight into the input's rows: the pixel grid is the same.
                pointwise(g, (u0, rows) -> gemm(Backend.gemm(), dtype, false, true, rows, g.c(), g.f(), gs,
                        dy.byteOffset() + u0 * g.ow() * g.f() * es, g.f(), ws, w.byteOffset(), g.f(), 0, xs,
                        dx.byteOffset() + u0 * g.ow() * g.c() * es, g.c()));
                return dx;
            }
            chunks(g, dtype, (run, cols, u0, units, part) -> {
                // dcols = dy @ W^T, then scattered back onto the pixels each row came from.
                gemm(run.gemm, dtype, false, true, units * g.ow(), g.k(), g.f(), gs,
                        dy.byteOffset() + (long) u0 * g.ow() * g.f() * es, g.f(), ws, w.byteOffset(), g.f(), 0, cols,
                        0, g.k());
                run.col2im(g, dtype, cols, xs, dx.byteOffset(), u0, units);
            });
        } finally {
            releaseCopy(dy, gradOutput);
            releaseCopy(w, filter);
        }
        return dx;
    }

    /** The gradient of {@code conv2d} with respect to its filter, given the input and the output's gradient. */
    public static NdArray conv2dBackwardFilter(NdArray input, NdArray gradOutput, Shape filterShape,
            Conv2dParams p) {
        String op = "conv2dBackwardFilter";
        Checks.notNull(input, op, "input").checkAlive();
        Checks.notNull(gradOutput, op, "gradOutput").checkAlive();
        Checks.notNull(filterShape, op, "filterShape");
        DType dtype = DType.common(op, input.dtype(), gradOutput.dtype());
        ConvGeometry g = ConvGeometry.of(op, input.shape(), filterShape, p);
        g.checkGradOutput(gradOutput.shape());
        checkProperties(op);
        NdArray dw = NdArray.allocate(op, dtype, filterShape);
        if (dw.size() == 0) {
            return dw;
        }
        if ((long) g.units() * g.ow() == 0) {
            dw.fill(0);
            return dw;
        }
        NdArray x = input.contiguous(op);
        NdArray dy = gradOutput.contiguous(op);
        try {
            long es = dtype.byteSize();
            MemorySegment xs = x.segment();
            MemorySegment gs = dy.segment();
            if (g.pointwise()) {
                boolean[] first = {true};
                pointwise(g, (u0, rows) -> {
                    gemm(Backend.gemm(), dtype, true, false, g.c(), g.f(), rows, xs,
                            x.byteOffset() + u0 * g.ow() * g.c() * es, g.c(), gs,
                            dy.byteOffset() + u0 * g.ow() * g.f() * es, g.f(), first[0] ? 0 : 1, dw.segment(),
                            dw.byteOffset(), g.f());
                    first[0] = false;
                });
                return dw;
            }
            if (DirectConv.applies(g, dtype)) {
                DirectConv.backwardFilter(g, xs, x.byteOffset(), gs, dy.byteOffset(), dw.segment(), dw.byteOffset());
                return dw;
            }
            if (winograd(g, dtype, WINOGRAD_GRADIENT_PAIRS)
                    && Winograd.filterGradient(g, xs, x.byteOffset(), gs, dy.byteOffset(), dw.segment(),
                            dw.byteOffset())) {
                return dw;
            }
            if (panels(g, dtype)) {
                filterGradientPanels(g, xs, x.byteOffset(), gs, dy.byteOffset(), dw);
                return dw;
            }
            // Each part sums its chunks into its own [K, F] partial (part 0 straight into dw); dW = cols^T @ dy.
            int parts = chunkParallel(g, dtype) ? Parallel.threads() : 1;
            NdArray[] partial = new NdArray[parts];
            partial[0] = dw;
            int[] first = new int[parts];
            if (parts > 1) {
                // Any part may end up with no chunk, so every partial starts at zero and only accumulates.
                dw.fill(0);
                first[0] = 1;
            }
            for (int i = 1; i < parts; i++) {
                partial[i] = NdArray.allocate(op, dtype, filterShape);
                partial[i].fill(0);
            }
            chunks(g, dtype, true, (run, cols, u0, units, part) -> {
                run.im2col(g, es, xs, x.byteOffset(), cols, u0, units);
                NdArray target = partial[part];
                gemm(run.gemm, dtype, true, false, g.k(), g.f(), units * g.ow(), cols, 0, g.k(), gs,
                        dy.byteOffset() + (long) u0 * g.ow() * g.f() * es, g.f(), first[part]++ == 0 ? 0 : 1,
                        target.segment(), target.byteOffset(), g.f());
            });
            for (int i = 1; i < parts; i++) {
                Elementwise.addInPlace(dw, partial[i]);
                partial[i].close();
            }
        } finally {
            releaseCopy(x, input);
            releaseCopy(dy, gradOutput);
        }
        return dw;
    }

    /**
     * Whether the forward and the filter gradient run as one Java GEMM whose im2col blocks are made as it packs
     * them ({@link Im2colPanels}): float32, the library's threading ({@code cotangent.conv.gemm} not
     * {@code backend}), a GEMM kernel choice that allows the Java kernel, and a pixel count that fits an int.
     */
    private static boolean panels(ConvGeometry g, DType dtype) {
        return dtype == DType.F32 && chunksPerThread && (long) g.n() * g.oh() * g.ow() <= Integer.MAX_VALUE
                && (Backend.kind() == Backend.Kind.JAVA || GemmSelection.mode() != GemmSelection.Mode.BLAS);
    }

    /**
     * Whether the input gradient runs as the forward convolution of the output gradient with the flipped filter
     * ({@link ConvGeometry#adjoint}): {@link #panels} applies, stride and dilation 1, and the input has at most
     * a fifth more pixels than the output (SAME padding), so that the product does no more multiply-adds than the
     * im2col one. A VALID 5x5 layer on 14x14 would do twice as many: it keeps the GEMM and col2im.
     */
    private static boolean adjointPanels(ConvGeometry g, DType dtype) {
        long inputPixels = (long) g.n() * g.h() * g.w();
        long outputPixels = (long) g.n() * g.oh() * g.ow();
        // NOTE: the input's channels are that product's columns: with 3 of them (an RGB first layer) the GEMM's
        // 32-column tiles were nine-tenths padding, and the input gradient took 30 ms against 7.8 with col2im.
        return g.unitSteps() && g.n() > 0 && g.c() >= MIN_ADJOINT_CHANNELS && panels(g, dtype) && !g.pointwise()
                && inputPixels <= Integer.MAX_VALUE && 5 * inputPixels <= 6 * outputPixels;
    }

    /**
     * Whether a product runs as a Winograd F(2x2, 3x3) or F(2x2, 5x5) product ({@link Winograd}): {@link #panels}
     * applies, the filter is 3x3 (or 5x5 with whole vectors of channels) at stride 1 and dilation 1, both channel
     * counts are at least {@value #MIN_WINOGRAD_CHANNELS} (with fewer, the transforms cost more than the
     * multiply-adds they save), and the transformed filter, 16 (or 36) x C x F floats, is at most as large as
     * {@code maxPairs} 3x3 channel pairs make it: every block of tiles reads all of it (and the filter gradient
     * adds into all of its gradient), so past a few MiB that traffic outweighs the saving.
     *
     * <p>Measured on one core of the reference machine (a 32-image batch, SAME, im2col against Winograd, ms):
     * 64 to 64 channels at 56x56, forward 52 to 30 and filter gradient 59 to 34; 128 at 28x28, 45 to 25 and 51
     * to 28; 256 at 14x14, forward 42 to 29 but filter gradient 47 to 65; 512 at 7x7, forward 41 to 79.
     */
    private static boolean winograd(ConvGeometry g, DType dtype, long maxPairs) {
        // 5x5 products transform to 36 points per pair, not 16: the same bytes of transformed filter at most
        return winogradAllowed && Winograd.fits(g) && g.c() >= MIN_WINOGRAD_CHANNELS
                && g.f() >= MIN_WINOGRAD_CHANNELS && (long) g.c() * g.f() * Winograd.points(g) <= 16 * maxPairs
                && g.n() > 0 && panels(g, dtype);
    }

    private static final int MIN_WINOGRAD_CHANNELS = 16;
    /** Most channel pairs for a Winograd forward or input gradient (256 x 256: 4 MiB of transformed filter). */
    private static final long WINOGRAD_PAIRS = 256 * 256;
    /** Most channel pairs for a Winograd filter gradient (128 x 128). */
    private static final long WINOGRAD_GRADIENT_PAIRS = 128 * 128;

    /** Fewest input channels for the adjoint input gradient: one vector of GEMM columns. */
    private static final int MIN_ADJOINT_CHANNELS = 16;
    /** Fewest pixels in a part of a filter gradient split over threads. */
    private static final int MIN_PART_PIXELS = 2048;

    /**
     * dW [K, F] = im2col(x)ᵀ [K, pixels] @ dy [pixels, F], im2col made block by block in the GEMM, with the pixels
     * (the product's depth) split into one part per thread, whose partial dW are added in part order.
     *
     * <p>Why split the depth: split by taps, each thread packed the whole output gradient for itself (25 MB for
     * ResNet's layer), and two threads ran only 1.35 times faster than one. Pixel parts share nothing. The parts
     * are fixed by the shape and the thread count, so dW has the same bits from run to run at one thread count
     * (the README's reproducibility rule), not across thread counts.
     */
    private static void filterGradientPanels(ConvGeometry g, MemorySegment xs, long xOff, MemorySegment gs,
            long dyOff, NdArray dw) {
        int pixels = pixels(g);
        boolean shareable = Parallel.shareable(xs, gs, dw.segment());
        // The parts follow the thread count even where they run one after another (a virtual caller, arrays
        // confined to this thread): the same bits on any thread.
        int parts = Math.max(1, Math.min(Parallel.threads(), pixels / MIN_PART_PIXELS));
        NdArray[] partial = new NdArray[parts];
        partial[0] = dw;
        try {
            for (int i = 1; i < parts; i++) {
                partial[i] = NdArray.allocate("conv2dBackwardFilter", DType.F32, dw.shape());
            }
            Im2colPanels panels = new Im2colPanels(g, xs, xOff);
            Parallel.forRange(parts, 1, parts, shareable, (unused, from, to) -> {
                for (int part = from; part < to; part++) {
                    int p0 = (int) ((long) pixels * part / parts);
                    int p1 = (int) ((long) pixels * (part + 1) / parts);
                    NdArray target = partial[part];
                    JavaGemm.SERIAL.sgemmPanels(true, g.k(), g.f(), p1 - p0, panels.fromPixel(p0), false, gs,
                            dyOff + (long) p0 * g.f() * Float.BYTES, g.f(), 0f, target.segment(), target.byteOffset(),
                            g.f());
                }
            });
            for (int i = 1; i < parts; i++) {
                Elementwise.addInPlace(dw, partial[i]);
            }
        } finally {
            for (int i = 1; i < parts; i++) {
                if (partial[i] != null) {
                    partial[i].close();
                }
            }
        }
    }

    /** The float32 filter [kh, kw, c, f] flipped in space with its channel axes swapped: [kh, kw, f, c]. */
    private static NdArray flippedFilter(NdArray filter, ConvGeometry g) {
        NdArray w = filter.contiguous("conv2dBackwardInput");
        NdArray out = NdArray.allocate("conv2dBackwardInput", DType.F32, Shape.of(g.kh(), g.kw(), g.f(), g.c()));
        try {
            float[] src = new float[g.c() * g.f()];
            MemorySegment ws = w.segment();
            MemorySegment os = out.segment();
            long tap = (long) g.c() * g.f() * Float.BYTES;
            for (int ky = 0; ky < g.kh(); ky++) {
                for (int kx = 0; kx < g.kw(); kx++) {
                    // Tap (ky, kx) of the output takes tap (kh-1-ky, kw-1-kx) of the filter, transposed.
                    long from = w.byteOffset() + ((long) (g.kh() - 1 - ky) * g.kw() + (g.kw() - 1 - kx)) * tap;
                    MemorySegment.copy(ws, ValueLayout.JAVA_FLOAT_UNALIGNED, from, src, 0,
                            src.length);
                    long to = out.byteOffset() + ((long) ky * g.kw() + kx) * tap;
                    for (int fo = 0; fo < g.f(); fo++) {
                        for (int ci = 0; ci < g.c(); ci++) {
                            os.set(ValueLayout.JAVA_FLOAT_UNALIGNED,
                                    to + ((long) fo * g.c() + ci) * Float.BYTES, src[ci * g.f() + fo]);
                        }
                    }
                }
            }
        } finally {
            releaseCopy(w, filter);
        }
        return out;
    }

    /** Output pixels of the whole batch (rows of the im2col matrix); {@link #panels} checked that it fits. */
    private static int pixels(ConvGeometry g) {
        return g.n() * g.oh() * g.ow();
    }

    /** How a chunk is run: which GEMM, and whether im2col and col2im may use the Java threads. */
    private record Run(Gemm gemm, boolean splitInside) {
        void im2col(ConvGeometry g, long es, MemorySegment x, long xOff, MemorySegment cols, int u0, int units) {
            Parallel.forRange(units, 1, splitInside ? parts(g, units) : 1,
                    (part, from, to) -> Im2col.im2col(g, es, x, xOff, cols, u0, u0 + from, u0 + to));
        }

        void col2im(ConvGeometry g, DType dtype, MemorySegment cols, MemorySegment dx, long dxOff, int u0,
                int units) {
            // Writes from different images never overlap, so only whole images go to different threads.
            boolean imageAligned = u0 % g.oh() == 0;
            Parallel.forRange(units, imageAligned ? g.oh() : units, splitInside ? parts(g, units) : 1,
                    (part, from, to) -> Im2col.col2im(g, dtype, cols, dx, dxOff, u0, u0 + from, u0 + to));
        }
    }

    /** The work of one chunk: output-row units {@code [u0, u0 + units)}, im2col-sized scratch {@code cols}. */
    @FunctionalInterface
    private interface Chunk {
        void run(Run run, MemorySegment cols, int u0, int units, int part);
    }

    /** Row ranges of a 1x1 convolution: {@code rows} output pixels from pixel {@code u0 * ow}. */
    @FunctionalInterface
    private interface Rows {
        void run(long u0, int rows);
    }

    /** Calls {@code body} over the units in steps that keep the row count an int. */
    private static void pointwise(ConvGeometry g, Rows body) {
        int step = Math.max(1, Integer.MAX_VALUE / 2 / Math.max(1, g.ow()));
        for (int u0 = 0; u0 < g.units(); u0 += step) {
            body.run(u0, Math.min(step, g.units() - u0) * g.ow());
        }
    }

    /** Units per chunk: about an L2 of im2col rows but enough rows for an efficient GEMM, within the budget. */
    private static int chunkUnits(ConvGeometry g, DType dtype) {
        long unitBytes = Math.max(1, (long) g.ow() * g.k() * dtype.byteSize());
        long target = Math.max(chunkBytes / unitBytes, (MIN_CHUNK_ROWS + g.ow() - 1) / Math.max(1, g.ow()));
        int units = (int) Math.max(1, Math.min(g.units(), Math.min(target, colsBudgetBytes / unitBytes)));
        // Whole images per chunk keep col2im free to give images to threads.
        return units >= g.oh() ? units - units % g.oh() : units;
    }

    /** The units one thread takes at least: whole chunks, and whole images (col2im writes images). */
    private static int partGrain(ConvGeometry g, int units) {
        return Math.max(units, g.oh());
    }

    /** Whether threads take whole chunks: several threads, and at least two grains for each. */
    private static boolean chunkParallel(ConvGeometry g, DType dtype) {
        int threads = Parallel.threads();
        return chunksPerThread && threads > 1 && g.units() >= 2L * threads * partGrain(g, chunkUnits(g, dtype));
    }

    /** Runs {@code body} over chunks of output-row units, each part with its own pooled scratch buffer. */
    private static void chunks(ConvGeometry g, DType dtype, Chunk body) {
        chunks(g, dtype, false, body);
    }

    /**
     * As {@link #chunks(ConvGeometry, DType, Chunk)}; with {@code fixedParts}, part p always takes the same grains
     * (the p-th share, in order), for a body that sums into a per-part partial: grains taken from a shared counter
     * would make the partial sums, and their rounding, depend on timing.
     */
    private static void chunks(ConvGeometry g, DType dtype, boolean fixedParts, Chunk body) {
        int units = chunkUnits(g, dtype);
        long bytes = Math.max(1, (long) units * g.ow() * g.k() * dtype.byteSize());
        // One output row of im2col can outgrow the budget (a wide output with a large filter): it is an array too.
        Allocation.bytes(g.op() + " (im2col rows of " + units + " output rows)", dtype,
                Shape.of(g.op(), units, g.ow(), g.k()));
        if (!chunkParallel(g, dtype)) {
            Run run = new Run(Backend.gemm(), true);
            withBuffer(bytes, cols -> {
                for (int u0 = 0; u0 < g.units(); u0 += units) {
                    body.run(run, cols, u0, Math.min(units, g.units() - u0), 0);
                }
            });
            return;
        }
        // Threads take grains (whole chunks and whole images, so no two threads write one image) from a shared
        // counter: a thread slowed down by another process on its core simply takes fewer.
        // Each thread runs the serial Java GEMM on its own core: on the thin products of a convolution the
        // calibration finds it faster than single-threaded OpenBLAS at every size class here (1.4-1.5x).
        Run run = new Run(JavaGemm.SERIAL, false);
        int grain = partGrain(g, units);
        int grains = (g.units() + grain - 1) / grain;
        AtomicInteger next = new AtomicInteger();
        int threads = Parallel.threads();
        Parallel.forRange(threads, 1, threads, (part, from, to) -> withBuffer(bytes, cols -> {
            int last = fixedParts ? (int) ((long) grains * (part + 1) / threads) : grains;
            int i = fixedParts ? (int) ((long) grains * part / threads) : next.getAndIncrement();
            while (i < last) {
                int end = Math.min(g.units(), (i + 1) * grain);
                for (int u0 = i * grain; u0 < end; u0 += units) {
                    body.run(run, cols, u0, Math.min(units, end - u0), part);
                }
                i = fixedParts ? i + 1 : next.getAndIncrement();
            }
        }));
    }

    /** Scratch for one thread: a pooled buffer, returned afterwards. */
    @FunctionalInterface
    private interface WithCols {
        void accept(MemorySegment cols);
    }

    private static void withBuffer(long bytes, WithCols body) {
        BufferPool.Buffer buffer = BufferPool.acquire(bytes);
        try {
            body.accept(buffer.segment());
        } finally {
            // NOTE: released on the thread that used it; worker threads keep their own small pool caches.
            BufferPool.release(buffer, true);
        }
    }

    /** Threads worth using for {@code units} output rows inside one chunk: a part should move ~256 KiB. */
    private static int parts(ConvGeometry g, int units) {
        long elements = (long) units * g.ow() * g.k();
        return (int) Math.max(1, Math.min(Parallel.threads(), elements >> 16));
    }

    private static void gemm(Gemm gemm, DType dtype, boolean ta, boolean tb, int m, int n, int k,
            MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb, double beta,
            MemorySegment c, long cOff, int ldc) {
        if (dtype == DType.F32) {
            gemm.sgemm(ta, tb, m, n, k, 1f, a, aOff, lda, b, bOff, ldb, (float) beta, c, cOff, ldc);
        } else {
            gemm.dgemm(ta, tb, m, n, k, 1.0, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        }
    }

    private static void releaseCopy(NdArray used, NdArray original) {
        if (used != original) {
            used.close();
        }
    }
}
