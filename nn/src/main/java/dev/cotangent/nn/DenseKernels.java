package dev.cotangent.nn;

import dev.cotangent.core.DType;
import dev.cotangent.core.NdArray;
import dev.cotangent.core.Parts;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** The Dense layer's fused passes: bias plus relu in place after the GEMM, and relu's gradient mask. */
final class DenseKernels {
    private DenseKernels() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    /** Elements from which a pass is split over the kernel threads (as the core's elementwise runs are). */
    private static final long PARALLEL_ELEMENTS = 1L << 17;

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

    /** {@code g} where {@code y > 0}, else 0: relu's pullback given its output; both contiguous, same shape. */
    static NdArray reluGradient(NdArray g, NdArray y) {
        NdArray gc = g.isContiguous() ? g : g.contiguous();
        NdArray out = NdArray.empty(g.dtype(), g.shape());
        MemorySegment gs = gc.segment();
        MemorySegment ys = y.segment();
        MemorySegment os = out.segment();
        long g0 = gc.byteOffset();
        long y0 = y.byteOffset();
        long o0 = out.byteOffset();
        long n = g.size();
        boolean f32 = g.dtype() == DType.F32;
        Parts.forRange(n, 1024, PARALLEL_ELEMENTS, (from, to) -> {
            if (f32) {
                long i = from;
                long bound = from + F.loopBound(to - from);
                for (; i < bound; i += F.length()) {
                    var yv = FloatVector.fromMemorySegment(F, ys, y0 + i * 4, ByteOrder.nativeOrder());
                    FloatVector.fromMemorySegment(F, gs, g0 + i * 4, ByteOrder.nativeOrder())
                            .blend(0f, yv.compare(VectorOperators.LE, 0f))
                            .intoMemorySegment(os, o0 + i * 4, ByteOrder.nativeOrder());
                }
                for (; i < to; i++) {
                    os.set(FLOAT, o0 + i * 4, ys.get(FLOAT, y0 + i * 4) > 0 ? gs.get(FLOAT, g0 + i * 4) : 0f);
                }
            } else {
                for (long i = from; i < to; i++) {
                    os.set(DOUBLE, o0 + i * 8, ys.get(DOUBLE, y0 + i * 8) > 0 ? gs.get(DOUBLE, g0 + i * 8) : 0);
                }
            }
        });
        return out;
    }
}
