package dev.cotangent.nn.weights;

import dev.cotangent.core.DType;
import dev.cotangent.core.NdArray;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Copies between a file's little-endian data and a contiguous parameter in native order, segment to segment
 * with no heap array in between: one bulk copy when the layouts agree, else an odometer walk over the file's
 * order that reads or writes the parameter at the permuted offsets.
 */
final class LayoutCopy {
    private LayoutCopy() {}

    private static final ValueLayout.OfFloat FILE_F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble FILE_F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    /** The file's elements at {@code fileOffset}, in {@code layout}, written into {@code parameter}. */
    static void fileToParameter(MemorySegment file, long fileOffset, NdArray parameter, TensorLayout layout) {
        copy(file, fileOffset, parameter, layout, true);
    }

    /** {@code parameter}'s elements written at {@code fileOffset} in {@code layout}. */
    static void parameterToFile(NdArray parameter, MemorySegment file, long fileOffset, TensorLayout layout) {
        copy(file, fileOffset, parameter, layout, false);
    }

    private static void copy(MemorySegment file, long fileOffset, NdArray parameter, TensorLayout layout,
            boolean intoParameter) {
        MemorySegment p = parameter.segment();
        long base = parameter.byteOffset();
        long n = parameter.size();
        boolean f32 = parameter.dtype() == DType.F32;
        int size = parameter.dtype().byteSize();
        int[] perm = layout.permutation();
        if (perm == null) {
            ValueLayout fileLayout = f32 ? FILE_F32 : FILE_F64;
            ValueLayout own = f32 ? F32 : F64;
            if (intoParameter) {
                MemorySegment.copy(file, fileLayout, fileOffset, p, own, base, n);
            } else {
                MemorySegment.copy(p, own, base, file, fileLayout, fileOffset, n);
            }
            return;
        }
        int[] view = layout.viewDims(parameter.shape());
        int rank = view.length;
        long[] viewStrides = new long[rank];
        long stride = 1;
        for (int i = rank - 1; i >= 0; i--) {
            viewStrides[i] = stride;
            stride *= view[i];
        }
        int[] dims = new int[rank];       // the file's axes
        long[] strides = new long[rank];  // the parameter's element stride along each file axis
        for (int j = 0; j < rank; j++) {
            dims[j] = view[perm[j]];
            strides[j] = viewStrides[perm[j]];
        }
        int[] index = new int[rank];
        long at = 0; // the parameter's element offset of the file element k
        for (long k = 0; k < n; k++) {
            long fileByte = fileOffset + k * size;
            long ownByte = base + at * size;
            if (f32) {
                if (intoParameter) {
                    p.set(F32, ownByte, file.get(FILE_F32, fileByte));
                } else {
                    file.set(FILE_F32, fileByte, p.get(F32, ownByte));
                }
            } else if (intoParameter) {
                p.set(F64, ownByte, file.get(FILE_F64, fileByte));
            } else {
                file.set(FILE_F64, fileByte, p.get(F64, ownByte));
            }
            for (int j = rank - 1; j >= 0; j--) { // next index in the file's row-major order
                at += strides[j];
                if (++index[j] < dims[j]) {
                    break;
                }
                at -= strides[j] * dims[j];
                index[j] = 0;
            }
        }
    }
}
