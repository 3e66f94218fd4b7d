package dev.cotangent.core;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The transforms of Winograd's F(2x2, 5x5) for {@link Winograd}: a 2x2 output tile from a 6x6 input patch costs
 * 36 multiplies per channel pair instead of 100, 2.8 times fewer. The points are 0, 1, -1, 2, -2 and infinity
 * (Toom-Cook), which give, in one dimension:
 *
 * <pre>
 * Bᵀ = [4  0 -5  0  1  0]    G = [ 1/4     0     0     0     0]    Aᵀ = [1  1  1  1  1  0]
 *      [0 -4 -4  1  1  0]        [-1/6  -1/6  -1/6  -1/6  -1/6]         [0  1 -1  2 -2  1]
 *      [0  4 -4 -1  1  0]        [-1/6   1/6  -1/6   1/6  -1/6]
 *      [0 -2 -1  2  1  0]        [1/24  1/12   1/6   1/3   2/3]
 *      [0  2 -1 -2  1  0]        [1/24 -1/12   1/6  -1/3   2/3]
 *      [0  4  0 -5  0  1]        [   0     0     0     0     1]
 * </pre>
 *
 * and point {@code 6 i + j} of a tile is row i, column j of the 6x6 transforms. The layouts are
 * {@link Winograd}'s. Both channel counts are whole vectors ({@link Winograd#fits}), so no load or store is
 * masked: the methods stay small enough for C1 (see {@link Winograd}'s input transform for why that matters).
 */
final class WinogradF25 {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    static final int ALPHA = 6;
    static final int POINTS = ALPHA * ALPHA;
    /** Where a thread's staging array holds its second 6x6 stage (raw pixels, or a column or tile's results). */
    static final int RAW = POINTS * L;
    /** Floats of a thread's staging array: two 6x6 stages for one vector of channels. */
    static final int STAGING = 2 * POINTS * L;

    private WinogradF25() {}

    /**
     * U = G g Gᵀ for every filter, from {@code src} [25][rows][cols] (a 5x5 filter per row and column; cols
     * contiguous and a whole number of vectors) into u [point][chunk of cols][p.cp() rows][width]; padded
     * entries stay as the caller set them (zero). The forward's rows are the input channels and its columns the
     * output channels; the input gradient's product ({@link Winograd.Plan#transposed}) has them the other way.
     */
    static void filterTransform(Winograd.Plan p, float[] src, int rows, int cols, float[] u) {
        float[] gg = new float[ALPHA * 5 * L]; // (G g)[r][kx] at (5 r + kx) L
        int pointStride = p.cp() * p.kp();
        int tapStride = rows * cols;
        for (int row = 0; row < rows; row++) {
            for (int col = 0; col < cols; col += L) {
                int from = row * cols + col;
                for (int kx = 0; kx < 5; kx++) {
                    g(src, from + kx * tapStride, 5 * tapStride, gg, kx * L, 5 * L);
                }
                int j = col / Winograd.CW;
                int at = j * Winograd.CW * p.cp() + row * p.width(j) + col - j * Winograd.CW;
                for (int r = 0; r < ALPHA; r++) {
                    g(gg, 5 * r * L, L, u, ALPHA * r * pointStride + at, pointStride);
                }
            }
        }
    }

    /** G times the 5 vectors src[off + i stride] (i = 0..4), stored at out[at + k outStride] (k = 0..5). */
    private static void g(float[] src, int off, int stride, float[] out, int at, int outStride) {
        FloatVector g0 = FloatVector.fromArray(S, src, off);
        FloatVector g1 = FloatVector.fromArray(S, src, off + stride);
        FloatVector g2 = FloatVector.fromArray(S, src, off + 2 * stride);
        FloatVector g3 = FloatVector.fromArray(S, src, off + 3 * stride);
        FloatVector g4 = FloatVector.fromArray(S, src, off + 4 * stride);
        FloatVector even = g0.add(g2).add(g4);
        FloatVector odd = g1.add(g3);
        FloatVector even2 = g2.fma(FloatVector.broadcast(S, 4f), g0).add(g4.mul(16f));
        FloatVector odd2 = g1.fma(FloatVector.broadcast(S, 2f), g3.mul(8f));
        g0.mul(0.25f).intoArray(out, at);
        even.add(odd).mul(-1f / 6).intoArray(out, at + outStride);
        even.sub(odd).mul(-1f / 6).intoArray(out, at + 2 * outStride);
        even2.add(odd2).mul(1f / 24).intoArray(out, at + 3 * outStride);
        even2.sub(odd2).mul(1f / 24).intoArray(out, at + 4 * outStride);
        g4.intoArray(out, at + 5 * outStride);
    }

    /** V = Bᵀ d B for tiles t0 .. t0+count, into v [point][channel block][tile][L]. */
    static void inputTransform(Winograd.Plan p, MemorySegment x, long xOff, int t0, int count, float[] v, float[] e) {
        ConvGeometry g = p.g();
        int c = g.c();
        long rowBytes = (long) g.w() * c * Float.BYTES;
        long imageBytes = g.h() * rowBytes;
        long px = (long) c * Float.BYTES;
        int pointStride = p.cBlocks() * p.tb() * L;
        int[] tile = new int[3];
        for (int t = 0; t < count; t++) {
            p.locate(t0 + t, tile);
            int y0 = tile[1] - g.padTop();
            int x0 = tile[2] - g.padLeft();
            int flags = patchFlags(g, y0, x0);
            // Byte offset of pixel (y0, x0); pixels outside the image are never read.
            long corner = xOff + tile[0] * imageBytes + y0 * rowBytes + x0 * px;
            for (int c0 = 0, to = t * L; c0 < c; c0 += L, to += p.tb() * L) {
                long at = corner + (long) c0 * Float.BYTES;
                // the patch's pixels (zero outside the image) staged at e[RAW + (6 i + j) L]; Bᵀ over each column
                // into e[(6 i + j) L]; then Bᵀ over each row into its six points
                for (int s = 0; s < ALPHA; s++) {
                    int rows = (flags >> (8 + s) & 1) != 0 ? flags & 0x3F : 0;
                    loadColumn(x, at + s * px, rowBytes, rows, e, RAW + s * L);
                    bt(e, RAW + s * L, ALPHA * L, e, s * L, ALPHA * L);
                }
                for (int r = 0; r < ALPHA; r++) {
                    bt(e, ALPHA * r * L, L, v, ALPHA * r * pointStride + to, pointStride);
                }
            }
        }
    }

    /** Which of a patch's pixels lie in the image: bit i for row y0 + i, bit 8 + j for column x0 + j. */
    private static int patchFlags(ConvGeometry g, int y0, int x0) {
        int flags = 0;
        for (int i = 0; i < ALPHA; i++) {
            flags |= (y0 + i >= 0 && y0 + i < g.h() ? 1 : 0) << i;
            flags |= (x0 + i >= 0 && x0 + i < g.w() ? 1 : 0) << (8 + i);
        }
        return flags;
    }

    /** A patch column's 6 pixels (row i read when bit i of rows is set, else zero), into e at 6 L steps. */
    private static void loadColumn(MemorySegment x, long at, long rowBytes, int rows, float[] e, int eOff) {
        for (int i = 0; i < ALPHA; i++) {
            FloatVector d = (rows >> i & 1) != 0 ? FloatVector.fromMemorySegment(S, x, at + i * rowBytes, NATIVE)
                    : FloatVector.zero(S);
            d.intoArray(e, eOff + i * ALPHA * L);
        }
    }

    // NOTE: the transforms below take and give arrays, never vectors: a FloatVector argument or result that C2
    // does not inline away is boxed (one allocation per call), and C2 declined to inline such methods here
    // ("callee is too large"); seen: the gradient transform a quarter of a filter gradient's time.

    /** Bᵀ times the 6 vectors src[off + i stride], stored at out[at + k outStride] (k = 0..5). */
    private static void bt(float[] src, int off, int stride, float[] out, int at, int outStride) {
        FloatVector d0 = FloatVector.fromArray(S, src, off);
        FloatVector d1 = FloatVector.fromArray(S, src, off + stride);
        FloatVector d2 = FloatVector.fromArray(S, src, off + 2 * stride);
        FloatVector d3 = FloatVector.fromArray(S, src, off + 3 * stride);
        FloatVector d4 = FloatVector.fromArray(S, src, off + 4 * stride);
        FloatVector d5 = FloatVector.fromArray(S, src, off + 5 * stride);
        FloatVector four = FloatVector.broadcast(S, 4f);
        FloatVector two = FloatVector.broadcast(S, 2f);
        // rows 1, 2: d4 + d3 - 4 (d1 + d2) and d4 - d3 + 4 (d1 - d2); rows 3, 4: d4 - d2 -+ 2 (d1 - d3)
        FloatVector a = d4.sub(d2);
        FloatVector b = d1.sub(d3).mul(two);
        d2.mul(-5f).add(d4).add(d0.mul(four)).intoArray(out, at);
        d1.add(d2).fma(four.neg(), d4.add(d3)).intoArray(out, at + outStride);
        d1.sub(d2).fma(four, d4.sub(d3)).intoArray(out, at + 2 * outStride);
        a.sub(b).intoArray(out, at + 3 * outStride);
        a.add(b).intoArray(out, at + 4 * outStride);
        d3.mul(-5f).add(d5).add(d1.mul(four)).intoArray(out, at + 5 * outStride);
    }

    /** Aᵀ times the 6 vectors src[off + i stride]: m0 + .. + m4 at out[at], m1 - m2 + 2 (m3 - m4) + m5 next. */
    private static void at(float[] src, int off, int stride, float[] out, int at, int outStride) {
        FloatVector m0 = FloatVector.fromArray(S, src, off);
        FloatVector m1 = FloatVector.fromArray(S, src, off + stride);
        FloatVector m2 = FloatVector.fromArray(S, src, off + 2 * stride);
        FloatVector m3 = FloatVector.fromArray(S, src, off + 3 * stride);
        FloatVector m4 = FloatVector.fromArray(S, src, off + 4 * stride);
        FloatVector m5 = FloatVector.fromArray(S, src, off + 5 * stride);
        m0.add(m1).add(m2).add(m3).add(m4).intoArray(out, at);
        m3.sub(m4).fma(FloatVector.broadcast(S, 2f), m1.sub(m2)).add(m5).intoArray(out, at + outStride);
    }

    /** A times the 2 vectors src[off], src[off + stride]: y0, y0 + y1, y0 - y1, y0 + 2 y1, y0 - 2 y1, y1. */
    private static void a(float[] src, int off, int stride, float[] out, int at, int outStride) {
        FloatVector y0 = FloatVector.fromArray(S, src, off);
        FloatVector y1 = FloatVector.fromArray(S, src, off + stride);
        FloatVector two = FloatVector.broadcast(S, 2f);
        y0.intoArray(out, at);
        y0.add(y1).intoArray(out, at + outStride);
        y0.sub(y1).intoArray(out, at + 2 * outStride);
        y1.fma(two, y0).intoArray(out, at + 3 * outStride);
        y1.fma(two.neg(), y0).intoArray(out, at + 4 * outStride);
        y1.intoArray(out, at + 5 * outStride);
    }

    /** y = Aᵀ M A for the block's tiles, written to the output pixels that exist; false if one is not finite. */
    static boolean outputTransform(Winograd.Plan p, float[] m, int t0, int count, MemorySegment out, long outOff,
            float[] e) {
        ConvGeometry g = p.g();
        int f = g.f();
        long rowBytes = (long) g.ow() * f * Float.BYTES;
        long imageBytes = g.oh() * rowBytes;
        int pointStride = p.tb() * p.kp();
        int[] tile = new int[3];
        boolean bad = false;
        for (int t = 0; t < count; t++) {
            p.locate(t0 + t, tile);
            boolean right = tile[2] + 1 < g.ow();
            boolean below = tile[1] + 1 < g.oh();
            long at = outOff + tile[0] * imageBytes + tile[1] * rowBytes + (long) tile[2] * f * Float.BYTES;
            for (int k0 = 0; k0 < f; k0 += L) {
                int mi = t * p.kp() + k0;
                // M A per row r: columns 0 and 1 at e[r L] and e[6 L + r L]; then Aᵀ over each column:
                // pixel (a, b) at e[RAW + (2 a + b) L]
                for (int r = 0; r < ALPHA; r++) {
                    at(m, mi + ALPHA * r * pointStride, pointStride, e, r * L, ALPHA * L);
                }
                at(e, 0, L, e, RAW, 2 * L);
                at(e, ALPHA * L, L, e, RAW + L, 2 * L);
                bad |= storeTile(e, out, at + (long) k0 * Float.BYTES, (long) f * Float.BYTES, rowBytes, right,
                        below);
            }
        }
        return !bad;
    }

    /**
     * The tile's 2x2 pixels staged at e[RAW + (2 a + b) L], stored at {@code at} where they exist (the right
     * column and the lower row when {@code right}, {@code below}). Returns true if the sum s of the four is NaN or
     * infinite: every point of the tile reaches one of them.
     */
    private static boolean storeTile(float[] e, MemorySegment out, long at, long pixelBytes, long rowBytes,
            boolean right, boolean below) {
        FloatVector y00 = FloatVector.fromArray(S, e, RAW);
        FloatVector y01 = FloatVector.fromArray(S, e, RAW + L);
        FloatVector y10 = FloatVector.fromArray(S, e, RAW + 2 * L);
        FloatVector y11 = FloatVector.fromArray(S, e, RAW + 3 * L);
        y00.intoMemorySegment(out, at, NATIVE);
        if (right) {
            y01.intoMemorySegment(out, at + pixelBytes, NATIVE);
        }
        if (below) {
            y10.intoMemorySegment(out, at + rowBytes, NATIVE);
            if (right) {
                y11.intoMemorySegment(out, at + rowBytes + pixelBytes, NATIVE);
            }
        }
        FloatVector sum = y00.add(y01).add(y10).add(y11);
        return sum.sub(sum).test(VectorOperators.IS_NAN).anyTrue();
    }

    /**
     * dM = A dy Aᵀ for the block's tiles (output pixels past the edge count as zero): for the filter gradient into
     * [point][chunk][t][width]; {@code asInput}, for the input gradient's transposed product, laid out as the
     * forward's V is, [point][block of L output channels][tile][L]. Both have 36 points of tb x f floats.
     */
    static void gradientTransform(Winograd.Plan p, MemorySegment dy, long dyOff, int t0, int count, float[] dm,
            boolean asInput, float[] e) {
        ConvGeometry g = p.g();
        int f = g.f();
        long rowBytes = (long) g.ow() * f * Float.BYTES;
        long imageBytes = g.oh() * rowBytes;
        long pixelBytes = (long) f * Float.BYTES;
        int pointStride = p.tb() * f;
        int[] tile = new int[3];
        for (int t = 0; t < count; t++) {
            p.locate(t0 + t, tile);
            boolean right = tile[2] + 1 < g.ow();
            boolean below = tile[1] + 1 < g.oh();
            long at = dyOff + tile[0] * imageBytes + tile[1] * rowBytes + tile[2] * pixelBytes;
            for (int k0 = 0; k0 < f; k0 += L) {
                int j = k0 / Winograd.CW;
                int to = asInput ? (k0 / L * p.tb() + t) * L
                        : j * Winograd.CW * p.tb() + t * p.width(j) + k0 - j * Winograd.CW;
                // dy's 2x2 pixels at e[(2 a + b) L]; A over each column into e[RAW + (2 i + b) L]; then A over
                // each row i into its six points
                loadTile(dy, at + (long) k0 * Float.BYTES, pixelBytes, rowBytes, right, below, e);
                a(e, 0, 2 * L, e, RAW, 2 * L);
                a(e, L, 2 * L, e, RAW + L, 2 * L);
                for (int i = 0; i < ALPHA; i++) {
                    a(e, RAW + 2 * i * L, L, dm, to + ALPHA * i * pointStride, pointStride);
                }
            }
        }
    }

    /** A tile's 2x2 pixels of dy (zero past the edge) into e[(2 a + b) L]. */
    private static void loadTile(MemorySegment dy, long at, long pixelBytes, long rowBytes, boolean right,
            boolean below, float[] e) {
        FloatVector zero = FloatVector.zero(S);
        FloatVector.fromMemorySegment(S, dy, at, NATIVE).intoArray(e, 0);
        (right ? FloatVector.fromMemorySegment(S, dy, at + pixelBytes, NATIVE) : zero).intoArray(e, L);
        (below ? FloatVector.fromMemorySegment(S, dy, at + rowBytes, NATIVE) : zero).intoArray(e, 2 * L);
        (below && right ? FloatVector.fromMemorySegment(S, dy, at + rowBytes + pixelBytes, NATIVE) : zero)
                .intoArray(e, 3 * L);
    }

    /** dg = Gᵀ dU G for every channel pair, from du [point][cp][kp] into taps [5, 5, c, f]. */
    static void filterGradientTransform(Winograd.Plan p, float[] du, float[] taps) {
        ConvGeometry g = p.g();
        int c = g.c();
        int f = g.f();
        int pointStride = p.cp() * p.kp();
        float[] q = new float[ALPHA * 5 * L]; // (Gᵀ dU)[ky][s] at (5 s + ky) L
        for (int ci = 0; ci < c; ci++) {
            for (int k0 = 0; k0 < f; k0 += L) {
                int at = ci * p.kp() + k0;
                for (int s = 0; s < ALPHA; s++) {
                    gt(du, s * pointStride + at, ALPHA * pointStride, q, 5 * s * L, L);
                }
                for (int ky = 0; ky < 5; ky++) {
                    gt(q, ky * L, 5 * L, taps, (5 * ky * c + ci) * f + k0, c * f);
                }
            }
        }
    }

    /** Gᵀ times the 6 vectors src[off + i stride] (i = 0..5), stored at out[at + k outStride] (k = 0..4). */
    private static void gt(float[] src, int off, int stride, float[] out, int at, int outStride) {
        FloatVector u0 = FloatVector.fromArray(S, src, off);
        FloatVector u1 = FloatVector.fromArray(S, src, off + stride);
        FloatVector u2 = FloatVector.fromArray(S, src, off + 2 * stride);
        FloatVector u3 = FloatVector.fromArray(S, src, off + 3 * stride);
        FloatVector u4 = FloatVector.fromArray(S, src, off + 4 * stride);
        FloatVector u5 = FloatVector.fromArray(S, src, off + 5 * stride);
        FloatVector p12 = u1.add(u2).mul(-1f / 6);
        FloatVector m12 = u1.sub(u2).mul(-1f / 6);
        FloatVector p34 = u3.add(u4);
        FloatVector m34 = u3.sub(u4);
        p34.fma(FloatVector.broadcast(S, 1f / 24), u0.fma(FloatVector.broadcast(S, 0.25f), p12)).intoArray(out, at);
        m34.fma(FloatVector.broadcast(S, 1f / 12), m12).intoArray(out, at + outStride);
        p34.fma(FloatVector.broadcast(S, 1f / 6), p12).intoArray(out, at + 2 * outStride);
        m34.fma(FloatVector.broadcast(S, 1f / 3), m12).intoArray(out, at + 3 * outStride);
        p34.fma(FloatVector.broadcast(S, 2f / 3), p12).add(u5).intoArray(out, at + 4 * outStride);
    }

    /**
     * The input gradient's last step: each tile's dd = B dV Bᵀ (dV in m as [point][tile][cp]) added onto the 6x6
     * patch its forward read, where the patch lies inside the image. Patches overlap, so the caller gives each
     * thread whole images. Returns false if an added value is NaN or infinite.
     */
    static boolean scatterInput(Winograd.Plan p, float[] m, int t0, int count, MemorySegment dx, long dxOff,
            float[] e) {
        ConvGeometry g = p.g();
        int c = g.c();
        long rowBytes = (long) g.w() * c * Float.BYTES;
        long imageBytes = g.h() * rowBytes;
        long px = (long) c * Float.BYTES;
        int pointStride = p.tb() * p.cp();
        int[] tile = new int[3];
        boolean bad = false;
        for (int t = 0; t < count; t++) {
            p.locate(t0 + t, tile);
            int y0 = tile[1] - g.padTop();
            int x0 = tile[2] - g.padLeft();
            int flags = patchFlags(g, y0, x0);
            long corner = dxOff + tile[0] * imageBytes + y0 * rowBytes + x0 * px;
            for (int c0 = 0; c0 < c; c0 += L) {
                int mi = t * p.cp() + c0;
                // dV B per row i into e[(6 i + k) L]; B over each column k, then added onto the patch
                for (int i = 0; i < ALPHA; i++) {
                    b(m, mi + ALPHA * i * pointStride, pointStride, e, ALPHA * i * L, L);
                }
                long at = corner + (long) c0 * Float.BYTES;
                for (int k = 0; k < ALPHA; k++) {
                    if ((flags >> (8 + k) & 1) != 0) {
                        bad |= scatterColumn(e, k * L, dx, at + k * px, rowBytes, flags & 0x3F);
                    }
                }
            }
        }
        return !bad;
    }

    /**
     * B over column k of the staged rows (e[eOff + 6 i L] for rows i): the patch column's 6 pixels, staged at
     * e[6 x 6 L ...], then added to dx at {@code at} + r rows where bit r of {@code rows} is set. Returns true if
     * a value added is NaN or infinite.
     */
    private static boolean scatterColumn(float[] e, int eOff, MemorySegment dx, long at, long rowBytes, int rows) {
        int column = RAW;
        b(e, eOff, ALPHA * L, e, column, L);
        // written out, each add its own call (see the NOTE above bt): carried around a loop here, a vector kept
        // C2 from compiling the method with intrinsics (the input gradient 1.6 times as long)
        boolean bad = addRow(dx, at, rows, 0, rowBytes, e, column);
        bad |= addRow(dx, at, rows, 1, rowBytes, e, column);
        bad |= addRow(dx, at, rows, 2, rowBytes, e, column);
        bad |= addRow(dx, at, rows, 3, rowBytes, e, column);
        bad |= addRow(dx, at, rows, 4, rowBytes, e, column);
        bad |= addRow(dx, at, rows, 5, rowBytes, e, column);
        return bad;
    }

    /** Adds row r of the staged column to dx when bit r of {@code rows} is set; true if it added a NaN or infinity. */
    private static boolean addRow(MemorySegment dx, long at, int rows, int r, long rowBytes, float[] e, int column) {
        if ((rows >> r & 1) == 0) {
            return false;
        }
        FloatVector value = FloatVector.fromArray(S, e, column + r * L);
        long to = at + r * rowBytes;
        FloatVector.fromMemorySegment(S, dx, to, NATIVE).add(value).intoMemorySegment(dx, to, NATIVE);
        return value.sub(value).test(VectorOperators.IS_NAN).anyTrue();
    }

    /** B (Bᵀ's columns) times the 6 vectors src[off + i stride], stored at out[at + k outStride] (k = 0..5). */
    private static void b(float[] src, int off, int stride, float[] out, int at, int outStride) {
        FloatVector v0 = FloatVector.fromArray(S, src, off);
        FloatVector v1 = FloatVector.fromArray(S, src, off + stride);
        FloatVector v2 = FloatVector.fromArray(S, src, off + 2 * stride);
        FloatVector v3 = FloatVector.fromArray(S, src, off + 3 * stride);
        FloatVector v4 = FloatVector.fromArray(S, src, off + 4 * stride);
        FloatVector v5 = FloatVector.fromArray(S, src, off + 5 * stride);
        FloatVector four = FloatVector.broadcast(S, 4f);
        FloatVector two = FloatVector.broadcast(S, 2f);
        FloatVector sum12 = v1.add(v2);
        FloatVector sum34 = v3.add(v4);
        v0.mul(four).intoArray(out, at);
        v2.sub(v1).fma(four, v4.sub(v3).fma(two, v5.mul(four))).intoArray(out, at + outStride);
        v0.mul(-5f).sub(sum12.mul(four)).sub(sum34).intoArray(out, at + 2 * outStride);
        v3.sub(v4).fma(two, v1.sub(v2)).sub(v5.mul(5f)).intoArray(out, at + 3 * outStride);
        v0.add(sum12).add(sum34).intoArray(out, at + 4 * outStride);
        v5.intoArray(out, at + 5 * outStride);
    }
}
