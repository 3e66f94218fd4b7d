package dev.cotangent.core;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.jspecify.annotations.Nullable;

/**
 * Float32 3x3 convolutions at stride 1 by Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray, "Fast
 * Algorithms for Convolutional Neural Networks", 2016): a 2x2 block of outputs costs 16 multiplies per pair of
 * input and output channels instead of 36, so the product does 2.25 times fewer multiply-adds than im2col's.
 *
 * <p>For each 4x4 input patch d (2x2 output tile, neighbours overlapping by two), filter g and tile output y:
 * {@code U = G g Gᵀ}, {@code V = Bᵀ d B}, {@code M[p] = Σ_c V[p][c] U[p][c][:]} for each of the 16 points p
 * (one GEMM per point), {@code y = Aᵀ M A}. The filter gradient is the same product's adjoint: {@code dM = A dy
 * Aᵀ}, {@code dU[p] = Σ_tiles V[p]ᵀ dM[p]}, {@code dg = Gᵀ dU G}. The input gradient is the forward of the output
 * gradient with the flipped filter ({@link ConvGeometry#adjoint}), which is a 3x3 stride-1 convolution too.
 *
 * <p>5x5 layers whose channel counts are whole vectors run F(2x2, 5x5) the same way, with {@link WinogradF25}'s
 * transforms: 36 points per 6x6 patch, 2.8 times fewer multiply-adds than im2col's. Their input gradient is the
 * product's transpose ({@link #inputGradient}) rather than the forward of the output gradient, which for a VALID
 * layer pads by 4 and doubles the tiles.
 *
 * <p>Tiles are processed in blocks of {@code tb} (about 256 KiB of transformed input and GEMM output, so that
 * the transforms and the 16 small GEMMs work in L2), each block by one thread. The transformed arrays are laid out
 * so that every inner loop reads at a constant stride (C2 then drops the bounds checks): V as [point][channel
 * block of L][tile][L], U as [point][column chunk][channel][chunk width], M as [point][tile][Kp] and dM as
 * [point][column chunk][tile][chunk width]; channels are padded to vectors with zeros.
 *
 * <p>Results differ from im2col's in the last bits (the transforms add and subtract inputs before multiplying,
 * with constants 1 and 1/2); {@code ConvolutionTest} bounds the difference against double-precision loops.
 */
final class Winograd {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Columns of the GEMMs' register tiles: two vectors. */
    static final int CW = 2 * L;
    /** Tiles per register tile of the forward GEMM (rows), and channels per register tile of dU's. */
    private static final int TILE_ROWS = 6;
    private static final int CHANNEL_ROWS = 4;
    /** Points of F(2x2, 3x3): a 4x4 patch per tile. */
    private static final int POINTS = 16;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    /** Floats of transformed input plus GEMM output per block: about 256 KiB, half of a typical L2. */
    private static final int BLOCK_FLOATS = 1 << 16;
    /**
     * The same for the filter gradient: 1 MiB. Each block adds its product into the whole of dU (16 x C x F
     * floats), so larger blocks mean fewer passes over it: ResNet's 128-channel layer, 38 ms with the forward's
     * blocks against 28 with these (one thread).
     */
    private static final int GRADIENT_BLOCK_FLOATS = 1 << 18;
    private static final int MAX_BLOCK_TILES = 120;

    /** Per-thread buffers, grown on demand: transformed input V, then M (forward) or dM (filter gradient). */
    private static final WorkBuffers<float[][]> BUFFERS = new WorkBuffers<>(() -> new float[][] {new float[0],
        new float[0], new float[WinogradF25.STAGING]});
    /**
     * The calling thread's buffers, grown on demand: the transformed filter (forward) or every part's dU (filter
     * gradient), the filter's taps, and the taps transposed (a 5x5 input gradient). Allocated per call, they were
     * large heap arrays (G1's humongous objects for a 128-channel layer) and young collections came 10 times as
     * often in a training loop.
     */
    private static final WorkBuffers<float[][]> CALLER = new WorkBuffers<>(() -> new float[][] {new float[0],
        new float[0], new float[0]});

    /** Warm-up rounds at least: each calls every transform 2 to 4 times, past C2's thresholds by the end. */
    private static final int WARM_ROUNDS = 1500;
    /**
     * Whether the 3x3 and the 5x5 warm-ups have run (or failed: the first real product then reports the problem
     * itself). Each runs before the first product of its size, so a model of one size waits for its own only.
     */
    private static volatile boolean warm3;
    private static volatile boolean warm5;
    private static volatile @Nullable Thread warmer;

    private Winograd() {}

    /**
     * Runs small products through every branch of the transforms until C2 has compiled them, on the first
     * product's thread (others wait), once per JVM and filter size. Interpreted, a transform handles one vector at
     * a time as an object: ResNet's layer would take seconds per call. The branches matter as much: the borders on
     * every side (SAME padding, a VALID layer and its input gradient, which pads by 2), odd output sizes, a partial
     * vector of channels and an odd number of output-channel vectors; a branch first taken by a user's layer would
     * deoptimize the compiled transform, and it would run interpreted again until recompiled.
     */
    private static void ensureWarm(ConvGeometry g) {
        boolean five = g.kh() == 5;
        if ((five ? warm5 : warm3) || warmer == Thread.currentThread()) {
            return;
        }
        synchronized (Winograd.class) {
            if (five ? warm5 : warm3) {
                return;
            }
            warmer = Thread.currentThread();
            // NOTE: shared, as arrays' buffers are: code compiled here specializes on the kind of arena.
            try (Arena arena = Arena.ofShared()) {
                Conv2dParams same = Conv2dParams.of(1, Padding.SAME);
                Conv2dParams valid = Conv2dParams.of(1, Padding.VALID);
                // 3x3: SAME with odd sizes and channel tails, VALID and its input gradient (padded by 2)
                ConvGeometry odd = ConvGeometry.of("warm-up", Shape.of(1, 5, 5, 17), Shape.of(3, 3, 17, 48), same);
                ConvGeometry even = ConvGeometry.of("warm-up", Shape.of(1, 6, 6, 32), Shape.of(3, 3, 32, 32), valid);
                ConvGeometry padTwo = even.adjoint();
                // 5x5: SAME with an odd output, and VALID; one and two vectors of channels
                ConvGeometry odd5 = ConvGeometry.of("warm-up", Shape.of(1, 7, 7, 16), Shape.of(5, 5, 16, 32), same);
                ConvGeometry even5 = ConvGeometry.of("warm-up", Shape.of(1, 8, 8, 16), Shape.of(5, 5, 16, 16), valid);
                MemorySegment x = arena.allocate(6L * 6 * 48 * Float.BYTES, 64);
                MemorySegment w = arena.allocate(25L * 16 * 32 * Float.BYTES, 64);
                MemorySegment y = arena.allocate(6L * 6 * 48 * Float.BYTES, 64);
                JavaGemmWarmup.repeatUntilJitQuiet(WARM_ROUNDS, round -> {
                    if (five) {
                        forward(odd5, x, 0, w, 0, y, 0);
                        inputGradient(odd5, y, 0, w, 0, x, 0);
                        inputGradient(even5, y, 0, w, 0, x, 0);
                        filterGradient(odd5, x, 0, y, 0, w, 0);
                        filterGradient(even5, x, 0, y, 0, w, 0);
                    } else {
                        forward(odd, x, 0, w, 0, y, 0);
                        forward(padTwo, x, 0, w, 0, y, 0);
                        filterGradient(odd, x, 0, y, 0, w, 0);
                        filterGradient(even, x, 0, y, 0, w, 0);
                    }
                });
            } finally {
                warmer = null;
                if (five) {
                    warm5 = true;
                } else {
                    warm3 = true;
                }
            }
        }
    }

    /**
     * Whether this class computes {@code g}: a 3x3 convolution at stride 1 and dilation 1, or a 5x5 one whose
     * channel counts are whole vectors (its transforms have no masked loads; see {@link WinogradF25}).
     */
    static boolean fits(ConvGeometry g) {
        return g.unitSteps() && (g.kh() == 3 && g.kw() == 3
                || g.kh() == 5 && g.kw() == 5 && g.c() % L == 0 && g.f() % L == 0);
    }

    /** Points per tile: 16 for F(2x2, 3x3), 36 for F(2x2, 5x5). */
    static int points(ConvGeometry g) {
        return g.kh() == 5 ? WinogradF25.POINTS : POINTS;
    }

    /** The sizes of one Winograd product: tiles, padded channels and the block of tiles a thread takes. */
    record Plan(ConvGeometry g, int points, int tilesHigh, int tilesWide, int tiles, int cBlocks, int cp, int kp,
            int tb, int blocks) {
        static Plan of(ConvGeometry g, int blockFloats) {
            int points = Winograd.points(g);
            int th = (g.oh() + 1) / 2;
            int tw = (g.ow() + 1) / 2;
            int tiles = g.n() * th * tw; // at most the output pixels, which fit an int (checked by the caller)
            int cBlocks = (g.c() + L - 1) / L;
            int cp = cBlocks * L;
            int kp = (g.f() + L - 1) / L * L;
            int tb = blockFloats / (points * (cp + kp)) / TILE_ROWS * TILE_ROWS;
            tb = Math.max(TILE_ROWS, Math.min(MAX_BLOCK_TILES, tb));
            return new Plan(g, points, th, tw, tiles, cBlocks, cp, kp, tb, (tiles + tb - 1) / tb);
        }

        /**
         * The plan of the input gradient's product, dV = dM Uᵀ per point: the same tiles and blocks, reducing over
         * the output channels (cBlocks, cp) into the input channels (kp).
         */
        Plan transposed() {
            return new Plan(g, points, tilesHigh, tilesWide, tiles, kp / L, kp, cp, tb, blocks);
        }

        boolean fiveByFive() {
            return points == WinogradF25.POINTS;
        }

        /** Tile {@code tile}'s image and top-left output pixel, into {@code at} as {image, row, column}. */
        void locate(int tile, int[] at) {
            int perImage = tilesHigh * tilesWide;
            int image = tile / perImage;
            int rest = tile - image * perImage;
            int ty = rest / tilesWide;
            at[0] = image;
            at[1] = 2 * ty;
            at[2] = 2 * (rest - ty * tilesWide);
        }

        /** Width of column chunk {@code j}: two vectors, or one for the last chunk of an odd vector count. */
        int width(int j) {
            return Math.min(CW, kp - j * CW);
        }

        int chunks() {
            return (kp + CW - 1) / CW;
        }
    }

    /**
     * out [n, oh, ow, f] = conv2d(x [n, h, w, c], w [3, 3, c, f]) for a geometry that {@link #fits}. Returns
     * false, with out partly written, when a tile came out NaN or infinite: the transforms mix the 16 inputs of a
     * tile, so one NaN or infinity (or an overflow) reaches outputs whose windows do not contain it, and the
     * caller recomputes the product with im2col, which keeps each NaN to the outputs it belongs to.
     */
    static boolean forward(ConvGeometry g, MemorySegment x, long xOff, MemorySegment w, long wOff, MemorySegment out,
            long outOff) {
        ensureWarm(g);
        Plan p = Plan.of(g, BLOCK_FLOATS);
        float[][] own = CALLER.acquire();
        try {
            return forward(p, filterTransform(p, w, wOff, own, false), x, xOff, out, outOff);
        } finally {
            CALLER.release(own);
        }
    }

    private static boolean forward(Plan p, float[] u, MemorySegment x, long xOff, MemorySegment out, long outOff) {
        boolean shareable = Parallel.shareable(x, x, out);
        int threads = shareable ? Parallel.threads() : 1;
        // Blocks go to whichever thread asks next: a tile's result does not depend on who computes it.
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean nonFinite = new AtomicBoolean();
        Parallel.forRange(threads, 1, threads, (part, from, to) -> {
            float[][] buffers = buffers(p);
            try {
                float[] v = buffers[0];
                float[] m = buffers[1];
                for (int b = next.getAndIncrement(); b < p.blocks && !nonFinite.get(); b = next.getAndIncrement()) {
                    int t0 = b * p.tb;
                    int count = Math.min(p.tb, p.tiles - t0);
                    inputTransform(p, x, xOff, t0, count, v, buffers[2]);
                    for (int point = 0; point < p.points; point++) {
                        pointProduct(p, v, u, m, point, count);
                    }
                    boolean finite = p.fiveByFive()
                            ? WinogradF25.outputTransform(p, m, t0, count, out, outOff, buffers[2])
                            : outputTransform(p, m, t0, count, out, outOff);
                    if (!finite) {
                        nonFinite.set(true);
                    }
                }
            } finally {
                BUFFERS.release(buffers);
            }
        });
        return !nonFinite.get();
    }

    /**
     * dx [n, h, w, c] = the gradient of {@link #forward} with respect to its input, for a 5x5 geometry that
     * {@link #fits}: the product's transpose, per tile dV = Σ_f dM U (dM = A dy Aᵀ) and dd = B dV Bᵀ, added onto
     * the 6x6 patch the forward read. That is as many multiply-adds as the forward, where the forward of the
     * output gradient ({@link ConvGeometry#adjoint}) pads a VALID layer's by 4 and has twice as many tiles. Each
     * thread takes whole images (patches overlap), and a pixel's sum follows tile order: the same bits on any
     * thread count. Returns false, with dx partly written, when a value is NaN or infinite (see {@link #forward}).
     */
    static boolean inputGradient(ConvGeometry g, MemorySegment dy, long dyOff, MemorySegment w, long wOff,
            MemorySegment dx, long dxOff) {
        ensureWarm(g);
        Plan p = Plan.of(g, BLOCK_FLOATS);
        Plan t = p.transposed();
        float[][] own = CALLER.acquire();
        try {
            float[] u = filterTransform(t, w, wOff, own, true);
            dx.asSlice(dxOff, (long) g.n() * g.h() * g.w() * g.c() * Float.BYTES).fill((byte) 0);
            int perImage = p.tilesHigh * p.tilesWide;
            AtomicBoolean nonFinite = new AtomicBoolean();
            Parallel.forRange(g.n(), 1, Parallel.threads(), Parallel.shareable(dy, dy, dx), (part, from, to) -> {
                float[][] buffers = buffers(t);
                try {
                    int end = to * perImage;
                    for (int t0 = from * perImage; t0 < end && !nonFinite.get(); t0 += t.tb) {
                        int count = Math.min(t.tb, end - t0);
                        WinogradF25.gradientTransform(p, dy, dyOff, t0, count, buffers[0], true, buffers[2]);
                        for (int point = 0; point < t.points; point++) {
                            pointProduct(t, buffers[0], u, buffers[1], point, count);
                        }
                        if (!WinogradF25.scatterInput(p, buffers[1], t0, count, dx, dxOff, buffers[2])) {
                            nonFinite.set(true);
                        }
                    }
                } finally {
                    BUFFERS.release(buffers);
                }
            });
            return !nonFinite.get();
        } finally {
            CALLER.release(own);
        }
    }

    /**
     * dw [3, 3, c, f] = the gradient of {@link #forward} with respect to its filter, given x and dy [n, oh, ow, f].
     * The tile blocks are split into one fixed range per thread, whose partial dU are added in part order: the
     * same bits from run to run at one thread count. Returns false, leaving dw untouched, when a value of dw is
     * NaN or infinite (see {@link #forward}).
     */
    static boolean filterGradient(ConvGeometry g, MemorySegment x, long xOff, MemorySegment dy, long dyOff,
            MemorySegment dw, long dwOff) {
        ensureWarm(g);
        // 5x5 blocks as the forward's: with 36 points, the larger ones left dM, V and dU past L2 (LeNet's second
        // layer on 2 threads: 2.9-3.7 ms with them, 1.5-2.2 with these)
        Plan p = Plan.of(g, g.kh() == 5 ? BLOCK_FLOATS : GRADIENT_BLOCK_FLOATS);
        boolean shareable = Parallel.shareable(x, dy, dw);
        // The parts follow the thread count even where they run one after another (a virtual caller, arrays
        // confined to this thread): the same bits on any thread.
        int parts = Math.max(1, Math.min(Parallel.threads(), p.blocks));
        int uSize = p.points * p.cp * p.kp;
        float[][] own = CALLER.acquire();
        try {
            // Part i sums into du[i * uSize ...]; the caller owns them all, so no worker reuses one before the sum.
            if (own[0].length < (long) parts * uSize) {
                own[0] = new float[Math.toIntExact((long) parts * uSize)];
            }
            float[] du = own[0];
            Parallel.forRange(parts, 1, parts, shareable, (unused, from, to) -> {
                for (int part = from; part < to; part++) {
                    int duOff = part * uSize;
                    Arrays.fill(du, duOff, duOff + uSize, 0f);
                    float[][] buffers = buffers(p);
                    try {
                        float[] v = buffers[0];
                        float[] dm = buffers[1];
                        int b1 = (int) ((long) p.blocks * (part + 1) / parts);
                        for (int b = (int) ((long) p.blocks * part / parts); b < b1; b++) {
                            int t0 = b * p.tb;
                            int count = Math.min(p.tb, p.tiles - t0);
                            inputTransform(p, x, xOff, t0, count, v, buffers[2]);
                            if (p.fiveByFive()) {
                                WinogradF25.gradientTransform(p, dy, dyOff, t0, count, dm, false, buffers[2]);
                            } else {
                                gradientTransform(p, dy, dyOff, t0, count, dm);
                            }
                            for (int point = 0; point < p.points; point++) {
                                pointGradient(p, v, dm, du, duOff, point, count);
                            }
                        }
                    } finally {
                        BUFFERS.release(buffers);
                    }
                }
            });
            for (int i = 1; i < parts; i++) {
                for (int j = 0, k = i * uSize; j < uSize; j++, k++) {
                    du[j] += du[k];
                }
            }
            return filterGradientTransform(p, du, dw, dwOff, own);
        } finally {
            CALLER.release(own);
        }
    }

    private static float[][] buffers(Plan p) {
        float[][] buffers = BUFFERS.acquire();
        int vSize = p.points * p.cp * p.tb;
        int mSize = p.points * p.kp * p.tb;
        if (buffers[0].length < vSize) {
            buffers[0] = new float[vSize];
        }
        if (buffers[1].length < mSize) {
            buffers[1] = new float[mSize];
        }
        return buffers;
    }

    /**
     * U = G g Gᵀ for every channel pair, into [point][chunk][cp][width] (padded rows and columns zero); when
     * {@code transposed} (5x5 only), for {@code p}, a {@link Plan#transposed} plan, with the filter's output
     * channels as rows.
     */
    private static float[] filterTransform(Plan p, MemorySegment w, long wOff, float[][] own, boolean transposed) {
        ConvGeometry g = p.g;
        int c = g.c();
        int f = g.f();
        int kk = g.kh() * g.kw();
        float[] taps = tapsBuffer(own, kk * c * f);
        MemorySegment.copy(w, ValueLayout.JAVA_FLOAT_UNALIGNED, wOff, taps, 0, kk * c * f);
        int uSize = p.points * p.cp * p.kp;
        if (own[0].length < uSize) {
            own[0] = new float[uSize];
        }
        float[] u = own[0];
        // Padded channels and columns must be zero; the buffer holds the last call's values.
        Arrays.fill(u, 0, uSize, 0f);
        if (p.fiveByFive()) {
            if (!transposed) {
                WinogradF25.filterTransform(p, taps, c, f, u);
                return u;
            }
            // the input gradient's rows are the output channels: each tap's c x f matrix transposed
            if (own[2].length < kk * c * f) {
                own[2] = new float[kk * c * f];
            }
            float[] src = own[2];
            for (int tap = 0; tap < kk; tap++) {
                for (int ci = 0; ci < c; ci++) {
                    for (int k = 0; k < f; k++) {
                        src[(tap * f + k) * c + ci] = taps[(tap * c + ci) * f + k];
                    }
                }
            }
            WinogradF25.filterTransform(p, src, f, c, u);
            return u;
        }
        float[] gg = new float[12];
        for (int ci = 0; ci < c; ci++) {
            for (int k = 0; k < f; k++) {
                // G g: rows (1, 0, 0), (1/2, 1/2, 1/2), (1/2, -1/2, 1/2), (0, 0, 1) over the filter's rows.
                for (int kx = 0; kx < 3; kx++) {
                    float g0 = taps[(kx * c + ci) * f + k];
                    float g1 = taps[((3 + kx) * c + ci) * f + k];
                    float g2 = taps[((6 + kx) * c + ci) * f + k];
                    gg[kx] = g0;
                    gg[3 + kx] = 0.5f * (g0 + g1 + g2);
                    gg[6 + kx] = 0.5f * (g0 - g1 + g2);
                    gg[9 + kx] = g2;
                }
                int j = k / CW;
                int width = p.width(j);
                int col = k - j * CW;
                int at = j * CW * p.cp + ci * width + col;
                for (int r = 0; r < 4; r++) {
                    float g0 = gg[3 * r];
                    float g1 = gg[3 * r + 1];
                    float g2 = gg[3 * r + 2];
                    int point = 4 * r;
                    u[point * p.cp * p.kp + at] = g0;
                    u[(point + 1) * p.cp * p.kp + at] = 0.5f * (g0 + g1 + g2);
                    u[(point + 2) * p.cp * p.kp + at] = 0.5f * (g0 - g1 + g2);
                    u[(point + 3) * p.cp * p.kp + at] = g2;
                }
            }
        }
        return u;
    }

    private static float[] tapsBuffer(float[][] own, int size) {
        if (own[1].length < size) {
            own[1] = new float[size];
        }
        return own[1];
    }

    /** V = Bᵀ d B for tiles t0 .. t0+count, into v [point][channel block][tile][L]. */
    private static void inputTransform(Plan p, MemorySegment x, long xOff, int t0, int count, float[] v,
            float[] e) {
        if (p.fiveByFive()) {
            WinogradF25.inputTransform(p, x, xOff, t0, count, v, e);
            return;
        }
        ConvGeometry g = p.g;
        int c = g.c();
        long rowBytes = (long) g.w() * c * Float.BYTES;
        long imageBytes = g.h() * rowBytes;
        int pointStride = p.cBlocks * p.tb * L;
        int[] tile = new int[3];
        for (int t = 0; t < count; t++) {
            p.locate(t0 + t, tile);
            int image = tile[0];
            int y0 = tile[1] - g.padTop();
            int x0 = tile[2] - g.padLeft();
            boolean r0 = y0 >= 0 && y0 < g.h();
            boolean r1 = y0 + 1 >= 0 && y0 + 1 < g.h();
            boolean r2 = y0 + 2 >= 0 && y0 + 2 < g.h();
            boolean r3 = y0 + 3 >= 0 && y0 + 3 < g.h();
            boolean s0 = x0 >= 0 && x0 < g.w();
            boolean s1 = x0 + 1 >= 0 && x0 + 1 < g.w();
            boolean s2 = x0 + 2 >= 0 && x0 + 2 < g.w();
            boolean s3 = x0 + 3 >= 0 && x0 + 3 < g.w();
            // Byte offset of pixel (y0, x0); pixels outside the image are never read.
            long corner = xOff + image * imageBytes + y0 * rowBytes + (long) x0 * c * Float.BYTES;
            long px = (long) c * Float.BYTES;
            int flags = (r0 ? 1 : 0) | (r1 ? 2 : 0) | (r2 ? 4 : 0) | (r3 ? 8 : 0) | (s0 ? 16 : 0) | (s1 ? 32 : 0)
                    | (s2 ? 64 : 0) | (s3 ? 128 : 0);
            inputTile(x, corner, rowBytes, px, flags, c, v, t * L, p.tb * L, pointStride, e);
        }
    }

    /**
     * One tile's V for its c channels: the patch's pixels at {@code at} (row r in the image when bit r of
     * {@code flags} is set, column s when bit 4 + s is), transformed and stored at {@code to} in each point's
     * part of v, the next block of L channels {@code blockStride} further. The work is split into small methods,
     * a column's row pass and a row's column pass, staged in {@code e}: C1 compiles these, while a method with
     * more masked loads (even 8) is too much for its register allocator, and a method C1 gives up on may wait in
     * the interpreter, a vector at a time, for as long as C2 does not get to it (seen: whole runs at 5 times the
     * time).
     */
    private static void inputTile(MemorySegment x, long at, long rowBytes, long px, int flags, int c, float[] v,
            int to, int blockStride, int pointStride, float[] e) {
        for (int c0 = 0; c0 < c; c0 += L, at += L * Float.BYTES, to += blockStride) {
            for (int s = 0; s < 4; s++) {
                inputColumn(x, at + s * px, rowBytes, (flags >> (4 + s) & 1) != 0 ? flags & 15 : 0, c0, c, e, s * L);
            }
            for (int r = 0; r < 4; r++) {
                inputRow(e, 4 * r * L, v, 4 * r * pointStride + to, pointStride);
            }
        }
    }

    /** Bᵀ d for one patch column: rows d0 - d2, d1 + d2, d2 - d1, d1 - d3 (row i read when bit i of rows is set). */
    private static void inputColumn(MemorySegment x, long at, long rowBytes, int rows, int c0, int c, float[] e,
            int eOff) {
        VectorMask<Float> lanes = S.indexInRange(c0, c);
        FloatVector zero = FloatVector.zero(S);
        FloatVector d0 = (rows & 1) != 0 ? FloatVector.fromMemorySegment(S, x, at, NATIVE, lanes) : zero;
        FloatVector d1 = (rows & 2) != 0 ? FloatVector.fromMemorySegment(S, x, at + rowBytes, NATIVE, lanes) : zero;
        FloatVector d2 = (rows & 4) != 0 ? FloatVector.fromMemorySegment(S, x, at + 2 * rowBytes, NATIVE, lanes)
                : zero;
        FloatVector d3 = (rows & 8) != 0 ? FloatVector.fromMemorySegment(S, x, at + 3 * rowBytes, NATIVE, lanes)
                : zero;
        d0.sub(d2).intoArray(e, eOff);
        d1.add(d2).intoArray(e, eOff + 4 * L);
        d2.sub(d1).intoArray(e, eOff + 8 * L);
        d1.sub(d3).intoArray(e, eOff + 12 * L);
    }

    /** (Bᵀ d) B for one row of the staged row pass: the same combinations over its 4 columns, into 4 points. */
    private static void inputRow(float[] e, int eOff, float[] v, int at, int pointStride) {
        FloatVector e0 = FloatVector.fromArray(S, e, eOff);
        FloatVector e1 = FloatVector.fromArray(S, e, eOff + L);
        FloatVector e2 = FloatVector.fromArray(S, e, eOff + 2 * L);
        FloatVector e3 = FloatVector.fromArray(S, e, eOff + 3 * L);
        e0.sub(e2).intoArray(v, at);
        e1.add(e2).intoArray(v, at + pointStride);
        e2.sub(e1).intoArray(v, at + 2 * pointStride);
        e1.sub(e3).intoArray(v, at + 3 * pointStride);
    }

    /** M[point][t][:] = Σ_c V[point][c][t] U[point][c][:] for the block's tiles, in register tiles of 6 x 2 vectors. */
    private static void pointProduct(Plan p, float[] v, float[] u, float[] m, int point, int count) {
        int vBase = point * p.cBlocks * p.tb * L;
        int mBase = point * p.tb * p.kp;
        for (int j = 0; j < p.chunks(); j++) {
            int uBase = point * p.cp * p.kp + j * CW * p.cp;
            for (int t = 0; t < count; t += TILE_ROWS) {
                // Rows past count read the block's stale tail and produce rows nobody reads.
                if (p.width(j) == CW) {
                    tile6x2(v, vBase + t * L, p.cBlocks, p.tb * L, u, uBase, m, mBase + t * p.kp + j * CW, p.kp);
                } else {
                    tile6x1(v, vBase + t * L, p.cBlocks, p.tb * L, u, uBase, m, mBase + t * p.kp + j * CW, p.kp);
                }
            }
        }
    }

    private static void tile6x2(float[] v, int va, int cBlocks, int blockStride, float[] u, int ua, float[] m, int ma,
            int ldm) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        FloatVector c40 = c00;
        FloatVector c41 = c00;
        FloatVector c50 = c00;
        FloatVector c51 = c00;
        for (int cb = 0; cb < cBlocks; cb++) {
            int a = va + cb * blockStride;
            int b = ua + cb * L * CW;
            for (int i = 0; i < L; i++) {
                FloatVector b0 = FloatVector.fromArray(S, u, b + i * CW);
                FloatVector b1 = FloatVector.fromArray(S, u, b + i * CW + L);
                FloatVector x = FloatVector.broadcast(S, v[a + i]);
                c00 = x.fma(b0, c00);
                c01 = x.fma(b1, c01);
                x = FloatVector.broadcast(S, v[a + L + i]);
                c10 = x.fma(b0, c10);
                c11 = x.fma(b1, c11);
                x = FloatVector.broadcast(S, v[a + 2 * L + i]);
                c20 = x.fma(b0, c20);
                c21 = x.fma(b1, c21);
                x = FloatVector.broadcast(S, v[a + 3 * L + i]);
                c30 = x.fma(b0, c30);
                c31 = x.fma(b1, c31);
                x = FloatVector.broadcast(S, v[a + 4 * L + i]);
                c40 = x.fma(b0, c40);
                c41 = x.fma(b1, c41);
                x = FloatVector.broadcast(S, v[a + 5 * L + i]);
                c50 = x.fma(b0, c50);
                c51 = x.fma(b1, c51);
            }
        }
        c00.intoArray(m, ma);
        c01.intoArray(m, ma + L);
        c10.intoArray(m, ma + ldm);
        c11.intoArray(m, ma + ldm + L);
        c20.intoArray(m, ma + 2 * ldm);
        c21.intoArray(m, ma + 2 * ldm + L);
        c30.intoArray(m, ma + 3 * ldm);
        c31.intoArray(m, ma + 3 * ldm + L);
        c40.intoArray(m, ma + 4 * ldm);
        c41.intoArray(m, ma + 4 * ldm + L);
        c50.intoArray(m, ma + 5 * ldm);
        c51.intoArray(m, ma + 5 * ldm + L);
    }

    private static void tile6x1(float[] v, int va, int cBlocks, int blockStride, float[] u, int ua, float[] m, int ma,
            int ldm) {
        FloatVector c0 = FloatVector.zero(S);
        FloatVector c1 = c0;
        FloatVector c2 = c0;
        FloatVector c3 = c0;
        FloatVector c4 = c0;
        FloatVector c5 = c0;
        for (int cb = 0; cb < cBlocks; cb++) {
            int a = va + cb * blockStride;
            int b = ua + cb * L * L;
            for (int i = 0; i < L; i++) {
                FloatVector b0 = FloatVector.fromArray(S, u, b + i * L);
                c0 = FloatVector.broadcast(S, v[a + i]).fma(b0, c0);
                c1 = FloatVector.broadcast(S, v[a + L + i]).fma(b0, c1);
                c2 = FloatVector.broadcast(S, v[a + 2 * L + i]).fma(b0, c2);
                c3 = FloatVector.broadcast(S, v[a + 3 * L + i]).fma(b0, c3);
                c4 = FloatVector.broadcast(S, v[a + 4 * L + i]).fma(b0, c4);
                c5 = FloatVector.broadcast(S, v[a + 5 * L + i]).fma(b0, c5);
            }
        }
        c0.intoArray(m, ma);
        c1.intoArray(m, ma + ldm);
        c2.intoArray(m, ma + 2 * ldm);
        c3.intoArray(m, ma + 3 * ldm);
        c4.intoArray(m, ma + 4 * ldm);
        c5.intoArray(m, ma + 5 * ldm);
    }

    /** y = Aᵀ M A for the block's tiles, written to the output pixels that exist; false if one is not finite. */
    private static boolean outputTransform(Plan p, float[] m, int t0, int count, MemorySegment out, long outOff) {
        boolean finite = true;
        ConvGeometry g = p.g;
        int f = g.f();
        long rowBytes = (long) g.ow() * f * Float.BYTES;
        long imageBytes = g.oh() * rowBytes;
        int pointStride = p.tb * p.kp;
        int[] tile = new int[3];
        for (int t = 0; t < count; t++) {
            p.locate(t0 + t, tile);
            int image = tile[0];
            int oy = tile[1];
            int ox = tile[2];
            boolean right = ox + 1 < g.ow();
            boolean below = oy + 1 < g.oh();
            long at = outOff + image * imageBytes + oy * rowBytes + (long) ox * f * Float.BYTES;
            finite &= outputTile(m, t * p.kp, pointStride, out, at, rowBytes, f, right, below);
        }
        return finite;
    }

    /**
     * One tile's 2x2 outputs for its f channels, from M at {@code mi} in each point's part, to the
     * pixels at {@code at} that exist (the right column and the lower row when {@code right}, {@code below}).
     * Returns false if a value of the tile, stored or not, is NaN or infinite. A method of its own for C1's sake,
     * as {@link #inputTile} is.
     */
    private static boolean outputTile(float[] m, int mi, int pointStride, MemorySegment out, long at, long rowBytes,
            int f, boolean right, boolean below) {
        FloatVector check = FloatVector.zero(S);
        for (int k0 = 0; k0 < f; k0 += L) {
            VectorMask<Float> lanes = S.indexInRange(k0, f);
            // Aᵀ M: rows m0 + m1 + m2 and m1 - m2 - m3, for each of the 4 columns; then over the columns.
            FloatVector m00 = FloatVector.fromArray(S, m, 0 * pointStride + mi + k0);
            FloatVector m10 = FloatVector.fromArray(S, m, 4 * pointStride + mi + k0);
            FloatVector m20 = FloatVector.fromArray(S, m, 8 * pointStride + mi + k0);
            FloatVector m30 = FloatVector.fromArray(S, m, 12 * pointStride + mi + k0);
            FloatVector m01 = FloatVector.fromArray(S, m, 1 * pointStride + mi + k0);
            FloatVector m11 = FloatVector.fromArray(S, m, 5 * pointStride + mi + k0);
            FloatVector m21 = FloatVector.fromArray(S, m, 9 * pointStride + mi + k0);
            FloatVector m31 = FloatVector.fromArray(S, m, 13 * pointStride + mi + k0);
            FloatVector m02 = FloatVector.fromArray(S, m, 2 * pointStride + mi + k0);
            FloatVector m12 = FloatVector.fromArray(S, m, 6 * pointStride + mi + k0);
            FloatVector m22 = FloatVector.fromArray(S, m, 10 * pointStride + mi + k0);
            FloatVector m32 = FloatVector.fromArray(S, m, 14 * pointStride + mi + k0);
            FloatVector m03 = FloatVector.fromArray(S, m, 3 * pointStride + mi + k0);
            FloatVector m13 = FloatVector.fromArray(S, m, 7 * pointStride + mi + k0);
            FloatVector m23 = FloatVector.fromArray(S, m, 11 * pointStride + mi + k0);
            FloatVector m33 = FloatVector.fromArray(S, m, 15 * pointStride + mi + k0);
            FloatVector q00 = m00.add(m10).add(m20);
            FloatVector q10 = m10.sub(m20).sub(m30);
            FloatVector q01 = m01.add(m11).add(m21);
            FloatVector q11 = m11.sub(m21).sub(m31);
            FloatVector q02 = m02.add(m12).add(m22);
            FloatVector q12 = m12.sub(m22).sub(m32);
            FloatVector q03 = m03.add(m13).add(m23);
            FloatVector q13 = m13.sub(m23).sub(m33);
            long kBytes = (long) k0 * Float.BYTES;
            FloatVector y00 = q00.add(q01).add(q02);
            FloatVector y01 = q01.sub(q02).sub(q03);
            FloatVector y10 = q10.add(q11).add(q12);
            FloatVector y11 = q11.sub(q12).sub(q13);
            y00.intoMemorySegment(out, at + kBytes, NATIVE, lanes);
            if (right) {
                y01.intoMemorySegment(out, at + f * Float.BYTES + kBytes, NATIVE, lanes);
            }
            if (below) {
                y10.intoMemorySegment(out, at + rowBytes + kBytes, NATIVE, lanes);
                if (right) {
                    y11.intoMemorySegment(out, at + rowBytes + f * Float.BYTES + kBytes, NATIVE, lanes);
                }
            }
            // Every point of the tile reaches one of the four sums: s - s is NaN exactly when one is not finite.
            FloatVector s = y00.add(y01).add(y10).add(y11);
            check = check.add(s.sub(s));
        }
        return !check.test(VectorOperators.IS_NAN).anyTrue();
    }

    /** dM = A dy Aᵀ for the block's tiles (output pixels past the edge count as zero), into [point][chunk][t][width]. */
    private static void gradientTransform(Plan p, MemorySegment dy, long dyOff, int t0, int count, float[] dm) {
        ConvGeometry g = p.g;
        int f = g.f();
        long rowBytes = (long) g.ow() * f * Float.BYTES;
        long imageBytes = g.oh() * rowBytes;
        int pointStride = p.tb * p.kp;
        int[] tile = new int[3];
        for (int t = 0; t < count; t++) {
            p.locate(t0 + t, tile);
            int image = tile[0];
            int oy = tile[1];
            int ox = tile[2];
            boolean right = ox + 1 < g.ow();
            boolean below = oy + 1 < g.oh();
            long at = dyOff + image * imageBytes + oy * rowBytes + (long) ox * f * Float.BYTES;
            gradientTile(p, dy, at, rowBytes, f, right, below, dm, t, pointStride);
        }
    }

    /**
     * Tile t's dM for its f channels, from the gradient's pixels at {@code at} (the right column and the lower
     * row only when {@code right}, {@code below}; zero past the edge), stored in each point's part of dm. A method of its own for C1's sake, as {@link #inputTile} is.
     */
    private static void gradientTile(Plan p, MemorySegment dy, long at, long rowBytes, int f, boolean right,
            boolean below, float[] dm, int t, int pointStride) {
        FloatVector zero = FloatVector.zero(S);
        for (int k0 = 0; k0 < f; k0 += L) {
            VectorMask<Float> lanes = S.indexInRange(k0, f);
            int j = k0 / CW;
            int to = j * CW * p.tb + t * p.width(j) + k0 - j * CW;
            long kBytes = (long) k0 * Float.BYTES;
            FloatVector y00 = FloatVector.fromMemorySegment(S, dy, at + kBytes, NATIVE, lanes);
            FloatVector y01 = right ? FloatVector.fromMemorySegment(S, dy, at + f * Float.BYTES + kBytes, NATIVE,
                    lanes) : zero;
            FloatVector y10 = below ? FloatVector.fromMemorySegment(S, dy, at + rowBytes + kBytes, NATIVE, lanes)
                    : zero;
            FloatVector y11 = below && right ? FloatVector.fromMemorySegment(S, dy,
                    at + rowBytes + f * Float.BYTES + kBytes, NATIVE, lanes) : zero;
            // A y: rows y0, y0 + y1, y0 - y1, -y1 (for each column); then the same over the columns.
            FloatVector z00 = y00;
            FloatVector z01 = y01;
            FloatVector z10 = y00.add(y10);
            FloatVector z11 = y01.add(y11);
            FloatVector z20 = y00.sub(y10);
            FloatVector z21 = y01.sub(y11);
            FloatVector z30 = y10.neg();
            FloatVector z31 = y11.neg();
            z00.intoArray(dm, 0 * pointStride + to);
            z00.add(z01).intoArray(dm, 1 * pointStride + to);
            z00.sub(z01).intoArray(dm, 2 * pointStride + to);
            z01.neg().intoArray(dm, 3 * pointStride + to);
            z10.intoArray(dm, 4 * pointStride + to);
            z10.add(z11).intoArray(dm, 5 * pointStride + to);
            z10.sub(z11).intoArray(dm, 6 * pointStride + to);
            z11.neg().intoArray(dm, 7 * pointStride + to);
            z20.intoArray(dm, 8 * pointStride + to);
            z20.add(z21).intoArray(dm, 9 * pointStride + to);
            z20.sub(z21).intoArray(dm, 10 * pointStride + to);
            z21.neg().intoArray(dm, 11 * pointStride + to);
            z30.intoArray(dm, 12 * pointStride + to);
            z30.add(z31).intoArray(dm, 13 * pointStride + to);
            z30.sub(z31).intoArray(dm, 14 * pointStride + to);
            z31.neg().intoArray(dm, 15 * pointStride + to);
        }
    }

    /** dU[point][c][:] += Σ_t V[point][c][t] dM[point][t][:], in register tiles of 4 channels x 2 vectors. */
    private static void pointGradient(Plan p, float[] v, float[] dm, float[] du, int duOff, int point, int count) {
        int vBase = point * p.cBlocks * p.tb * L;
        int dmBase = point * p.tb * p.kp;
        int duBase = duOff + point * p.cp * p.kp;
        for (int j = 0; j < p.chunks(); j++) {
            int da = dmBase + j * CW * p.tb;
            for (int cb = 0; cb < p.cBlocks; cb++) {
                for (int ci = 0; ci < L; ci += CHANNEL_ROWS) {
                    int va = vBase + cb * p.tb * L + ci;
                    int ua = duBase + (cb * L + ci) * p.kp + j * CW;
                    if (p.width(j) == CW) {
                        channels4x2(v, va, count, dm, da, du, ua, p.kp);
                    } else {
                        channels4x1(v, va, count, dm, da, du, ua, p.kp);
                    }
                }
            }
        }
    }

    private static void channels4x2(float[] v, int va, int count, float[] dm, int da, float[] du, int ua, int ldu) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        for (int t = 0; t < count; t++) {
            FloatVector b0 = FloatVector.fromArray(S, dm, da + t * CW);
            FloatVector b1 = FloatVector.fromArray(S, dm, da + t * CW + L);
            FloatVector x = FloatVector.broadcast(S, v[va + t * L]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, v[va + t * L + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, v[va + t * L + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, v[va + t * L + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        FloatVector.fromArray(S, du, ua).add(c00).intoArray(du, ua);
        FloatVector.fromArray(S, du, ua + L).add(c01).intoArray(du, ua + L);
        FloatVector.fromArray(S, du, ua + ldu).add(c10).intoArray(du, ua + ldu);
        FloatVector.fromArray(S, du, ua + ldu + L).add(c11).intoArray(du, ua + ldu + L);
        FloatVector.fromArray(S, du, ua + 2 * ldu).add(c20).intoArray(du, ua + 2 * ldu);
        FloatVector.fromArray(S, du, ua + 2 * ldu + L).add(c21).intoArray(du, ua + 2 * ldu + L);
        FloatVector.fromArray(S, du, ua + 3 * ldu).add(c30).intoArray(du, ua + 3 * ldu);
        FloatVector.fromArray(S, du, ua + 3 * ldu + L).add(c31).intoArray(du, ua + 3 * ldu + L);
    }

    private static void channels4x1(float[] v, int va, int count, float[] dm, int da, float[] du, int ua, int ldu) {
        FloatVector c0 = FloatVector.zero(S);
        FloatVector c1 = c0;
        FloatVector c2 = c0;
        FloatVector c3 = c0;
        for (int t = 0; t < count; t++) {
            FloatVector b0 = FloatVector.fromArray(S, dm, da + t * L);
            c0 = FloatVector.broadcast(S, v[va + t * L]).fma(b0, c0);
            c1 = FloatVector.broadcast(S, v[va + t * L + 1]).fma(b0, c1);
            c2 = FloatVector.broadcast(S, v[va + t * L + 2]).fma(b0, c2);
            c3 = FloatVector.broadcast(S, v[va + t * L + 3]).fma(b0, c3);
        }
        FloatVector.fromArray(S, du, ua).add(c0).intoArray(du, ua);
        FloatVector.fromArray(S, du, ua + ldu).add(c1).intoArray(du, ua + ldu);
        FloatVector.fromArray(S, du, ua + 2 * ldu).add(c2).intoArray(du, ua + 2 * ldu);
        FloatVector.fromArray(S, du, ua + 3 * ldu).add(c3).intoArray(du, ua + 3 * ldu);
    }

    /** dg = Gᵀ dU G for every channel pair, from du [point][cp][kp] into dw [kh, kw, c, f]. */
    private static boolean filterGradientTransform(Plan p, float[] du, MemorySegment dw, long dwOff,
            float[][] own) {
        ConvGeometry g = p.g;
        int c = g.c();
        int f = g.f();
        int size = g.kh() * g.kw() * c * f;
        float[] taps = tapsBuffer(own, size);
        if (p.fiveByFive()) {
            WinogradF25.filterGradientTransform(p, du, taps);
        } else {
            filterGradientTransform3(p, du, taps);
        }
        for (int i = 0; i < size; i++) {
            if (!Float.isFinite(taps[i])) {
                return false;
            }
        }
        MemorySegment.copy(taps, 0, dw, ValueLayout.JAVA_FLOAT_UNALIGNED, dwOff, size);
        return true;
    }

    /** dg = Gᵀ dU G of F(2x2, 3x3), into taps [3, 3, c, f]. */
    private static void filterGradientTransform3(Plan p, float[] du, float[] taps) {
        ConvGeometry g = p.g;
        int c = g.c();
        int f = g.f();
        float[] q = new float[12];
        int pointStride = p.cp * p.kp;
        for (int ci = 0; ci < c; ci++) {
            for (int k = 0; k < f; k++) {
                int at = ci * p.kp + k;
                // Gᵀ: rows (1, 1/2, 1/2, 0), (0, 1/2, -1/2, 0), (0, 1/2, 1/2, 1), over the points' rows.
                for (int s = 0; s < 4; s++) {
                    float u0 = du[s * pointStride + at];
                    float u1 = du[(4 + s) * pointStride + at];
                    float u2 = du[(8 + s) * pointStride + at];
                    float u3 = du[(12 + s) * pointStride + at];
                    q[s] = u0 + 0.5f * (u1 + u2);
                    q[4 + s] = 0.5f * (u1 - u2);
                    q[8 + s] = 0.5f * (u1 + u2) + u3;
                }
                for (int ky = 0; ky < 3; ky++) {
                    float u0 = q[4 * ky];
                    float u1 = q[4 * ky + 1];
                    float u2 = q[4 * ky + 2];
                    float u3 = q[4 * ky + 3];
                    taps[((3 * ky) * c + ci) * f + k] = u0 + 0.5f * (u1 + u2);
                    taps[((3 * ky + 1) * c + ci) * f + k] = 0.5f * (u1 - u2);
                    taps[((3 * ky + 2) * c + ci) * f + k] = 0.5f * (u1 + u2) + u3;
                }
            }
        }
    }
}
