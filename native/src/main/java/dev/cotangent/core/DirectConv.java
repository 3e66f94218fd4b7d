package dev.cotangent.core;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.jspecify.annotations.Nullable;

/**
 * float32 convolution and both its gradients for few input channels, without an im2col matrix: register-
 * blocked Vector API kernels that read the filter taps of each output pixel straight from a zero-padded copy
 * of one image.
 *
 * <p>Why: with 3 input channels the im2col matrix is 25 times the input (5x5 taps) and only 32 output channels
 * reuse each of its elements, so writing it and reading it back costs as much as the multiply-adds. Here each
 * image is copied once, with its padding, into a small per-thread array that stays in L2 (a 36x36x3 image is
 * 15 KiB), and the kernels read it in place: the element for output pixel (oy, ox) and im2col column kk sits at
 * {@code (oy * strideH * paddedWidth + ox * strideW) * C + tapOffset[kk]}, whatever the strides and dilations.
 *
 * <p>Forward: tiles of {@value #MR} output pixels by one or two vectors of output channels, accumulated over
 * every im2col column in one loop, the filter repacked once per call in blocks of channels. Filter gradient:
 * tiles of {@value #MR} im2col columns by one or two vectors of output channels, accumulated over every pixel of
 * an image, into a per-thread partial that is summed at the end. Input gradient (unit strides): each input
 * pixel's window of the zero-padded output gradient against the flipped filter, with the output channels in
 * the lanes, tiles of {@value #INPUT_PIXELS} pixels by one or three input channels. Threads take fixed ranges of
 * whole images.
 */
final class DirectConv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat E = ValueLayout.JAVA_FLOAT;
    /** Pixels (forward) or im2col columns (filter gradient) per tile: with two vectors, 12 accumulators. */
    static final int MR = 6;
    /** Multiply-adds below which a second thread costs more than it saves (about 20 us of work). */
    private static final long PARALLEL_WORK = 1L << 21;

    /** Most input channels for which the direct kernels are used (tests raise it to cover more geometries). */
    static volatile int maxChannels = 4;

    private DirectConv() {}

    /**
     * Whether the direct kernels take this convolution: float32, few input channels, and a padded image (what the
     * windows reach, padding included, copied per thread) at most 16 times the image or 1 Mi floats. Huge strides
     * or dilations reach far past a small image: the padded copy would be mostly zeros, or not fit an array.
     */
    static boolean applies(ConvGeometry g, DType dtype) {
        if (dtype != DType.F32 || g.c() > maxChannels) {
            return false;
        }
        long hp = Math.max((long) g.h() + g.padTop(),
                (g.oh() - 1L) * g.strideH() + (g.kh() - 1L) * g.dilationH() + 1);
        long wp = Math.max((long) g.w() + g.padLeft(),
                (g.ow() - 1L) * g.strideW() + (g.kw() - 1L) * g.dilationW() + 1);
        double padded = (double) hp * wp * g.c();
        return padded <= Math.max(16.0 * g.h() * g.w() * g.c(), MAX_SMALL_PADDED) && padded <= MAX_PADDED;
    }

    /** Padded floats allowed whatever the image's size: 4 MiB per thread. */
    private static final double MAX_SMALL_PADDED = 1 << 20;
    /** Padded floats allowed at all (1 GiB per thread): past it, an image goes to im2col in blocks. */
    private static final double MAX_PADDED = 1 << 28;

    /** The sizes shared by both kernels: padded image, tap offsets, output channels rounded to vectors. */
    private record Layout(ConvGeometry g, int hp, int wp, int fp, int[] tapOffset, int[] pixelOffset) {
        static Layout of(ConvGeometry g) {
            // Rows and columns the windows reach, padding included (SAME may pad after the image too).
            int hp = Math.max(g.h() + g.padTop(), (g.oh() - 1) * g.strideH() + (g.kh() - 1) * g.dilationH() + 1);
            int wp = Math.max(g.w() + g.padLeft(), (g.ow() - 1) * g.strideW() + (g.kw() - 1) * g.dilationW() + 1);
            int[] tapOffset = new int[g.k()];
            for (int ky = 0, kk = 0; ky < g.kh(); ky++) {
                for (int kx = 0; kx < g.kw(); kx++) {
                    for (int ci = 0; ci < g.c(); ci++, kk++) {
                        tapOffset[kk] = (ky * g.dilationH() * wp + kx * g.dilationW()) * g.c() + ci;
                    }
                }
            }
            int[] pixelOffset = new int[g.oh() * g.ow()];
            for (int oy = 0, q = 0; oy < g.oh(); oy++) {
                for (int ox = 0; ox < g.ow(); ox++, q++) {
                    pixelOffset[q] = (oy * g.strideH() * wp + ox * g.strideW()) * g.c();
                }
            }
            return new Layout(g, hp, wp, (g.f() + L - 1) / L * L, tapOffset, pixelOffset);
        }

        /** Where output pixel (oy, ox)'s window starts in the padded image. */
        int pixel(int oy, int ox) {
            return pixelOffset[oy * g.ow() + ox];
        }

        /** Floats of channels in 2-vector blocks; the rest of fp, if any, is one vector. */
        int wide() {
            return fp / (2 * L) * 2 * L;
        }

        /** Floats per row of the block of channels that starts at f0: 2L, or L for the last, narrow one. */
        int blockWidth(int f0) {
            return f0 < wide() ? 2 * L : L;
        }

        /**
         * Copies image {@code image} of the input into {@code xp} with its zero padding; the padding positions are
         * never written, so they keep the zeros of a new array.
         */
        void pad(MemorySegment x, long xOff, int image, float[] xp) {
            int c = g.c();
            long rowBytes = (long) g.w() * c * Float.BYTES;
            long src = xOff + (long) image * g.h() * rowBytes;
            for (int iy = 0; iy < g.h(); iy++, src += rowBytes) {
                MemorySegment.copy(x, E, src, xp, ((iy + g.padTop()) * wp + g.padLeft()) * c, g.w() * c);
            }
        }

        int paddedSize() {
            return hp * wp * g.c();
        }

        /**
         * Rows of {@code rows} floats (rows [K, F] of a filter, or [pixels, F] of one image's output gradient) from
         * {@code src} at byte {@code off} into {@code into}, in blocks of 2 vectors of channels (then one), row
         * after row within a block: block f0 starts at {@code f0 * rows}. A kernel then steps through a block by a
         * constant (2L or L floats), which lets C2 drop its bounds checks: with a step of fp it kept them, and the
         * tile ran at 160 GFLOP/s on one core of the reference machine instead of 200. Lanes past F keep the zeros
         * of a new array.
         */
        void blocked(MemorySegment src, long off, int rows, float[] into) {
            int f = g.f();
            if (f == blockWidth(0)) {
                // One block, as wide as a row: the layout is the source's.
                MemorySegment.copy(src, E, off, into, 0, rows * f);
                return;
            }
            int wide = wide();
            for (int r = 0; r < rows; r++, off += (long) f * Float.BYTES) {
                for (int f0 = 0; f0 < f; f0 += 2 * L) {
                    int width = f0 < wide ? 2 * L : L;
                    MemorySegment.copy(src, E, off + (long) f0 * Float.BYTES, into, f0 * rows + r * width,
                            Math.min(width, f - f0));
                }
            }
        }

        long work() {
            return (long) g.n() * g.oh() * g.ow() * g.k() * g.f();
        }
    }

    /** A kernel's work on one image, with the calling thread's scratch: the padded image and {@code extra}. */
    @FunctionalInterface
    private interface PerImage {
        void run(int image, float[] xp, float[] extra, int part);
    }

    /**
     * Runs {@code body} over every image, each part with its own scratch ({@code extra} floats besides the padded
     * image). Parts take fixed ranges of images, so that per-part sums, and their total, do not depend on timing;
     * unless {@code mayFork} (the segments are accessible from other threads), they run on the caller.
     */
    private static void images(Layout lay, int extra, boolean mayFork, PerImage body) {
        Parallel.forRange(lay.g.n(), 1, parts(lay), mayFork, (part, from, to) -> {
            float[] xp = new float[lay.paddedSize()];
            float[] scratch = new float[extra];
            for (int i = from; i < to; i++) {
                body.run(i, xp, scratch, part);
            }
        });
    }

    /** Parts {@link #images} splits the batch into: one unless the work pays for another thread. */
    private static int parts(Layout lay) {
        return lay.work() >= PARALLEL_WORK ? Math.max(1, Math.min(Parallel.threads(), lay.g.n())) : 1;
    }

    /**
     * out [N, OH, OW, F] = conv2d(x, w); {@code out} is fully written. Tiles take {@value #MR} consecutive output
     * pixels of an image, across row ends (an image's output rows are contiguous), and walk every tap in one loop.
     */
    static void forward(ConvGeometry g, MemorySegment x, long xOff, MemorySegment w, long wOff, MemorySegment out,
            long outOff) {
        Layout lay = Layout.of(g);
        int fp = lay.fp;
        int k = g.k();
        int pixels = g.oh() * g.ow();
        float[] wq = new float[k * fp];
        lay.blocked(w, wOff, k, wq);
        images(lay, 0, Parallel.shareable(x, w, out), (image, xp, unused, part) -> {
            lay.pad(x, xOff, image, xp);
            long at = outOff + (long) image * pixels * g.f() * Float.BYTES;
            for (int q0 = 0; q0 < pixels; q0 += MR) {
                for (int f0 = 0; f0 < fp; f0 += 2 * L) {
                    if (f0 < lay.wide()) {
                        forwardTile2(lay, xp, wq, f0 * k, q0, f0, out, at);
                    } else {
                        forwardTile1(lay, xp, wq, f0 * k, q0, f0, out, at);
                    }
                }
            }
        });
    }

    /** Output pixels [q0, q0 + MR) of one image (clamped; extras computed and dropped) by 2 vectors of channels. */
    private static void forwardTile2(Layout lay, float[] xp, float[] wq, int w0At, int q0, int f0, MemorySegment out,
            long image) {
        int[] pixels = lay.pixelOffset;
        int last = pixels.length - 1;
        int p0 = pixels[q0];
        int p1 = pixels[Math.min(q0 + 1, last)];
        int p2 = pixels[Math.min(q0 + 2, last)];
        int p3 = pixels[Math.min(q0 + 3, last)];
        int p4 = pixels[Math.min(q0 + 4, last)];
        int p5 = pixels[Math.min(q0 + 5, last)];
        FloatVector a0 = FloatVector.zero(S), b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0;
        FloatVector a3 = a0, b3 = a0, a4 = a0, b4 = a0, a5 = a0, b5 = a0;
        int[] taps = lay.tapOffset;
        for (int k = 0, wi = w0At; k < taps.length; k++, wi += 2 * L) {
            int t = taps[k];
            FloatVector w0 = FloatVector.fromArray(S, wq, wi);
            FloatVector w1 = FloatVector.fromArray(S, wq, wi + L);
            FloatVector v = FloatVector.broadcast(S, xp[p0 + t]);
            a0 = w0.fma(v, a0);
            b0 = w1.fma(v, b0);
            v = FloatVector.broadcast(S, xp[p1 + t]);
            a1 = w0.fma(v, a1);
            b1 = w1.fma(v, b1);
            v = FloatVector.broadcast(S, xp[p2 + t]);
            a2 = w0.fma(v, a2);
            b2 = w1.fma(v, b2);
            v = FloatVector.broadcast(S, xp[p3 + t]);
            a3 = w0.fma(v, a3);
            b3 = w1.fma(v, b3);
            v = FloatVector.broadcast(S, xp[p4 + t]);
            a4 = w0.fma(v, a4);
            b4 = w1.fma(v, b4);
            v = FloatVector.broadcast(S, xp[p5 + t]);
            a5 = w0.fma(v, a5);
            b5 = w1.fma(v, b5);
        }
        // Each accumulator stored by its own call: from an array the vectors would be boxed, and not intrinsified.
        int count = Math.min(MR, pixels.length - q0);
        int f = lay.g.f();
        long pitch = (long) f * Float.BYTES;
        long at = image + (long) q0 * pitch + (long) f0 * Float.BYTES;
        store(a0, b0, f0, f, out, at);
        if (count > 1) store(a1, b1, f0, f, out, at + pitch);
        if (count > 2) store(a2, b2, f0, f, out, at + 2 * pitch);
        if (count > 3) store(a3, b3, f0, f, out, at + 3 * pitch);
        if (count > 4) store(a4, b4, f0, f, out, at + 4 * pitch);
        if (count > 5) store(a5, b5, f0, f, out, at + 5 * pitch);
    }

    /** As {@link #forwardTile2} with one vector of output channels (the last, or only, one). */
    private static void forwardTile1(Layout lay, float[] xp, float[] wq, int w0At, int q0, int f0, MemorySegment out,
            long image) {
        int[] pixels = lay.pixelOffset;
        int last = pixels.length - 1;
        int p0 = pixels[q0];
        int p1 = pixels[Math.min(q0 + 1, last)];
        int p2 = pixels[Math.min(q0 + 2, last)];
        int p3 = pixels[Math.min(q0 + 3, last)];
        int p4 = pixels[Math.min(q0 + 4, last)];
        int p5 = pixels[Math.min(q0 + 5, last)];
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        int[] taps = lay.tapOffset;
        for (int k = 0, wi = w0At; k < taps.length; k++, wi += L) {
            int t = taps[k];
            FloatVector w0 = FloatVector.fromArray(S, wq, wi);
            a0 = w0.fma(FloatVector.broadcast(S, xp[p0 + t]), a0);
            a1 = w0.fma(FloatVector.broadcast(S, xp[p1 + t]), a1);
            a2 = w0.fma(FloatVector.broadcast(S, xp[p2 + t]), a2);
            a3 = w0.fma(FloatVector.broadcast(S, xp[p3 + t]), a3);
            a4 = w0.fma(FloatVector.broadcast(S, xp[p4 + t]), a4);
            a5 = w0.fma(FloatVector.broadcast(S, xp[p5 + t]), a5);
        }
        // Each accumulator stored by its own call: from an array the vectors would be boxed, and not intrinsified.
        int count = Math.min(MR, pixels.length - q0);
        int f = lay.g.f();
        long pitch = (long) f * Float.BYTES;
        long at = image + (long) q0 * pitch + (long) f0 * Float.BYTES;
        store(a0, f0, f, out, at);
        if (count > 1) store(a1, f0, f, out, at + pitch);
        if (count > 2) store(a2, f0, f, out, at + 2 * pitch);
        if (count > 3) store(a3, f0, f, out, at + 3 * pitch);
        if (count > 4) store(a4, f0, f, out, at + 4 * pitch);
        if (count > 5) store(a5, f0, f, out, at + 5 * pitch);
    }

    /** Stores output channels [c0, c0 + L) of one pixel at byte {@code at}, masking channels past {@code f}. */
    private static void store(FloatVector a, int c0, int f, MemorySegment out, long at) {
        if (c0 + L <= f) {
            a.intoMemorySegment(out, at, NATIVE);
        } else {
            a.intoMemorySegment(out, at, NATIVE, S.indexInRange(c0, f));
        }
    }

    /** Stores output channels [c0, c0 + 2L) of one pixel at byte {@code at}. */
    private static void store(FloatVector a, FloatVector b, int c0, int f, MemorySegment out, long at) {
        store(a, c0, f, out, at);
        store(b, c0 + L, f, out, at + (long) L * Float.BYTES);
    }

    /**
     * dw [K, F] = im2col(x)^T @ dy, summed over the batch; {@code dw} is fully written. Each image's output
     * gradient is copied in blocks of channels ({@link Layout#blocked}), and tiles walk a block of its pixels in
     * one loop.
     */
    static void backwardFilter(ConvGeometry g, MemorySegment x, long xOff, MemorySegment dy, long dyOff,
            MemorySegment dw, long dwOff) {
        Layout lay = Layout.of(g);
        int f = g.f();
        int fp = lay.fp;
        int pixels = g.oh() * g.ow();
        float[][] partial = new float[parts(lay)][g.k() * fp];
        int blockRows = Math.max(1, Math.max(16, 4096 / fp) / Math.max(1, g.ow()));
        images(lay, pixels * fp, Parallel.shareable(x, dy, dw), (image, xp, d, part) -> {
            lay.pad(x, xOff, image, xp);
            lay.blocked(dy, dyOff + (long) image * pixels * f * Float.BYTES, pixels, d);
            float[] acc = partial[part];
            // Output rows in blocks whose output gradient (about 16 KiB) stays in L1 while every tile passes over it.
            for (int y0 = 0; y0 < g.oh(); y0 += blockRows) {
                int y1 = Math.min(g.oh(), y0 + blockRows);
                for (int kk = 0; kk < g.k(); kk += MR) {
                    for (int f0 = 0; f0 < fp; f0 += 2 * L) {
                        if (f0 < lay.wide()) {
                            filterTile2(lay, xp, d, f0 * pixels, kk, f0, acc, y0, y1);
                        } else {
                            filterTile1(lay, xp, d, f0 * pixels, kk, f0, acc, y0, y1);
                        }
                    }
                }
            }
        });
        for (int i = 1; i < partial.length; i++) {
            float[] into = partial[0];
            float[] from = partial[i];
            for (int j = 0; j < into.length; j += L) {
                FloatVector.fromArray(S, into, j).add(FloatVector.fromArray(S, from, j)).intoArray(into, j);
            }
        }
        for (int kk = 0; kk < g.k(); kk++) {
            MemorySegment.copy(partial[0], kk * fp, dw, E, dwOff + (long) kk * f * Float.BYTES, f);
        }
    }

    /**
     * Adds to im2col columns [kk, kk + MR) (clamped; extras dropped) by output channels [f0, f0 + 2L) the sums over
     * output rows [y0, y1) of one image, whose output gradient's block of these channels starts at {@code d0}. A
     * row's windows are a constant step apart: walked by that step, not through the pixel table, whose load
     * each address waited on (190 GFLOP/s against 155 for the tile alone, one core of the reference machine).
     */
    private static void filterTile2(Layout lay, float[] xp, float[] d, int d0, int kk, int f0, float[] acc, int y0,
            int y1) {
        int[] taps = lay.tapOffset;
        int lastTap = taps.length - 1;
        int t0 = taps[kk];
        int t1 = taps[Math.min(kk + 1, lastTap)];
        int t2 = taps[Math.min(kk + 2, lastTap)];
        int t3 = taps[Math.min(kk + 3, lastTap)];
        int t4 = taps[Math.min(kk + 4, lastTap)];
        int t5 = taps[Math.min(kk + 5, lastTap)];
        FloatVector a0 = FloatVector.zero(S), b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0;
        FloatVector a3 = a0, b3 = a0, a4 = a0, b4 = a0, a5 = a0, b5 = a0;
        ConvGeometry g = lay.g;
        int ow = g.ow();
        int step = g.strideW() * g.c();
        for (int oy = y0; oy < y1; oy++) {
            for (int ox = 0, p = lay.pixel(oy, 0), di = d0 + oy * ow * 2 * L; ox < ow; ox++, p += step, di += 2 * L) {
                FloatVector e0 = FloatVector.fromArray(S, d, di);
                FloatVector e1 = FloatVector.fromArray(S, d, di + L);
                FloatVector v = FloatVector.broadcast(S, xp[p + t0]);
                a0 = e0.fma(v, a0);
                b0 = e1.fma(v, b0);
                v = FloatVector.broadcast(S, xp[p + t1]);
                a1 = e0.fma(v, a1);
                b1 = e1.fma(v, b1);
                v = FloatVector.broadcast(S, xp[p + t2]);
                a2 = e0.fma(v, a2);
                b2 = e1.fma(v, b2);
                v = FloatVector.broadcast(S, xp[p + t3]);
                a3 = e0.fma(v, a3);
                b3 = e1.fma(v, b3);
                v = FloatVector.broadcast(S, xp[p + t4]);
                a4 = e0.fma(v, a4);
                b4 = e1.fma(v, b4);
                v = FloatVector.broadcast(S, xp[p + t5]);
                a5 = e0.fma(v, a5);
                b5 = e1.fma(v, b5);
            }
        }
        int fp = lay.fp;
        int rows = Math.min(MR, taps.length - kk);
        int at = kk * fp + f0;
        accumulate(a0, b0, acc, at);
        if (rows > 1) accumulate(a1, b1, acc, at + fp);
        if (rows > 2) accumulate(a2, b2, acc, at + 2 * fp);
        if (rows > 3) accumulate(a3, b3, acc, at + 3 * fp);
        if (rows > 4) accumulate(a4, b4, acc, at + 4 * fp);
        if (rows > 5) accumulate(a5, b5, acc, at + 5 * fp);
    }

    /** As {@link #filterTile2} with one vector of output channels. */
    private static void filterTile1(Layout lay, float[] xp, float[] d, int d0, int kk, int f0, float[] acc, int y0,
            int y1) {
        int[] taps = lay.tapOffset;
        int lastTap = taps.length - 1;
        int t0 = taps[kk];
        int t1 = taps[Math.min(kk + 1, lastTap)];
        int t2 = taps[Math.min(kk + 2, lastTap)];
        int t3 = taps[Math.min(kk + 3, lastTap)];
        int t4 = taps[Math.min(kk + 4, lastTap)];
        int t5 = taps[Math.min(kk + 5, lastTap)];
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        ConvGeometry g = lay.g;
        int ow = g.ow();
        int step = g.strideW() * g.c();
        for (int oy = y0; oy < y1; oy++) {
            for (int ox = 0, p = lay.pixel(oy, 0), di = d0 + oy * ow * L; ox < ow; ox++, p += step, di += L) {
                FloatVector e0 = FloatVector.fromArray(S, d, di);
                a0 = e0.fma(FloatVector.broadcast(S, xp[p + t0]), a0);
                a1 = e0.fma(FloatVector.broadcast(S, xp[p + t1]), a1);
                a2 = e0.fma(FloatVector.broadcast(S, xp[p + t2]), a2);
                a3 = e0.fma(FloatVector.broadcast(S, xp[p + t3]), a3);
                a4 = e0.fma(FloatVector.broadcast(S, xp[p + t4]), a4);
                a5 = e0.fma(FloatVector.broadcast(S, xp[p + t5]), a5);
            }
        }
        int fp = lay.fp;
        int rows = Math.min(MR, taps.length - kk);
        int at = kk * fp + f0;
        accumulate(a0, acc, at);
        if (rows > 1) accumulate(a1, acc, at + fp);
        if (rows > 2) accumulate(a2, acc, at + 2 * fp);
        if (rows > 3) accumulate(a3, acc, at + 3 * fp);
        if (rows > 4) accumulate(a4, acc, at + 4 * fp);
        if (rows > 5) accumulate(a5, acc, at + 5 * fp);
    }

    /** acc[at, at + L) += a. */
    private static void accumulate(FloatVector a, float[] acc, int at) {
        FloatVector.fromArray(S, acc, at).add(a).intoArray(acc, at);
    }

    /** acc[at, at + 2L) += (a, b). */
    private static void accumulate(FloatVector a, FloatVector b, float[] acc, int at) {
        accumulate(a, acc, at);
        accumulate(b, acc, at + L);
    }

    // ---- Input gradient ------------------------------------------------------------------------------------

    /** Input pixels per input-gradient tile: with three channels, 12 accumulators. */
    static final int INPUT_PIXELS = 4;

    /** Shuffles that pair lane i with lane i ^ h, for h = L/2, L/4, ..., 1: a fixed tree for lane sums. */
    private static final VectorShuffle<Float>[] PAIR = pairShuffles();

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] pairShuffles() {
        int steps = Integer.numberOfTrailingZeros(L);
        VectorShuffle<Float>[] pair = new VectorShuffle[steps];
        for (int i = 0, h = L / 2; i < steps; i++, h /= 2) {
            int half = h;
            pair[i] = VectorShuffle.fromOp(S, lane -> lane ^ half);
        }
        return pair;
    }

    /**
     * The input gradient's sizes. With unit strides, dx[iy, ix, c] is the sum over taps (ky', kx') of the flipped
     * filter and output channels f of dyp[iy + ky' dh, ix + kx' dw, f] wq[ky', c, kx', f], where dyp is the
     * output gradient shifted by (kh - 1) dh - padTop rows and (kw - 1) dw - padLeft columns, zero outside it, and
     * wq the filter flipped in both directions with channels before columns, so that a filter row's taps of one
     * channel are consecutive. Rows of both are padded to whole vectors ({@code fp}) with zeros.
     *
     * <p>The taps are walked in runs, as in the forward: with unit column dilation a filter row is one run of
     * kw fp floats in both arrays; otherwise each tap is a run of fp floats.
     */
    private record InputLayout(ConvGeometry g, int rows, int cols, int fp, int[] dyRunStart, int[] wRunStart,
            int runLength) {
        static InputLayout of(ConvGeometry g) {
            int fp = (g.f() + L - 1) / L * L;
            int rows = g.h() + (g.kh() - 1) * g.dilationH();
            // Tiles at the end of a row read pixels past it (computed, then dropped).
            int cols = (g.w() + INPUT_PIXELS - 1) / INPUT_PIXELS * INPUT_PIXELS + (g.kw() - 1) * g.dilationW();
            boolean rowRuns = g.dilationW() == 1;
            int runs = rowRuns ? g.kh() : g.kh() * g.kw();
            int[] dyRunStart = new int[runs];
            int[] wRunStart = new int[runs];
            for (int r = 0; r < runs; r++) {
                int ky = rowRuns ? r : r / g.kw();
                int kx = rowRuns ? 0 : r % g.kw();
                dyRunStart[r] = (ky * g.dilationH() * cols + kx * g.dilationW()) * fp;
                wRunStart[r] = (ky * g.c() * g.kw() + kx) * fp;
            }
            return new InputLayout(g, rows, cols, fp, dyRunStart, wRunStart, rowRuns ? g.kw() * fp : fp);
        }

        /** Floats of the padded output gradient of one image. */
        long paddedSize() {
            return (long) rows * cols * fp;
        }

        /** Floats between one channel's taps and the next's in wq. */
        int channelStride() {
            return g.kw() * fp;
        }

        /** The flipped filter, as described above, or null if it holds a value that is not finite. */
        float @Nullable [] flippedFilter(MemorySegment w, long wOff) {
            int kh = g.kh();
            int kw = g.kw();
            int c = g.c();
            int f = g.f();
            float[] wq = new float[kh * c * kw * fp];
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                    for (int ci = 0; ci < c; ci++) {
                        long from = wOff + ((long) ((kh - 1 - ky) * kw + kw - 1 - kx) * c + ci) * f * Float.BYTES;
                        MemorySegment.copy(w, E, from, wq, ((ky * c + ci) * kw + kx) * fp, f);
                    }
                }
            }
            for (float v : wq) {
                if (!Float.isFinite(v)) {
                    return null;
                }
            }
            return wq;
        }

        /**
         * Copies image {@code image}'s output gradient into {@code dyp}, whose border (and lanes past f) hold zeros
         * from the start: every image writes the same positions.
         */
        void pad(MemorySegment dy, long dyOff, int image, float[] dyp) {
            int f = g.f();
            int rowShift = (g.kh() - 1) * g.dilationH() - g.padTop();
            int colShift = (g.kw() - 1) * g.dilationW() - g.padLeft();
            // Output pixels that land inside dyp; any other is in no input pixel's window.
            int ox0 = Math.max(0, -colShift);
            int ox1 = Math.min(g.ow(), cols - colShift);
            int oy0 = Math.max(0, -rowShift);
            int oy1 = Math.min(g.oh(), rows - rowShift);
            for (int oy = oy0; oy < oy1; oy++) {
                long src = dyOff + (((long) image * g.oh() + oy) * g.ow() + ox0) * f * Float.BYTES;
                int dst = ((oy + rowShift) * cols + ox0 + colShift) * fp;
                if (fp == f) {
                    MemorySegment.copy(dy, E, src, dyp, dst, (ox1 - ox0) * f);
                } else {
                    for (int ox = ox0; ox < ox1; ox++, src += (long) f * Float.BYTES, dst += fp) {
                        MemorySegment.copy(dy, E, src, dyp, dst, f);
                    }
                }
            }
        }
    }

    /**
     * Whether {@link #backwardInput} takes this input gradient: {@link #applies}, unit strides (any dilation), and
     * an output gradient whose padded copy is at most 16 times its size or 1 Mi floats.
     */
    static boolean appliesToInputGradient(ConvGeometry g, DType dtype) {
        if (!applies(g, dtype) || g.strideH() != 1 || g.strideW() != 1) {
            return false;
        }
        double fp = (g.f() + L - 1) / L * L;
        double rows = g.h() + (g.kh() - 1.0) * g.dilationH();
        double cols = g.w() + INPUT_PIXELS + (g.kw() - 1.0) * g.dilationW();
        double padded = rows * cols * fp;
        return padded <= Math.max(16.0 * g.oh() * g.ow() * fp, MAX_SMALL_PADDED) && padded <= MAX_PADDED;
    }

    /**
     * dx [N, H, W, C] = the gradient of {@link #forward} with respect to x, fully written; or false, with dx
     * untouched, if the filter holds an infinity or NaN. The padded copy multiplies the filter by zeros that
     * col2im never forms (0 * inf is NaN), so such filters take im2col, which puts their non-finite values where
     * they belong.
     */
    static boolean backwardInput(ConvGeometry g, MemorySegment dy, long dyOff, MemorySegment w, long wOff,
            MemorySegment dx, long dxOff) {
        InputLayout lay = InputLayout.of(g);
        float[] wq = lay.flippedFilter(w, wOff);
        if (wq == null) {
            return false;
        }
        int c = g.c();
        long work = (long) g.n() * g.h() * g.w() * g.k() * g.f();
        int parts = work >= PARALLEL_WORK ? Math.max(1, Math.min(Parallel.threads(), g.n())) : 1;
        Parallel.forRange(g.n(), 1, parts, Parallel.shareable(dy, w, dx), (part, from, to) -> {
            float[] dyp = new float[(int) lay.paddedSize()];
            float[] sums = new float[3 * INPUT_PIXELS * L];
            float[] row = new float[lay.cols * c];
            for (int image = from; image < to; image++) {
                lay.pad(dy, dyOff, image, dyp);
                for (int iy = 0; iy < g.h(); iy++) {
                    for (int ix = 0; ix < g.w(); ix += INPUT_PIXELS) {
                        int base = (iy * lay.cols + ix) * lay.fp;
                        for (int c0 = 0; c0 < c; ) {
                            // Groups of three channels, then one at a time (4 = 3 + 1, 2 = 1 + 1).
                            int group = c - c0 >= 3 ? 3 : 1;
                            if (group == 3) {
                                inputTile3(lay, dyp, wq, base, c0, sums);
                            } else {
                                inputTile1(lay, dyp, wq, base, c0, sums);
                            }
                            laneSums(sums, INPUT_PIXELS * group, group, row, ix * c + c0, c);
                            c0 += group;
                        }
                    }
                    MemorySegment.copy(row, 0, dx, E, dxOff + (((long) image * g.h() + iy) * g.w()) * c * Float.BYTES,
                            g.w() * c);
                }
            }
        });
        return true;
    }

    /**
     * Sums over the output channels, for input pixels [base, base + 4) by input channels [c0, c0 + 3): the 12
     * accumulators go to {@code sums} pixel by pixel, each pixel's channels in order, for {@link #laneSums}.
     */
    private static void inputTile3(InputLayout lay, float[] dyp, float[] wq, int base, int c0, float[] sums) {
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00, a10 = a00, a11 = a00, a12 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a30 = a00, a31 = a00, a32 = a00;
        int fp = lay.fp;
        int cs = lay.channelStride();
        int run = lay.runLength;
        int[] dyRunStart = lay.dyRunStart;
        int[] wRunStart = lay.wRunStart;
        for (int r = 0; r < dyRunStart.length; r++) {
            int d = base + dyRunStart[r];
            int wi = wRunStart[r] + c0 * cs;
            for (int q = 0; q < run; q += L) {
                FloatVector w0 = FloatVector.fromArray(S, wq, wi + q);
                FloatVector w1 = FloatVector.fromArray(S, wq, wi + cs + q);
                FloatVector w2 = FloatVector.fromArray(S, wq, wi + 2 * cs + q);
                FloatVector v = FloatVector.fromArray(S, dyp, d + q);
                a00 = v.fma(w0, a00);
                a01 = v.fma(w1, a01);
                a02 = v.fma(w2, a02);
                v = FloatVector.fromArray(S, dyp, d + fp + q);
                a10 = v.fma(w0, a10);
                a11 = v.fma(w1, a11);
                a12 = v.fma(w2, a12);
                v = FloatVector.fromArray(S, dyp, d + 2 * fp + q);
                a20 = v.fma(w0, a20);
                a21 = v.fma(w1, a21);
                a22 = v.fma(w2, a22);
                v = FloatVector.fromArray(S, dyp, d + 3 * fp + q);
                a30 = v.fma(w0, a30);
                a31 = v.fma(w1, a31);
                a32 = v.fma(w2, a32);
            }
        }
        a00.intoArray(sums, 0);
        a01.intoArray(sums, L);
        a02.intoArray(sums, 2 * L);
        a10.intoArray(sums, 3 * L);
        a11.intoArray(sums, 4 * L);
        a12.intoArray(sums, 5 * L);
        a20.intoArray(sums, 6 * L);
        a21.intoArray(sums, 7 * L);
        a22.intoArray(sums, 8 * L);
        a30.intoArray(sums, 9 * L);
        a31.intoArray(sums, 10 * L);
        a32.intoArray(sums, 11 * L);
    }

    /** As {@link #inputTile3} for the one input channel c0. */
    private static void inputTile1(InputLayout lay, float[] dyp, float[] wq, int base, int c0, float[] sums) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        int fp = lay.fp;
        int run = lay.runLength;
        int[] dyRunStart = lay.dyRunStart;
        int[] wRunStart = lay.wRunStart;
        for (int r = 0; r < dyRunStart.length; r++) {
            int d = base + dyRunStart[r];
            int wi = wRunStart[r] + c0 * lay.channelStride();
            for (int q = 0; q < run; q += L) {
                FloatVector w0 = FloatVector.fromArray(S, wq, wi + q);
                a0 = FloatVector.fromArray(S, dyp, d + q).fma(w0, a0);
                a1 = FloatVector.fromArray(S, dyp, d + fp + q).fma(w0, a1);
                a2 = FloatVector.fromArray(S, dyp, d + 2 * fp + q).fma(w0, a2);
                a3 = FloatVector.fromArray(S, dyp, d + 3 * fp + q).fma(w0, a3);
            }
        }
        a0.intoArray(sums, 0);
        a1.intoArray(sums, L);
        a2.intoArray(sums, 2 * L);
        a3.intoArray(sums, 3 * L);
    }

    /**
     * Sums the lanes of the first {@code count} vectors of {@code sums} (pixel by pixel, {@code group} channels
     * each) into {@code row} at {@code at + pixel * channels + channel}. The lanes are added in a fixed tree, so
     * the sums do not depend on the JIT ({@code reduceLanes} may choose any order).
     */
    private static void laneSums(float[] sums, int count, int group, float[] row, int at, int channels) {
        for (int i = 0; i < count; i++) {
            FloatVector v = FloatVector.fromArray(S, sums, i * L);
            for (VectorShuffle<Float> pair : PAIR) {
                v = v.add(v.rearrange(pair));
            }
            row[at + i / group * channels + i % group] = v.lane(0);
        }
    }
}
