package dev.cotangent.core;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.function.Supplier;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * 2-D max and average pooling over NHWC arrays and their gradients, with TensorFlow's semantics: padded
 * positions never win a max nor count in an average.
 *
 * <p>float32 arrays are pooled in place with channels in vector lanes ({@link FloatPooling}); float64 images are
 * copied into a double[] and pooled there. Images are spread over the Java kernels' threads.
 */
public final class Pooling {
    private static final VectorSpecies<Double> SD = DoubleVector.SPECIES_PREFERRED;
    /** Most elements of one image, input or output: the largest Java array. */
    private static final int MAX_IMAGE = Integer.MAX_VALUE - 8;

    private Pooling() {}

    /** The maximum of each window, per channel: [N, H, W, C] to [N, OH, OW, C]. */
    public static NdArray maxPool2d(NdArray input, PoolParams p) {
        Checks.notNull(input, "maxPool2d", "input").checkAlive();
        Geometry g = Geometry.of("maxPool2d", input.shape(), p);
        return run(g, input, null, g.outputShape(), Pooling::maxImage, FloatPooling::max);
    }

    /** The gradient of {@link #maxPool2d}: each window's gradient goes to its first maximum, and overlaps add up. */
    public static NdArray maxPool2dBackward(NdArray input, NdArray gradOutput, PoolParams p) {
        Checks.notNull(input, "maxPool2dBackward", "input").checkAlive();
        Checks.notNull(gradOutput, "maxPool2dBackward", "gradOutput").checkAlive();
        Geometry g = Geometry.of("maxPool2dBackward", input.shape(), p);
        DType.common("maxPool2dBackward", input.dtype(), gradOutput.dtype());
        g.checkGradOutput(gradOutput.shape());
        return run(g, input, gradOutput, g.input, Pooling::maxBackwardImage, FloatPooling::maxBackward);
    }

    /** The mean of each window's valid (unpadded) elements, per channel. */
    public static NdArray avgPool2d(NdArray input, PoolParams p) {
        Checks.notNull(input, "avgPool2d", "input").checkAlive();
        Geometry g = Geometry.of("avgPool2d", input.shape(), p);
        return run(g, input, null, g.outputShape(), Pooling::avgImage, FloatPooling::avg);
    }

    /** The gradient of {@link #avgPool2d}: each window's gradient is shared equally by its valid elements. */
    public static NdArray avgPool2dBackward(NdArray gradOutput, Shape inputShape, PoolParams p) {
        Checks.notNull(gradOutput, "avgPool2dBackward", "gradOutput").checkAlive();
        Checks.notNull(inputShape, "avgPool2dBackward", "inputShape");
        Geometry g = Geometry.of("avgPool2dBackward", inputShape, p);
        g.checkGradOutput(gradOutput.shape());
        return run(g, gradOutput, null, inputShape, Pooling::avgBackwardImage, FloatPooling::avgBackward);
    }

    /** The windows of one pooling, checked. */
    record Geometry(String op, Shape input, PoolParams p, int h, int w, int c, int oh, int ow, int padTop,
            int padLeft) {
        static Geometry of(String op, Shape input, PoolParams p) {
            Checks.notNull(p, op, "p");
            if (input.rank() != 4) {
                throw new IllegalArgumentException(op + ": input " + input + " has rank " + input.rank()
                        + "; expected rank 4 [batch, height, width, channels] (NHWC)");
            }
            Supplier<String> where = () -> op + " (input " + input + ", " + p + ")";
            Padding.Window rows = Padding.window(where, "height", p.padding(), input.dim(1), p.poolH(), p.strideH(), 1);
            Padding.Window cols = Padding.window(where, "width", p.padding(), input.dim(2), p.poolW(), p.strideW(), 1);
            // NOTE: each image is pooled in a Java array, so an image (input or output) must fit one.
            long inImage = (long) input.dim(1) * input.dim(2) * input.dim(3);
            long outImage = (long) rows.outputSize() * cols.outputSize() * input.dim(3);
            if (Math.max(inImage, outImage) > MAX_IMAGE) {
                throw new IllegalArgumentException(where.get() + ": one image has " + inImage + " input and " + outImage
                        + " output elements; expected at most " + MAX_IMAGE + " each (an image is pooled in one Java"
                        + " array)");
            }
            return new Geometry(op, input, p, input.dim(1), input.dim(2), input.dim(3), rows.outputSize(),
                    cols.outputSize(), rows.padBefore(), cols.padBefore());
        }

        Shape outputShape() {
            return Shape.of(input.dim(0), oh, ow, c);
        }

        void checkGradOutput(Shape grad) {
            if (!grad.equals(outputShape())) {
                throw new IllegalArgumentException(op + ": gradOutput " + grad + " does not match the output of input "
                        + input + " with " + p + "; expected " + outputShape());
            }
        }

        /** First and one-past-last valid input row of output row oy (padding clipped away). */
        int y0(int oy) {
            return Math.max(0, oy * p.strideH() - padTop);
        }

        int y1(int oy) {
            return Math.min(h, oy * p.strideH() - padTop + p.poolH());
        }

        int x0(int ox) {
            return Math.max(0, ox * p.strideW() - padLeft);
        }

        int x1(int ox) {
            return Math.min(w, ox * p.strideW() - padLeft + p.poolW());
        }
    }

    /** One image's work: from {@code in} (and {@code aux}) to {@code out}, all as doubles. */
    @FunctionalInterface
    private interface ImageKernel {
        void run(Geometry g, double[] in, double[] aux, double[] out);
    }

    /**
     * Applies {@code kernel} image by image, from {@code src} (and {@code aux}) to a new array of {@code outShape};
     * float32 arrays go to {@code floatKernel}, which works on their memory in place.
     */
    private static NdArray run(Geometry g, NdArray src, NdArray aux, Shape outShape, ImageKernel kernel,
            FloatPooling.ImageKernel floatKernel) {
        NdArray out = NdArray.allocate(g.op, src.dtype(), outShape);
        int images = outShape.dim(0);
        int outImage = outShape.dim(1) * outShape.dim(2) * outShape.dim(3);
        if (out.size() == 0) {
            return out;
        }
        NdArray s = src.contiguous(g.op);
        NdArray a = aux == null ? null : aux.contiguous(g.op);
        try {
            int srcImage = src.shape().dim(1) * src.shape().dim(2) * src.shape().dim(3);
            int auxImage = a == null ? 0 : a.shape().dim(1) * a.shape().dim(2) * a.shape().dim(3);
            long work = (long) images * (srcImage + outImage + auxImage) * g.p.poolH() * g.p.poolW();
            int parts = (int) Math.max(1, Math.min(Parallel.threads(), work >> 18));
            if (src.dtype() == DType.F32) {
                long es = Float.BYTES;
                MemorySegment as = a == null ? null : a.segment();
                long aOff = a == null ? 0 : a.byteOffset();
                Parallel.forRange(images, 1, parts, (part, from, to) -> {
                    for (int i = from; i < to; i++) {
                        floatKernel.run(g, s.segment(), s.byteOffset() + i * srcImage * es, as,
                                aOff + i * auxImage * es, out.segment(), out.byteOffset() + i * outImage * es);
                    }
                });
                return out;
            }
            Parallel.forRange(images, 1, parts, (part, from, to) -> {
                double[] in = new double[srcImage];
                double[] ax = new double[auxImage];
                double[] res = new double[outImage];
                for (int i = from; i < to; i++) {
                    load(s, (long) i * srcImage, in);
                    if (a != null) {
                        load(a, (long) i * auxImage, ax);
                    }
                    kernel.run(g, in, ax, res);
                    store(res, out, (long) i * outImage);
                }
            });
        } finally {
            if (s != src) {
                s.close();
            }
            if (a != null && a != aux) {
                a.close();
            }
        }
        return out;
    }

    private static void maxImage(Geometry g, double[] in, double[] unused, double[] out) {
        int c = g.c;
        for (int oy = 0, o = 0; oy < g.oh; oy++) {
            for (int ox = 0; ox < g.ow; ox++, o += c) {
                Arrays.fill(out, o, o + c, Double.NEGATIVE_INFINITY);
                for (int y = g.y0(oy); y < g.y1(oy); y++) {
                    for (int x = g.x0(ox); x < g.x1(ox); x++) {
                        int base = (y * g.w + x) * c;
                        for (int ch = 0; ch < c; ch++) {
                            out[o + ch] = Math.max(out[o + ch], in[base + ch]);
                        }
                    }
                }
            }
        }
    }

    private static void maxBackwardImage(Geometry g, double[] in, double[] grad, double[] dx) {
        int c = g.c;
        Arrays.fill(dx, 0);
        double[] at = new double[SD.length()];
        for (int oy = 0, o = 0; oy < g.oh; oy++) {
            int y0 = g.y0(oy);
            int y1 = g.y1(oy);
            for (int ox = 0; ox < g.ow; ox++, o += c) {
                int x0 = g.x0(ox);
                int x1 = g.x1(ox);
                // Channels side by side in lanes; blends instead of branches, which random data mispredicts.
                for (int ch = 0; ch < c; ch += SD.length()) {
                    VectorMask<Double> lanes = SD.indexInRange(ch, c);
                    int first = (y0 * g.w + x0) * c + ch;
                    DoubleVector best = DoubleVector.fromArray(SD, in, first, lanes);
                    DoubleVector where = DoubleVector.broadcast(SD, first);
                    for (int y = y0; y < y1; y++) {
                        for (int x = x0, i = (y * g.w + x0) * c + ch; x < x1; x++, i += c) {
                            DoubleVector v = DoubleVector.fromArray(SD, in, i, lanes);
                            // Strictly greater: ties keep the first maximum in row-major window order, as TF does.
                            VectorMask<Double> greater = v.compare(VectorOperators.GT, best);
                            best = best.blend(v, greater);
                            where = where.blend(i, greater);
                        }
                    }
                    where.intoArray(at, 0);
                    for (int l = 0, n = Math.min(SD.length(), c - ch); l < n; l++) {
                        dx[(int) at[l] + l] += grad[o + ch + l];
                    }
                }
            }
        }
    }

    private static void avgImage(Geometry g, double[] in, double[] unused, double[] out) {
        int c = g.c;
        for (int oy = 0, o = 0; oy < g.oh; oy++) {
            for (int ox = 0; ox < g.ow; ox++, o += c) {
                Arrays.fill(out, o, o + c, 0);
                for (int y = g.y0(oy); y < g.y1(oy); y++) {
                    for (int x = g.x0(ox); x < g.x1(ox); x++) {
                        int base = (y * g.w + x) * c;
                        for (int ch = 0; ch < c; ch++) {
                            out[o + ch] += in[base + ch];
                        }
                    }
                }
                double scale = 1.0 / ((g.y1(oy) - g.y0(oy)) * (g.x1(ox) - g.x0(ox)));
                for (int ch = 0; ch < c; ch++) {
                    out[o + ch] *= scale;
                }
            }
        }
    }

    private static void avgBackwardImage(Geometry g, double[] grad, double[] unused, double[] dx) {
        int c = g.c;
        Arrays.fill(dx, 0);
        for (int oy = 0, o = 0; oy < g.oh; oy++) {
            for (int ox = 0; ox < g.ow; ox++, o += c) {
                double scale = 1.0 / ((g.y1(oy) - g.y0(oy)) * (g.x1(ox) - g.x0(ox)));
                for (int y = g.y0(oy); y < g.y1(oy); y++) {
                    for (int x = g.x0(ox); x < g.x1(ox); x++) {
                        int base = (y * g.w + x) * c;
                        for (int ch = 0; ch < c; ch++) {
                            dx[base + ch] += grad[o + ch] * scale; // d(mean)/dx = 1 / count
                        }
                    }
                }
            }
        }
    }

    /** Reads {@code dst.length} elements of contiguous {@code a} from element {@code from}, widening float32. */
    private static void load(NdArray a, long from, double[] dst) {
        MemorySegment s = a.segment();
        long at = a.byteOffset() + from * a.dtype().byteSize();
        if (a.dtype() == DType.F64) {
            MemorySegment.copy(s, ValueLayout.JAVA_DOUBLE, at, dst, 0, dst.length);
        } else {
            for (int i = 0; i < dst.length; i++) {
                dst[i] = s.get(ValueLayout.JAVA_FLOAT, at + (long) i * Float.BYTES);
            }
        }
    }

    /** Writes {@code src} into contiguous {@code a} from element {@code from}, rounding to float32 if needed. */
    private static void store(double[] src, NdArray a, long from) {
        MemorySegment s = a.segment();
        long at = a.byteOffset() + from * a.dtype().byteSize();
        if (a.dtype() == DType.F64) {
            MemorySegment.copy(src, 0, s, ValueLayout.JAVA_DOUBLE, at, src.length);
        } else {
            for (int i = 0; i < src.length; i++) {
                s.set(ValueLayout.JAVA_FLOAT, at + (long) i * Float.BYTES, (float) src[i]);
            }
        }
    }
}
