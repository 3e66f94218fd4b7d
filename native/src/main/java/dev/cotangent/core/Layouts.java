package dev.cotangent.core;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;

/** Copies between strided and contiguous layouts, with dtype conversion, and fills. */
final class Layouts {
    private Layouts() {}

    /** A contiguous copy of {@code src} converted to {@code target}, made for op {@code op}. */
    static NdArray copy(String op, NdArray src, DType target) {
        src.checkAlive();
        NdArray dst = NdArray.allocate(op, target, src.shape());
        copyInto(src, dst.segment(), 0, target);
        return dst;
    }

    /** Writes {@code src} row-major into {@code dst} from element {@code dstOffset}, converting to {@code target}. */
    static void copyInto(NdArray src, MemorySegment dst, long dstOffset, DType target) {
        long n = src.size();
        if (n == 0) {
            return;
        }
        MemorySegment s = src.segment();
        DType from = src.dtype();
        if (src.isContiguous() && from == target) {
            MemorySegment.copy(s, src.byteOffset(), dst, dstOffset * target.byteSize(), n * target.byteSize());
            return;
        }
        int rank = src.rank();
        if (rank == 0) {
            put(dst, target, dstOffset, get(s, from, src.offset()));
            return;
        }
        int[] dims = src.shape().dims();
        long[] strides = src.strides();
        int inner = dims[rank - 1];
        long innerStride = strides[rank - 1];
        long rows = n / inner;
        int[] counter = new int[rank];
        long srcOff = src.offset();
        long out = dstOffset;
        for (long r = 0; r < rows; r++) {
            if (innerStride == 1 && from == target) {
                MemorySegment.copy(s, srcOff * from.byteSize(), dst, out * target.byteSize(),
                        (long) inner * target.byteSize());
            } else {
                long o = srcOff;
                for (int j = 0; j < inner; j++, o += innerStride) {
                    put(dst, target, out + j, get(s, from, o));
                }
            }
            out += inner;
            // Advance the outer counter (odometer over all but the last axis).
            for (int axis = rank - 2; axis >= 0; axis--) {
                if (++counter[axis] < dims[axis]) {
                    srcOff += strides[axis];
                    break;
                }
                counter[axis] = 0;
                srcOff -= strides[axis] * (dims[axis] - 1);
            }
        }
    }

    /**
     * Writes each of {@code count} values (read from {@code from} at {@code offset}, {@code offset + stride},
     * ...) {@code width} times in a row into {@code to}: a column [count, 1] spread to [count, width].
     */
    static void spread(MemorySegment from, long offset, long stride, long count, DType dtype, MemorySegment to,
            long width) {
        // Broadcast vectors stored along the row, the last one masked to the row's end.
        for (long r = 0; r < count; r++) {
            long row = r * width;
            if (dtype == DType.F32) {
                FloatVector v = FloatVector.broadcast(Simd.F, from.getAtIndex(ValueLayout.JAVA_FLOAT, offset + r * stride));
                for (long t = 0; t < width; t += Simd.F.length()) {
                    v.intoMemorySegment(to, (row + t) * Float.BYTES, Simd.ORDER, Simd.F.indexInRange(t, width));
                }
            } else {
                DoubleVector v = DoubleVector.broadcast(Simd.D, from.getAtIndex(ValueLayout.JAVA_DOUBLE, offset + r * stride));
                for (long t = 0; t < width; t += Simd.D.length()) {
                    v.intoMemorySegment(to, (row + t) * Double.BYTES, Simd.ORDER, Simd.D.indexInRange(t, width));
                }
            }
        }
    }

    static double get(MemorySegment s, DType dtype, long index) {
        return dtype == DType.F32 ? s.getAtIndex(ValueLayout.JAVA_FLOAT, index) : s.getAtIndex(ValueLayout.JAVA_DOUBLE, index);
    }

    static void put(MemorySegment s, DType dtype, long index, double v) {
        if (dtype == DType.F32) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, index, (float) v);
        } else {
            s.setAtIndex(ValueLayout.JAVA_DOUBLE, index, v);
        }
    }

    static void fill(NdArray a, double value) {
        if (!a.isContiguous()) {
            throw new IllegalArgumentException("fill: array of shape " + a.shape() + " is a strided view; expected a"
                    + " contiguous array");
        }
        long n = a.size();
        MemorySegment seg = a.segment().asSlice(a.byteOffset(), n * a.dtype().byteSize());
        if (value == 0 && !(1 / value < 0)) {
            seg.fill((byte) 0);
        } else if (a.dtype() == DType.F32) {
            float v = (float) value;
            for (long i = 0; i < n; i++) {
                seg.setAtIndex(ValueLayout.JAVA_FLOAT, i, v);
            }
        } else {
            for (long i = 0; i < n; i++) {
                seg.setAtIndex(ValueLayout.JAVA_DOUBLE, i, value);
            }
        }
    }
}
