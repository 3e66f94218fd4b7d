package dev.cotangent.core;

import java.lang.foreign.MemorySegment;

/** Writes values into an existing array, which may be a strided view (a slice of a larger array). */
public final class Assignment {
    private Assignment() {}

    /**
     * Copies {@code src}, broadcast to {@code dst}'s shape, into {@code dst}'s elements. {@code dst} may be a
     * slice or transpose but not a broadcast view (two elements sharing memory).
     */
    public static void assign(NdArray dst, NdArray src) {
        Checks.notNull(dst, "assign", "dst").checkWritable("assign");
        Checks.notNull(src, "assign", "src").checkAlive();
        DType.common("assign", dst.dtype(), src.dtype());
        long[] dstStrides = dst.strides();
        for (int i = 0; i < dstStrides.length; i++) {
            if (dstStrides[i] == 0 && dst.shape().dim(i) > 1) {
                throw new IllegalArgumentException("assign: destination " + dst.shape() + " is a broadcast view"
                        + " (stride 0 on axis " + i + "); expected distinct elements");
            }
        }
        NdArray s = src.broadcastTo(dst.shape());
        long n = dst.size();
        if (n == 0) {
            return;
        }
        if (dst.isContiguous()) {
            Layouts.copyInto(s, dst.segment(), dst.offset(), dst.dtype());
            return;
        }
        MemorySegment d = dst.segment();
        MemorySegment from = s.segment();
        int rank = dst.rank();
        int[] dims = dst.shape().dims();
        long[] srcStrides = s.strides();
        int[] counter = new int[rank];
        long dOff = dst.offset();
        long sOff = s.offset();
        DType t = dst.dtype();
        for (long i = 0; i < n; i++) {
            Layouts.put(d, t, dOff, Layouts.get(from, t, sOff));
            for (int axis = rank - 1; axis >= 0; axis--) {
                if (++counter[axis] < dims[axis]) {
                    dOff += dstStrides[axis];
                    sOff += srcStrides[axis];
                    break;
                }
                counter[axis] = 0;
                dOff -= dstStrides[axis] * (dims[axis] - 1);
                sOff -= srcStrides[axis] * (dims[axis] - 1);
            }
        }
    }
}
