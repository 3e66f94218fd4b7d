package dev.cotangent.core;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The im2col matrix of a float32 convolution ({@link Im2col}'s layout: one row per output pixel of the whole
 * batch, one column per filter tap and input channel) made block by block for the Java GEMM, straight from the
 * NHWC input into the GEMM's packing buffer.
 *
 * <p>Why: the chunked path writes each im2col chunk to memory and the GEMM then copies it again into its
 * packing buffer. For LeNet's second layer (14x14x32 -> 64, 5x5) that first copy took a fifth of the forward
 * (4.8 ms against 3.6 for the GEMMs alone on one thread). Here the row segment a block needs is copied once, as
 * the contiguous runs it is made of: the channels of each tap, and with no dilation a whole filter row of taps.
 * Padding is written as zeros. The GEMM's summation order is the same as with a stored im2col matrix.
 */
final class Im2colPanels implements JavaSgemm.APanels {
    private static final ValueLayout.OfFloat E = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final ConvGeometry g;
    private final MemorySegment x;
    private final long xOff;
    private final int pixelsPerImage;
    private final int tapsPerRow;
    /** The matrix's row 0 is output pixel {@code firstPixel} of the batch. */
    private final int firstPixel;

    /** Panels of the im2col matrix of the contiguous float32 input {@code x} (from byte {@code xOff}). */
    Im2colPanels(ConvGeometry g, MemorySegment x, long xOff) {
        this(g, x, xOff, 0);
    }

    private Im2colPanels(ConvGeometry g, MemorySegment x, long xOff, int firstPixel) {
        this.g = g;
        this.x = x;
        this.xOff = xOff;
        this.pixelsPerImage = g.oh() * g.ow();
        this.tapsPerRow = g.kw() * g.c();
        this.firstPixel = firstPixel;
    }

    /** The rows from output pixel {@code pixel} on: a part of the batch, for a product split over its pixels. */
    Im2colPanels fromPixel(int pixel) {
        return new Im2colPanels(g, x, xOff, firstPixel + pixel);
    }

    @Override
    public void copy(boolean transA, int ic, int mc, int pc, int kc, float[] ap) {
        if (transA) {
            // op(A) = im2colᵀ (a filter gradient): depth p is pixel pc + p, its taps ic .. ic + mc.
            for (int p = 0; p < kc; p++) {
                row(firstPixel + pc + p, ic, mc, ap, p * JavaSgemm.MC);
            }
        } else {
            for (int i = 0; i < mc; i++) {
                row(firstPixel + ic + i, pc, kc, ap, i * JavaSgemm.KC);
            }
        }
    }

    /** Writes im2col[pixel, tap0 : tap0 + len] to {@code dst[at ...]}. */
    void row(int pixel, int tap0, int len, float[] dst, int at) {
        int image = pixel / pixelsPerImage;
        int rem = pixel - image * pixelsPerImage;
        int oy = rem / g.ow();
        int ox = rem - oy * g.ow();
        int c = g.c();
        int ix0 = ox * g.strideW() - g.padLeft();
        long image0 = (long) image * g.h();
        int end = tap0 + len;
        for (int t = tap0, ky = tap0 / tapsPerRow; t < end; ky++) {
            int rowStart = ky * tapsPerRow;
            int rowEnd = Math.min(end, rowStart + tapsPerRow);
            int d = at + (t - tap0);
            int iy = oy * g.strideH() - g.padTop() + ky * g.dilationH();
            if (iy < 0 || iy >= g.h()) {
                Arrays.fill(dst, d, d + (rowEnd - t), 0f);
            } else if (g.dilationW() == 1) {
                // The taps of one filter row are consecutive input pixels: in-bounds ones are one run.
                long rowAt = xOff + ((image0 + iy) * g.w() + ix0) * c * (long) Float.BYTES;
                int kx0 = Math.min(g.kw(), Math.max(0, -ix0));
                int kx1 = Math.max(kx0, Math.min(g.kw(), g.w() - ix0));
                int lo = Math.max(t, rowStart + kx0 * c);
                int hi = Math.min(rowEnd, rowStart + kx1 * c);
                if (lo >= hi) {
                    Arrays.fill(dst, d, d + (rowEnd - t), 0f);
                } else {
                    Arrays.fill(dst, d, d + (lo - t), 0f);
                    MemorySegment.copy(x, E, rowAt + (long) (lo - rowStart) * Float.BYTES, dst, d + (lo - t), hi - lo);
                    Arrays.fill(dst, d + (hi - t), d + (rowEnd - t), 0f);
                }
            } else {
                long rowAt = xOff + (image0 + iy) * g.w() * c * (long) Float.BYTES;
                for (int s = t; s < rowEnd; ) {
                    int kx = (s - rowStart) / c;
                    int runEnd = Math.min(rowEnd, rowStart + (kx + 1) * c);
                    int ix = ix0 + kx * g.dilationW();
                    int ds = at + (s - tap0);
                    if (ix < 0 || ix >= g.w()) {
                        Arrays.fill(dst, ds, ds + (runEnd - s), 0f);
                    } else {
                        int ci = s - rowStart - kx * c;
                        MemorySegment.copy(x, E, rowAt + ((long) ix * c + ci) * Float.BYTES, dst, ds, runEnd - s);
                    }
                    s = runEnd;
                }
            }
            t = rowEnd;
        }
    }
}
