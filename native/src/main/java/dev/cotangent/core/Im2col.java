package dev.cotangent.core;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The gather and scatter between an NHWC image batch and the im2col matrix of {@link Convolution}: row
 * {@code (unit - chunkStart) * ow + ox} holds output pixel (image, oy, ox) of unit {@code image * oh + oy}, and
 * its columns run over (ky, kx, channel) like the filter.
 *
 * <p>Runs are short (a few channels times a filter row), so they are moved with masked vector operations
 * rather than {@code MemorySegment.copy}, whose fixed cost would dominate.
 */
final class Im2col {
    /** Copies and zero fills move raw 4-byte lanes, which serves float32 and float64 alike. */
    private static final VectorSpecies<Integer> SI = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> SF = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> SD = DoubleVector.SPECIES_PREFERRED;
    private static final IntVector ZERO = IntVector.zero(SI);
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private Im2col() {}

    /** Fills the rows of units {@code [u0, u1)} of the chunk starting at unit {@code chunkStart}. */
    static void im2col(ConvGeometry g, long es, MemorySegment x, long xOff, MemorySegment cols, int chunkStart,
            int u0, int u1) {
        long run = g.c() * es;
        long rowBytes = g.k() * es;
        long tapRow = g.kw() * run;
        int dw = g.dilationW();
        int[] interior = interior(g);
        // One masked vector moves a whole filter row of taps when it fits (few channels, the common first layer).
        VectorMask<Integer> whole = tapRow <= SI.vectorByteSize() ? SI.indexInRange(0, (int) (tapRow >> 2)) : null;
        for (int u = u0; u < u1; u++) {
            int image = u / g.oh();
            int oy = u % g.oh();
            long imageRow0 = xOff + (long) image * g.h() * g.w() * run;
            long dstUnit = (long) (u - chunkStart) * g.ow() * rowBytes;
            for (int ky = 0; ky < g.kh(); ky++) {
                long dstTap = dstUnit + ky * tapRow;
                int iy = oy * g.strideH() - g.padTop() + ky * g.dilationH();
                if (iy < 0 || iy >= g.h()) {
                    for (int ox = 0; ox < g.ow(); ox++) {
                        zero(cols, dstTap + ox * rowBytes, tapRow);
                    }
                    continue;
                }
                long src = imageRow0 + (long) iy * g.w() * run;
                if (dw != 1) {
                    for (int ox = 0; ox < g.ow(); ox++) {
                        int ix0 = ox * g.strideW() - g.padLeft();
                        for (int kx = 0; kx < g.kw(); kx++) {
                            int ix = ix0 + kx * dw;
                            long d = dstTap + ox * rowBytes + kx * run;
                            if (ix < 0 || ix >= g.w()) {
                                zero(cols, d, run);
                            } else {
                                copy(x, src + ix * run, cols, d, run);
                            }
                        }
                    }
                    continue;
                }
                // Undilated taps of one filter row read one contiguous run of the input row.
                for (int ox = 0; ox < g.ow(); ox++) {
                    if (ox == interior[0] && whole != null) {
                        long step = g.strideW() * run;
                        long s = src + ((long) ox * g.strideW() - g.padLeft()) * run;
                        long d = dstTap + ox * rowBytes;
                        for (; ox < interior[1]; ox++, s += step, d += rowBytes) {
                            IntVector.fromMemorySegment(SI, x, s, NATIVE, whole)
                                    .intoMemorySegment(cols, d, NATIVE, whole);
                        }
                        if (ox >= g.ow()) {
                            break;
                        }
                    }
                    int ix0 = ox * g.strideW() - g.padLeft();
                    int kx0 = Math.min(g.kw(), Math.max(0, -ix0));
                    int kx1 = Math.max(kx0, Math.min(g.kw(), g.w() - ix0));
                    long d = dstTap + ox * rowBytes;
                    zero(cols, d, kx0 * run);
                    copy(x, src + (ix0 + kx0) * run, cols, d + kx0 * run, (kx1 - kx0) * run);
                    zero(cols, d + kx1 * run, (g.kw() - kx1) * run);
                }
            }
        }
    }

    /** The output columns {@code [first, end)} whose undilated window lies wholly inside the input row. */
    private static int[] interior(ConvGeometry g) {
        int first = (int) Math.min(g.ow(), ((long) g.padLeft() + g.strideW() - 1) / g.strideW());
        int last = Math.floorDiv(g.w() + g.padLeft() - g.kw(), g.strideW()); // last ox with ix0 + kw <= w
        return new int[] {first, Math.max(first, Math.min(g.ow(), last + 1))};
    }

    /** Adds the rows of units {@code [u0, u1)} back into the image batch (dx must start zeroed). */
    static void col2im(ConvGeometry g, DType dtype, MemorySegment cols, MemorySegment dx, long dxOff, int chunkStart,
            int u0, int u1) {
        long es = dtype.byteSize();
        long run = g.c() * es;
        long rowBytes = g.k() * es;
        int kw = g.kw();
        int dw = g.dilationW();
        // Pixels ox and ox + phases never share input elements, so within a phase the read-modify-writes of
        // one input row do not overlap, and a store has long retired before an overlapping load comes along.
        int extent = (kw - 1) * dw + 1;
        int phases = (int) Math.min(g.ow(), ((long) extent + g.strideW() - 1) / g.strideW());
        int[] interior = interior(g);
        int tapCount = kw * g.c();
        boolean whole = dw == 1 && tapCount <= (dtype == DType.F32 ? SF.length() : SD.length());
        for (int u = u0; u < u1; u++) {
            int image = u / g.oh();
            int oy = u % g.oh();
            long imageRow0 = dxOff + (long) image * g.h() * g.w() * run;
            long srcUnit = (long) (u - chunkStart) * g.ow() * rowBytes;
            for (int phase = 0; phase < phases; phase++) {
                for (int ky = 0; ky < g.kh(); ky++) {
                    int iy = oy * g.strideH() - g.padTop() + ky * g.dilationH();
                    if (iy < 0 || iy >= g.h()) {
                        continue;
                    }
                    long dstRow = imageRow0 + (long) iy * g.w() * run;
                    long srcTap = srcUnit + ky * kw * run;
                    for (int ox = phase; ox < g.ow(); ox += phases) {
                        long src = srcTap + ox * rowBytes;
                        int ix0 = ox * g.strideW() - g.padLeft();
                        if (dw != 1) {
                            for (int kx = 0; kx < kw; kx++) {
                                int ix = ix0 + kx * dw;
                                if (ix >= 0 && ix < g.w()) {
                                    add(dtype, cols, src + kx * run, dx, dstRow + ix * run, g.c());
                                }
                            }
                        } else if (whole && ox >= interior[0] && ox < interior[1]) {
                            addWhole(dtype, cols, src, dx, dstRow + ix0 * run, tapCount);
                        } else {
                            int kx0 = Math.min(kw, Math.max(0, -ix0));
                            int kx1 = Math.max(kx0, Math.min(kw, g.w() - ix0));
                            add(dtype, cols, src + kx0 * run, dx, dstRow + (ix0 + kx0) * run, (kx1 - kx0) * g.c());
                        }
                    }
                }
            }
        }
    }

    /** dst[0:count] += src[0:count] for a run that fits one vector. */
    private static void addWhole(DType dtype, MemorySegment src, long s, MemorySegment dst, long d, int count) {
        if (dtype == DType.F32) {
            VectorMask<Float> m = SF.indexInRange(0, count);
            FloatVector.fromMemorySegment(SF, dst, d, NATIVE, m)
                    .add(FloatVector.fromMemorySegment(SF, src, s, NATIVE, m))
                    .intoMemorySegment(dst, d, NATIVE, m);
        } else {
            VectorMask<Double> m = SD.indexInRange(0, count);
            DoubleVector.fromMemorySegment(SD, dst, d, NATIVE, m)
                    .add(DoubleVector.fromMemorySegment(SD, src, s, NATIVE, m))
                    .intoMemorySegment(dst, d, NATIVE, m);
        }
    }

    /** Copies {@code bytes} (a multiple of 4) from {@code src} at {@code s} to {@code dst} at {@code d}. */
    private static void copy(MemorySegment src, long s, MemorySegment dst, long d, long bytes) {
        long lanes = bytes >> 2;
        for (long i = 0; i < lanes; i += SI.length(), s += SI.vectorByteSize(), d += SI.vectorByteSize()) {
            VectorMask<Integer> m = SI.indexInRange(i, lanes);
            IntVector.fromMemorySegment(SI, src, s, NATIVE, m).intoMemorySegment(dst, d, NATIVE, m);
        }
    }

    private static void zero(MemorySegment dst, long d, long bytes) {
        long lanes = bytes >> 2;
        for (long i = 0; i < lanes; i += SI.length(), d += SI.vectorByteSize()) {
            ZERO.intoMemorySegment(dst, d, NATIVE, SI.indexInRange(i, lanes));
        }
    }

    /** dst[0:count] += src[0:count], element-wise, at byte offsets. */
    private static void add(DType dtype, MemorySegment src, long s, MemorySegment dst, long d, int count) {
        if (dtype == DType.F32) {
            for (int i = 0; i < count; i += SF.length(), s += SF.vectorByteSize(), d += SF.vectorByteSize()) {
                VectorMask<Float> m = SF.indexInRange(i, count);
                FloatVector.fromMemorySegment(SF, dst, d, NATIVE, m)
                        .add(FloatVector.fromMemorySegment(SF, src, s, NATIVE, m))
                        .intoMemorySegment(dst, d, NATIVE, m);
            }
        } else {
            for (int i = 0; i < count; i += SD.length(), s += SD.vectorByteSize(), d += SD.vectorByteSize()) {
                VectorMask<Double> m = SD.indexInRange(i, count);
                DoubleVector.fromMemorySegment(SD, dst, d, NATIVE, m)
                        .add(DoubleVector.fromMemorySegment(SD, src, s, NATIVE, m))
                        .intoMemorySegment(dst, d, NATIVE, m);
            }
        }
    }
}
