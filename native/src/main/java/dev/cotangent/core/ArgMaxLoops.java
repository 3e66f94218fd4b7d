package dev.cotangent.core;

import static dev.cotangent.core.Simd.D;
import static dev.cotangent.core.Simd.F;
import static dev.cotangent.core.Simd.ORDER;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Index of the largest value along the middle axis of a contiguous {@code [p, r, q]} block: the first one on
 * ties, and the first NaN if there is one (as NumPy).
 */
final class ArgMaxLoops {
    private ArgMaxLoops() {}

    /** Writes the contiguous {@code [p, q]} indices, as values of {@code dtype}, from element {@code outBase}. */
    static void argmax(DType dtype, MemorySegment src, long base, long p, long r, long q, MemorySegment out,
            long outBase) {
        for (long i = 0; i < p; i++) {
            long block = base + i * r * q;
            if (q == 1) {
                double max = dtype == DType.F32 ? rowMaxF(src, block, r) : rowMaxD(src, block, r);
                long at = Double.isNaN(max) ? firstNaN(dtype, src, block, r)
                        : dtype == DType.F32 ? firstF(src, block, r, (float) max) : firstD(src, block, r, max);
                Layouts.put(out, dtype, outBase + i, at);
            } else if (dtype == DType.F32) {
                columnsF(src, block, r, q, out, outBase + i * q);
            } else {
                columnsD(src, block, r, q, out, outBase + i * q);
            }
        }
    }

    // A row takes two vector passes: its maximum (NaN wins, as in Math.max), then the first position holding it.
    private static double rowMaxF(MemorySegment s, long base, long n) {
        FloatVector acc = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        long i = 0;
        for (long bound = F.loopBound(n); i < bound; i += F.length()) {
            acc = acc.max(FloatVector.fromMemorySegment(F, s, (base + i) * Float.BYTES, ORDER));
        }
        double max = acc.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            max = Math.max(max, Layouts.get(s, DType.F32, base + i));
        }
        return max;
    }

    private static double rowMaxD(MemorySegment s, long base, long n) {
        DoubleVector acc = DoubleVector.broadcast(D, Double.NEGATIVE_INFINITY);
        long i = 0;
        for (long bound = D.loopBound(n); i < bound; i += D.length()) {
            acc = acc.max(DoubleVector.fromMemorySegment(D, s, (base + i) * Double.BYTES, ORDER));
        }
        double max = acc.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            max = Math.max(max, Layouts.get(s, DType.F64, base + i));
        }
        return max;
    }

    private static long firstF(MemorySegment s, long base, long n, float max) {
        long i = 0;
        for (long bound = F.loopBound(n); i < bound; i += F.length()) {
            VectorMask<Float> hit = FloatVector.fromMemorySegment(F, s, (base + i) * Float.BYTES, ORDER)
                    .compare(VectorOperators.EQ, max);
            if (hit.anyTrue()) {
                return i + hit.firstTrue();
            }
        }
        while (Layouts.get(s, DType.F32, base + i) != max) {
            i++;
        }
        return i;
    }

    private static long firstD(MemorySegment s, long base, long n, double max) {
        long i = 0;
        for (long bound = D.loopBound(n); i < bound; i += D.length()) {
            VectorMask<Double> hit = DoubleVector.fromMemorySegment(D, s, (base + i) * Double.BYTES, ORDER)
                    .compare(VectorOperators.EQ, max);
            if (hit.anyTrue()) {
                return i + hit.firstTrue();
            }
        }
        while (Layouts.get(s, DType.F64, base + i) != max) {
            i++;
        }
        return i;
    }

    private static long firstNaN(DType dtype, MemorySegment s, long base, long n) {
        long i = 0;
        while (!Double.isNaN(Layouts.get(s, dtype, base + i))) {
            i++;
        }
        return i;
    }

    // Vectors across q. The NaN-propagating max changes a lane exactly when row k is strictly greater or is
    // the first NaN; a lane whose best is already NaN (best != best) never changes its index again.
    private static void columnsF(MemorySegment s, long base, long r, long q, MemorySegment out, long outBase) {
        long j = 0;
        for (long bound = F.loopBound(q); j < bound; j += F.length()) {
            FloatVector best = FloatVector.fromMemorySegment(F, s, (base + j) * Float.BYTES, ORDER);
            FloatVector index = FloatVector.zero(F);
            for (long k = 1; k < r; k++) {
                FloatVector next = best.max(FloatVector.fromMemorySegment(F, s, (base + k * q + j) * Float.BYTES, ORDER));
                VectorMask<Float> take = next.compare(VectorOperators.NE, best).and(best.compare(VectorOperators.EQ, best));
                index = index.blend((float) k, take);
                best = next;
            }
            index.intoMemorySegment(out, (outBase + j) * Float.BYTES, ORDER);
        }
        for (; j < q; j++) {
            Layouts.put(out, DType.F32, outBase + j, column(DType.F32, s, base + j, r, q));
        }
    }

    private static void columnsD(MemorySegment s, long base, long r, long q, MemorySegment out, long outBase) {
        long j = 0;
        for (long bound = D.loopBound(q); j < bound; j += D.length()) {
            DoubleVector best = DoubleVector.fromMemorySegment(D, s, (base + j) * Double.BYTES, ORDER);
            DoubleVector index = DoubleVector.zero(D);
            for (long k = 1; k < r; k++) {
                DoubleVector next = best.max(DoubleVector.fromMemorySegment(D, s, (base + k * q + j) * Double.BYTES, ORDER));
                VectorMask<Double> take = next.compare(VectorOperators.NE, best).and(best.compare(VectorOperators.EQ, best));
                index = index.blend((double) k, take);
                best = next;
            }
            index.intoMemorySegment(out, (outBase + j) * Double.BYTES, ORDER);
        }
        for (; j < q; j++) {
            Layouts.put(out, DType.F64, outBase + j, column(DType.F64, s, base + j, r, q));
        }
    }

    private static long column(DType dtype, MemorySegment s, long base, long r, long q) {
        double best = Layouts.get(s, dtype, base);
        long index = 0;
        for (long k = 1; k < r; k++) {
            double v = Layouts.get(s, dtype, base + k * q);
            if (v > best || (Double.isNaN(v) && !Double.isNaN(best))) {
                best = v;
                index = k;
            }
        }
        return index;
    }
}
