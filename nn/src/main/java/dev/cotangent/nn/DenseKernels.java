package dev.cotangent.nn;

import dev.cotangent.core.DType;
import dev.cotangent.core.NdArray;
import dev.cotangent.core.Parts;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.jspecify.annotations.Nullable;

/**
 * The Dense and Conv2D layers' fused passes: bias plus relu in place after the product; backward, relu's gradient
 * mask and the bias gradient in one pass.
 */
final class DenseKernels {
    private DenseKernels() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    /** Elements from which a pass is split over the kernel threads (as the core's elementwise runs are). */
    private static final long PARALLEL_ELEMENTS = 1L << 16;
    /** Rows a bias-gradient partial sum covers (see {@link #gradientAndBiasSum}). */
    private static final int SUM_BLOCK_ROWS = 128;

    /**
     * {@code z[..., j] = act(z[..., j] + bias[j])} in place, act being relu or the identity; z contiguous, its last
     * axis of size m, and bias [m] of z's dtype (checked: a bias of another size or dtype would be read out of
     * its bounds or as the wrong type).
     */
    static void addBiasInPlace(String op, NdArray z, NdArray bias, boolean relu) {
        int m = z.rank() == 0 ? 1 : z.shape().dim(-1);
        if (bias.rank() != 1 || bias.shape().dim(0) != m || bias.dtype() != z.dtype()) {
            throw new IllegalArgumentException(op + ": bias " + bias.dtype() + bias.shape() + " does not fit the "
                    + z.dtype() + z.shape() + " product it is added to; expected a " + z.dtype() + "[" + m + "] bias");
        }
        long n = m == 0 ? 0 : z.size() / m;
        NdArray b = bias.isContiguous() ? bias : bias.contiguous();
        MemorySegment zs = z.segment();
        MemorySegment bs = b.segment();
        long z0 = z.byteOffset();
        long b0 = b.byteOffset();
        boolean f32 = z.dtype() == DType.F32;
        // Rows split over the kernel threads: on a conv layer's output this pass is as long as an activation.
        Parts.forRange(n, 1, Math.max(1, PARALLEL_ELEMENTS / Math.max(1, m)), (r0, r1) -> {
            if (f32) {
                addBiasRowsF32(zs, z0, bs, b0, m, r0, r1, relu);
            } else {
                for (long i = r0 * m; i < r1 * m; i++) {
                    double v = zs.get(DOUBLE, z0 + i * 8) + bs.get(DOUBLE, b0 + (i % m) * 8);
                    zs.set(DOUBLE, z0 + i * 8, relu ? Math.max(v, 0) : v);
                }
            }
        });
    }

    private static void addBiasRowsF32(MemorySegment zs, long z0, MemorySegment bs, long b0, int m, long r0, long r1,
            boolean relu) {
        int bound = F.loopBound(m);
        for (long i = r0; i < r1; i++) {
            long row = z0 + i * m * 4;
            int j = 0;
            for (; j < bound; j += F.length()) {
                var v = FloatVector.fromMemorySegment(F, zs, row + j * 4L, ByteOrder.nativeOrder())
                        .add(FloatVector.fromMemorySegment(F, bs, b0 + j * 4L, ByteOrder.nativeOrder()));
                if (relu) {
                    v = v.max(0f);
                }
                v.intoMemorySegment(zs, row + j * 4L, ByteOrder.nativeOrder());
            }
            for (; j < m; j++) {
                float v = zs.get(FLOAT, row + j * 4L) + bs.get(FLOAT, b0 + j * 4L);
                zs.set(FLOAT, row + j * 4L, relu ? Math.max(v, 0f) : v);
            }
        }
    }

    /**
     * The pullback's elementwise part of a layer whose last axis is its channels: {@code gz}, which is {@code g}
     * where {@code y > 0} and else 0 when {@code y} (the relu's output, contiguous, g's shape) is given, else
     * {@code g} itself (returned as given); and, when {@code sumBias}, the bias gradient {@code Σ_rows gz}, of
     * shape [channels].
     * Both come from one pass over {@code g}: on a conv layer the bias sum read the whole gradient once more.
     *
     * <p>The bias sum adds rows in fixed blocks of {@value #SUM_BLOCK_ROWS}, then the blocks' partial sums in
     * block order, so its bits do not depend on how many threads ran the blocks.
     */
    static NdArray[] gradientAndBiasSum(NdArray g, @Nullable NdArray y, boolean sumBias) {
        int m = g.rank() == 0 ? 1 : g.shape().dim(-1);
        long rows = m == 0 ? 0 : g.size() / m;
        if (y == null && !sumBias) {
            return new NdArray[] {g, null};
        }
        NdArray gc = g.isContiguous() ? g : g.contiguous();
        NdArray gz = y == null ? gc : NdArray.empty(g.dtype(), g.shape());
        boolean f32 = g.dtype() == DType.F32;
        long blocks = (rows + SUM_BLOCK_ROWS - 1) / SUM_BLOCK_ROWS;
        // Partial sums are kept per block only when asked for; the masking alone needs none.
        int partialRows = sumBias ? Math.toIntExact(blocks) : 0;
        float[] partialF = f32 ? new float[partialRows * m] : null;
        double[] partialD = f32 ? null : new double[partialRows * m];
        MemorySegment gs = gc.segment();
        MemorySegment ys = y == null ? null : y.segment();
        MemorySegment os = gz.segment();
        long g0 = gc.byteOffset();
        long y0 = y == null ? 0 : y.byteOffset();
        long o0 = gz.byteOffset();
        Parts.forRange(blocks, 1, Math.max(1, PARALLEL_ELEMENTS / Math.max(1, (long) SUM_BLOCK_ROWS * m)),
                (b0, b1) -> {
                    for (long b = b0; b < b1; b++) {
                        long r0 = b * SUM_BLOCK_ROWS;
                        long r1 = Math.min(rows, r0 + SUM_BLOCK_ROWS);
                        int at = sumBias ? (int) b * m : -1;
                        if (f32) {
                            blockF32(gs, g0, ys, y0, os, o0, m, r0, r1, partialF, at);
                        } else {
                            blockF64(gs, g0, ys, y0, os, o0, m, r0, r1, partialD, at);
                        }
                    }
                });
        NdArray bias = null;
        if (sumBias) {
            bias = NdArray.empty(g.dtype(), m);
            MemorySegment bs = bias.segment();
            long bb = bias.byteOffset();
            for (int j = 0; j < m; j++) {
                if (f32) {
                    float sum = 0;
                    for (int b = 0; b < partialRows; b++) {
                        sum += partialF[b * m + j];
                    }
                    bs.set(FLOAT, bb + j * 4L, sum);
                } else {
                    double sum = 0;
                    for (int b = 0; b < partialRows; b++) {
                        sum += partialD[b * m + j];
                    }
                    bs.set(DOUBLE, bb + j * 8L, sum);
                }
            }
        }
        Reference.reachabilityFence(gc);
        Reference.reachabilityFence(y);
        if (gc != g) {
            gc.close(); // a contiguous copy made here: read, and no longer needed
        }
        return new NdArray[] {y == null ? g : gz, bias};
    }

    /**
     * Rows [r0, r1) of m channels: gz = g masked by y > 0 (y null: gz is g, not written), and when {@code at >= 0}
     * their column sums into {@code partial[at, at + m)}. A method of its own, not the lambda's body: compiled
     * apart, its loop keeps the segments' liveness checks out of the loop.
     */
    private static void blockF32(MemorySegment gs, long g0, @Nullable MemorySegment ys, long y0, MemorySegment os,
            long o0, int m, long r0, long r1, float[] partial, int at) {
        int bound = F.loopBound(m);
        boolean mask = ys != null;
        boolean sum = at >= 0;
        for (long r = r0; r < r1; r++) {
            long row = r * m * 4;
            int j = 0;
            for (; j < bound; j += F.length()) {
                var v = FloatVector.fromMemorySegment(F, gs, g0 + row + j * 4L, ByteOrder.nativeOrder());
                if (mask) {
                    var yv = FloatVector.fromMemorySegment(F, ys, y0 + row + j * 4L, ByteOrder.nativeOrder());
                    v = v.blend(0f, yv.compare(VectorOperators.LE, 0f));
                    v.intoMemorySegment(os, o0 + row + j * 4L, ByteOrder.nativeOrder());
                }
                if (sum) {
                    FloatVector.fromArray(F, partial, at + j).add(v).intoArray(partial, at + j);
                }
            }
            for (; j < m; j++) {
                float v = gs.get(FLOAT, g0 + row + j * 4L);
                if (mask) {
                    v = ys.get(FLOAT, y0 + row + j * 4L) > 0 ? v : 0f;
                    os.set(FLOAT, o0 + row + j * 4L, v);
                }
                if (sum) {
                    partial[at + j] += v;
                }
            }
        }
    }

    /** As {@link #blockF32}, for float64. */
    private static void blockF64(MemorySegment gs, long g0, @Nullable MemorySegment ys, long y0, MemorySegment os,
            long o0, int m, long r0, long r1, double[] partial, int at) {
        for (long r = r0; r < r1; r++) {
            long row = r * m * 8;
            for (int j = 0; j < m; j++) {
                double v = gs.get(DOUBLE, g0 + row + j * 8L);
                if (ys != null) {
                    v = ys.get(DOUBLE, y0 + row + j * 8L) > 0 ? v : 0;
                    os.set(DOUBLE, o0 + row + j * 8L, v);
                }
                if (at >= 0) {
                    partial[at + j] += v;
                }
            }
        }
    }
}
