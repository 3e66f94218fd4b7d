package dev.cotangent.core;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 pooling kernels of {@link Pooling}, straight on the arrays' memory with channels in vector lanes:
 * one pass over the input and one over the output, so that pooling runs at memory bandwidth instead of widening
 * every image to doubles. Results follow the same rules as the double path: padded positions never win a max nor
 * count in an average; a max's gradient goes to its first maximum in row-major window order (a NaN only when it
 * comes first), and overlapping windows add up.
 *
 * <p>When the windows tile the input exactly (stride equal to the window, no padding, nothing left over), each
 * input element belongs to one window, and the backward products write the input gradient instead of zeroing it
 * and adding into it.
 */
final class FloatPooling {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final long ES = Float.BYTES;

    private FloatPooling() {}

    /** One image's work, at byte offsets of its first element in each array. */
    @FunctionalInterface
    interface ImageKernel {
        void run(Pooling.Geometry g, MemorySegment in, long inAt, MemorySegment aux, long auxAt, MemorySegment out,
                long outAt);
    }

    /** Whether the windows are 2x2 with stride 2 and tile the input: the common case, with its own loops. */
    static boolean pairs(Pooling.Geometry g) {
        return g.p().poolH() == 2 && g.p().poolW() == 2 && tiles(g);
    }

    /** Whether every input element lies in exactly one window. */
    static boolean tiles(Pooling.Geometry g) {
        PoolParams p = g.p();
        return p.strideH() == p.poolH() && p.strideW() == p.poolW() && g.padTop() == 0 && g.padLeft() == 0
                && g.oh() * p.poolH() == g.h() && g.ow() * p.poolW() == g.w();
    }

    static void max(Pooling.Geometry g, MemorySegment in, long inAt, MemorySegment unused, long unusedAt,
            MemorySegment out, long outAt) {
        if (pairs(g)) {
            TwoByTwo.max(g, in, inAt, out, outAt);
            return;
        }
        int c = g.c();
        long o = outAt;
        for (int oy = 0; oy < g.oh(); oy++) {
            for (int ox = 0; ox < g.ow(); ox++, o += c * ES) {
                for (int ch = 0; ch < c; ch += L) {
                    FloatVector best = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
                    for (int y = g.y0(oy); y < g.y1(oy); y++) {
                        long i = inAt + (((long) y * g.w() + g.x0(ox)) * c + ch) * ES;
                        for (int x = g.x0(ox); x < g.x1(ox); x++, i += c * ES) {
                            best = best.max(load(in, i, ch, c));
                        }
                    }
                    store(best, out, o + ch * ES, ch, c);
                }
            }
        }
    }

    static void avg(Pooling.Geometry g, MemorySegment in, long inAt, MemorySegment unused, long unusedAt,
            MemorySegment out, long outAt) {
        if (pairs(g)) {
            TwoByTwo.avg(g, in, inAt, out, outAt);
            return;
        }
        int c = g.c();
        long o = outAt;
        for (int oy = 0; oy < g.oh(); oy++) {
            for (int ox = 0; ox < g.ow(); ox++, o += c * ES) {
                float scale = 1f / ((g.y1(oy) - g.y0(oy)) * (g.x1(ox) - g.x0(ox)));
                for (int ch = 0; ch < c; ch += L) {
                    FloatVector sum = FloatVector.zero(S);
                    for (int y = g.y0(oy); y < g.y1(oy); y++) {
                        long i = inAt + (((long) y * g.w() + g.x0(ox)) * c + ch) * ES;
                        for (int x = g.x0(ox); x < g.x1(ox); x++, i += c * ES) {
                            sum = sum.add(load(in, i, ch, c));
                        }
                    }
                    store(sum.mul(scale), out, o + ch * ES, ch, c);
                }
            }
        }
    }

    /** dx (image of {@code out}) from input {@code in} and output gradient {@code grad}. */
    static void maxBackward(Pooling.Geometry g, MemorySegment in, long inAt, MemorySegment grad, long gradAt,
            MemorySegment dx, long dxAt) {
        if (pairs(g)) {
            TwoByTwo.maxBackward(g, in, inAt, grad, gradAt, dx, dxAt);
            return;
        }
        int c = g.c();
        boolean tiles = tiles(g);
        if (!tiles) {
            dx.asSlice(dxAt, (long) g.h() * g.w() * c * ES).fill((byte) 0);
        }
        FloatVector zero = FloatVector.zero(S);
        long o = gradAt;
        for (int oy = 0; oy < g.oh(); oy++) {
            int y0 = g.y0(oy);
            int y1 = g.y1(oy);
            for (int ox = 0; ox < g.ow(); ox++, o += c * ES) {
                int x0 = g.x0(ox);
                int x1 = g.x1(ox);
                for (int ch = 0; ch < c; ch += L) {
                    // The window position of each lane's first maximum, as a float (exact: windows are small).
                    FloatVector best = load(in, at(g, inAt, y0, x0, ch), ch, c);
                    FloatVector where = zero;
                    for (int y = y0, j = 0; y < y1; y++) {
                        for (int x = x0; x < x1; x++, j++) {
                            FloatVector v = load(in, at(g, inAt, y, x, ch), ch, c);
                            // Strictly greater: ties keep the first maximum, as TF does.
                            VectorMask<Float> greater = v.compare(VectorOperators.GT, best);
                            best = best.blend(v, greater);
                            where = where.blend(FloatVector.broadcast(S, j), greater);
                        }
                    }
                    FloatVector gv = load(grad, o + ch * ES, ch, c);
                    for (int y = y0, j = 0; y < y1; y++) {
                        for (int x = x0; x < x1; x++, j++) {
                            long d = at(g, dxAt, y, x, ch);
                            FloatVector mine = zero.blend(gv, where.compare(VectorOperators.EQ, FloatVector.broadcast(S, j)));
                            if (!tiles) {
                                mine = mine.add(load(dx, d, ch, c));
                            }
                            store(mine, dx, d, ch, c);
                        }
                    }
                }
            }
        }
    }

    /** dx (image of {@code out}) from the output gradient {@code grad} alone. */
    static void avgBackward(Pooling.Geometry g, MemorySegment grad, long gradAt, MemorySegment unused,
            long unusedAt, MemorySegment dx, long dxAt) {
        if (pairs(g)) {
            TwoByTwo.avgBackward(g, grad, gradAt, dx, dxAt);
            return;
        }
        int c = g.c();
        boolean tiles = tiles(g);
        if (!tiles) {
            dx.asSlice(dxAt, (long) g.h() * g.w() * c * ES).fill((byte) 0);
        }
        long o = gradAt;
        for (int oy = 0; oy < g.oh(); oy++) {
            for (int ox = 0; ox < g.ow(); ox++, o += c * ES) {
                float scale = 1f / ((g.y1(oy) - g.y0(oy)) * (g.x1(ox) - g.x0(ox)));
                for (int ch = 0; ch < c; ch += L) {
                    // d(mean)/dx = 1 / count
                    FloatVector share = load(grad, o + ch * ES, ch, c).mul(scale);
                    for (int y = g.y0(oy); y < g.y1(oy); y++) {
                        for (int x = g.x0(ox); x < g.x1(ox); x++) {
                            long d = at(g, dxAt, y, x, ch);
                            FloatVector v = tiles ? share
                                    : share.add(load(dx, d, ch, c));
                            store(v, dx, d, ch, c);
                        }
                    }
                }
            }
        }
    }

    /**
     * Channels [ch, ch + L) at byte {@code at}: a plain load when all exist (a masked load from a memory segment
     * is not compiled to one instruction), else a masked one.
     */
    private static FloatVector load(MemorySegment s, long at, int ch, int c) {
        return ch + L <= c ? FloatVector.fromMemorySegment(S, s, at, NATIVE)
                : FloatVector.fromMemorySegment(S, s, at, NATIVE, S.indexInRange(ch, c));
    }

    /** Stores channels [ch, ch + L) at byte {@code at}, masked when some do not exist. */
    private static void store(FloatVector v, MemorySegment s, long at, int ch, int c) {
        if (ch + L <= c) {
            v.intoMemorySegment(s, at, NATIVE);
        } else {
            v.intoMemorySegment(s, at, NATIVE, S.indexInRange(ch, c));
        }
    }

    /** Byte offset of element (y, x, ch) of the image starting at {@code imageAt}. */
    private static long at(Pooling.Geometry g, long imageAt, int y, int x, int ch) {
        return imageAt + (((long) y * g.w() + x) * g.c() + ch) * ES;
    }
}
