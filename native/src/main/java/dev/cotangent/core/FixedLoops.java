package dev.cotangent.core;

import static dev.cotangent.core.Simd.D;
import static dev.cotangent.core.Simd.F;
import static dev.cotangent.core.Simd.ORDER;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Vector loops of the kernels that are a single operation (select, axpy), so need no specialization. */
final class FixedLoops {
    private FixedLoops() {}

    /** {@code out[i] = c[i] != 0 ? a[i] : b[i]} over a run; the vector path needs every stride to be 1. */
    static void select(DType dtype, MemorySegment c, long ic, long sc, MemorySegment a, long ia, long sa,
            MemorySegment b, long ib, long sb, MemorySegment out, long io, long n) {
        long i = 0;
        if (sc == 1 && sa == 1 && sb == 1 && dtype == DType.F32) {
            for (long bound = F.loopBound(n); i < bound; i += F.length()) {
                FloatVector.fromMemorySegment(F, b, (ib + i) * Float.BYTES, ORDER)
                        .blend(FloatVector.fromMemorySegment(F, a, (ia + i) * Float.BYTES, ORDER),
                                FloatVector.fromMemorySegment(F, c, (ic + i) * Float.BYTES, ORDER)
                                        .compare(VectorOperators.NE, 0))
                        .intoMemorySegment(out, (io + i) * Float.BYTES, ORDER);
            }
        } else if (sc == 1 && sa == 1 && sb == 1) {
            for (long bound = D.loopBound(n); i < bound; i += D.length()) {
                DoubleVector.fromMemorySegment(D, b, (ib + i) * Double.BYTES, ORDER)
                        .blend(DoubleVector.fromMemorySegment(D, a, (ia + i) * Double.BYTES, ORDER),
                                DoubleVector.fromMemorySegment(D, c, (ic + i) * Double.BYTES, ORDER)
                                        .compare(VectorOperators.NE, 0))
                        .intoMemorySegment(out, (io + i) * Double.BYTES, ORDER);
            }
        }
        for (; i < n; i++) {
            boolean take = Layouts.get(c, dtype, ic + i * sc) != 0;
            Layouts.put(out, dtype, io + i, take ? Layouts.get(a, dtype, ia + i * sa) : Layouts.get(b, dtype, ib + i * sb));
        }
    }

    /** {@code dst[i] += alpha * src[i]} over a run of a contiguous {@code dst}. */
    static void axpy(DType dtype, MemorySegment dst, long id, double alpha, MemorySegment src, long is, long ss,
            long n) {
        long i = 0;
        if (dtype == DType.F32) {
            float af = (float) alpha;
            if (ss == 1) {
                for (long bound = F.loopBound(n); i < bound; i += F.length()) {
                    FloatVector.fromMemorySegment(F, src, (is + i) * Float.BYTES, ORDER).mul(af)
                            .add(FloatVector.fromMemorySegment(F, dst, (id + i) * Float.BYTES, ORDER))
                            .intoMemorySegment(dst, (id + i) * Float.BYTES, ORDER);
                }
            }
            // Float arithmetic here, so tails round exactly like the vector lanes.
            for (; i < n; i++) {
                float d = dst.getAtIndex(ValueLayout.JAVA_FLOAT, id + i);
                dst.setAtIndex(ValueLayout.JAVA_FLOAT, id + i, af * src.getAtIndex(ValueLayout.JAVA_FLOAT, is + i * ss) + d);
            }
        } else {
            if (ss == 1) {
                for (long bound = D.loopBound(n); i < bound; i += D.length()) {
                    DoubleVector.fromMemorySegment(D, src, (is + i) * Double.BYTES, ORDER).mul(alpha)
                            .add(DoubleVector.fromMemorySegment(D, dst, (id + i) * Double.BYTES, ORDER))
                            .intoMemorySegment(dst, (id + i) * Double.BYTES, ORDER);
                }
            }
            for (; i < n; i++) {
                double d = dst.getAtIndex(ValueLayout.JAVA_DOUBLE, id + i);
                dst.setAtIndex(ValueLayout.JAVA_DOUBLE, id + i, alpha * src.getAtIndex(ValueLayout.JAVA_DOUBLE, is + i * ss) + d);
            }
        }
    }
}
