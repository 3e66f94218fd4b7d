package dev.cotangent.core;

import static dev.cotangent.core.Simd.D;
import static dev.cotangent.core.Simd.F;
import static dev.cotangent.core.Simd.ORDER;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Template of the reduction loops ({@link Specializer} makes one copy per {@link ReduceOp}, in which
 * {@code LANES} is a constant operator).
 *
 * <p>Lanes accumulate a bounded block (at most {@code BLOCK} values each) in the array's dtype; each block's
 * lanes are then folded into a double total. A float32 sum of n values thus has the rounding error of a sum
 * of {@code BLOCK} floats plus that of n/BLOCK doubles, instead of growing with n.
 */
final class ReduceLoops implements ReduceOp.Kernel {
    private static final ReduceOp OP = Specializer.operator(MethodHandles.lookup(), ReduceOp.class);
    private static final VectorOperators.Associative LANES = switch (OP) {
        case SUM -> VectorOperators.ADD;
        case MAX -> VectorOperators.MAX;
        case MIN -> VectorOperators.MIN;
    };
    private static final double IDENTITY = switch (OP) {
        case SUM -> 0;
        case MAX -> Double.NEGATIVE_INFINITY;
        case MIN -> Double.POSITIVE_INFINITY;
    };
    /** Values one lane accumulates before its block is folded into the double totals. */
    private static final int BLOCK = 64;

    // Math.max and Math.min propagate NaN, as the vector MAX and MIN lanes do.
    private static double combine(double x, double y) {
        return switch (OP) {
            case SUM -> x + y;
            case MAX -> Math.max(x, y);
            case MIN -> Math.min(x, y);
        };
    }

    @Override
    public void reduce(DType dtype, MemorySegment src, long base, long p, long r, long q, MemorySegment out,
            long outBase) {
        if (q == 1) {
            for (long i = 0; i < p; i++) {
                double v = dtype == DType.F32 ? rowF(src, base + i * r, r) : rowD(src, base + i * r, r);
                Layouts.put(out, dtype, outBase + i, v);
            }
            return;
        }
        reduceColumns(dtype, src, base, p, r, q, 0, Math.toIntExact(q), out, outBase);
    }

    @Override
    public void reduceColumns(DType dtype, MemorySegment src, long base, long p, long r, long q, int j0, int j1,
            MemorySegment out, long outBase) {
        // Each column accumulates alone (a lane, or the scalar tail, adds exactly as the other would), so a
        // window of columns gives the bits of the whole.
        double[] totals = new double[j1 - j0];
        for (long i = 0; i < p; i++) {
            Arrays.fill(totals, IDENTITY);
            if (dtype == DType.F32) {
                columnsF(src, base + i * r * q + j0, r, q, totals);
            } else {
                columnsD(src, base + i * r * q + j0, r, q, totals);
            }
            for (int j = 0; j < totals.length; j++) {
                Layouts.put(out, dtype, outBase + i * q + j0 + j, totals[j]);
            }
        }
    }

    // One contiguous row, horizontally: two vector accumulators (for instruction-level parallelism) per block.
    // NOTE: the order of every addition is fixed by n and the lane count alone, never by the JIT: lanes combine
    // lanewise (IEEE in every tier) and fold by a fixed halving tree of slices. reduceLanes(ADD) is not used
    // because its order differs between the interpreter (lane by lane) and C2 (a tree), which changed sums in
    // their last bits while a program warmed up.
    // The rest (a short row, or a long row's end) goes into acc0 as at most two masked vectors: a scalar loop
    // of Math.max here cost 3 ns per element, making softmax over [N, 10] 5x slower.
    private static double rowF(MemorySegment s, long base, long n) {
        double total = IDENTITY;
        int step = F.length();
        long bound = (n / (2L * step)) * (2L * step);
        long i = 0;
        do {
            long end = Math.min(bound, i + 2L * step * BLOCK);
            FloatVector acc0 = FloatVector.broadcast(F, (float) IDENTITY);
            FloatVector acc1 = acc0;
            for (; i < end; i += 2L * step) {
                acc0 = acc0.lanewise(LANES, FloatVector.fromMemorySegment(F, s, (base + i) * Float.BYTES, ORDER));
                acc1 = acc1.lanewise(LANES, FloatVector.fromMemorySegment(F, s, (base + i + step) * Float.BYTES, ORDER));
            }
            if (i == bound) {
                for (; i < n; i += step) {
                    VectorMask<Float> m = F.indexInRange(i, n);
                    acc0 = acc0.lanewise(LANES, FloatVector.fromMemorySegment(F, s, (base + i) * Float.BYTES, ORDER, m), m);
                }
            }
            FloatVector lanes = acc0.lanewise(LANES, acc1);
            for (int half = step / 2; half > 0; half /= 2) {
                lanes = lanes.lanewise(LANES, lanes.slice(half));
            }
            total = combine(total, lanes.lane(0));
        } while (i < n);
        return total;
    }

    private static double rowD(MemorySegment s, long base, long n) {
        double total = IDENTITY;
        int step = D.length();
        long bound = (n / (2L * step)) * (2L * step);
        long i = 0;
        do {
            long end = Math.min(bound, i + 2L * step * BLOCK);
            DoubleVector acc0 = DoubleVector.broadcast(D, IDENTITY);
            DoubleVector acc1 = acc0;
            for (; i < end; i += 2L * step) {
                acc0 = acc0.lanewise(LANES, DoubleVector.fromMemorySegment(D, s, (base + i) * Double.BYTES, ORDER));
                acc1 = acc1.lanewise(LANES, DoubleVector.fromMemorySegment(D, s, (base + i + step) * Double.BYTES, ORDER));
            }
            if (i == bound) {
                for (; i < n; i += step) {
                    VectorMask<Double> m = D.indexInRange(i, n);
                    acc0 = acc0.lanewise(LANES, DoubleVector.fromMemorySegment(D, s, (base + i) * Double.BYTES, ORDER, m), m);
                }
            }
            DoubleVector lanes = acc0.lanewise(LANES, acc1);
            for (int half = step / 2; half > 0; half /= 2) {
                lanes = lanes.lanewise(LANES, lanes.slice(half));
            }
            total = combine(total, lanes.lane(0));
        } while (i < n);
        return total;
    }

    // Rows of an [r, q] window (rows stride apart) into totals[q], streamed row by row: an array of q accumulators absorbs BLOCK
    // rows with vectors across q, then folds into the double totals.
    private static void columnsF(MemorySegment s, long base, long r, long stride, double[] totals) {
        int q = totals.length;
        int bound = F.loopBound(q);
        float[] acc = new float[q];
        for (long r0 = 0; r0 < r; r0 += BLOCK) {
            Arrays.fill(acc, (float) IDENTITY);
            for (long k = r0, r1 = Math.min(r, r0 + BLOCK); k < r1; k++) {
                long row = base + k * stride;
                int j = 0;
                for (; j < bound; j += F.length()) {
                    FloatVector.fromArray(F, acc, j)
                            .lanewise(LANES, FloatVector.fromMemorySegment(F, s, (row + j) * Float.BYTES, ORDER))
                            .intoArray(acc, j);
                }
                for (; j < q; j++) {
                    acc[j] = (float) combine(acc[j], s.getAtIndex(ValueLayout.JAVA_FLOAT, row + j));
                }
            }
            for (int j = 0; j < q; j++) {
                totals[j] = combine(totals[j], acc[j]);
            }
        }
    }

    private static void columnsD(MemorySegment s, long base, long r, long stride, double[] totals) {
        int q = totals.length;
        int bound = D.loopBound(q);
        double[] acc = new double[q];
        for (long r0 = 0; r0 < r; r0 += BLOCK) {
            Arrays.fill(acc, IDENTITY);
            for (long k = r0, r1 = Math.min(r, r0 + BLOCK); k < r1; k++) {
                long row = base + k * stride;
                int j = 0;
                for (; j < bound; j += D.length()) {
                    DoubleVector.fromArray(D, acc, j)
                            .lanewise(LANES, DoubleVector.fromMemorySegment(D, s, (row + j) * Double.BYTES, ORDER))
                            .intoArray(acc, j);
                }
                for (; j < q; j++) {
                    acc[j] = combine(acc[j], s.getAtIndex(ValueLayout.JAVA_DOUBLE, row + j));
                }
            }
            for (int j = 0; j < q; j++) {
                totals[j] = combine(totals[j], acc[j]);
            }
        }
    }
}
