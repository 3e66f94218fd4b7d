package dev.cotangent.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Elementwise runs long enough to be split over two threads give the bits of one thread, at every part boundary,
 * with offsets (views), scalar operands and both dtypes.
 */
class ElementwiseSplitTest {
    /** Past the split threshold and not a multiple of any grain or vector length. */
    private static final int N = (int) Parallel.PARALLEL_ELEMENTS * 2 + 37;

    @Test
    void splitRunsMatchOneThreadBitForBit() {
        for (DType dtype : DType.values()) {
            NdArray a = RandomArrays.normal(dtype, Shape.of(N + 5), 0, 1, 1);
            NdArray b = RandomArrays.normal(dtype, Shape.of(N), 0, 1, 2);
            // An offset view: parts start at offset + from, not at from.
            NdArray view = a.slice(0, 5, N + 5);
            check(dtype + " add", x -> Elementwise.add(x, b), view);
            check(dtype + " mul by scalar", x -> Elementwise.mul(x, 1.25), view);
            check(dtype + " exp", Elementwise::exp, view);
            check(dtype + " tanh", Elementwise::tanh, view);
            check(dtype + " axpy", x -> {
                NdArray dst = x.copy();
                Elementwise.axpyInPlace(dst, -0.5, b);
                return dst;
            }, view);
        }
    }

    @Test
    void columnSumsSplitByColumnsMatchOneThreadBitForBit() {
        for (DType dtype : DType.values()) {
            for (int columns : new int[] {32, 37, 100}) {
                int rows = (int) (Parallel.PARALLEL_ELEMENTS / columns) + 3;
                // [2, rows, columns]: the leading axis kept, so the split also crosses p.
                NdArray a = RandomArrays.normal(dtype, Shape.of(2, rows, columns), 0, 1, columns);
                check(dtype + " sum over rows of " + columns + " columns", x -> Reductions.sum(x, false, 1), a,
                        2 * columns);
                check(dtype + " max over rows of " + columns + " columns", x -> Reductions.max(x, false, 1), a,
                        2 * columns);
            }
        }
    }

    private static void check(String what, UnaryOperator<NdArray> op, NdArray x) {
        check(what, op, x, N);
    }

    private static void check(String what, UnaryOperator<NdArray> op, NdArray x, int size) {
        int threads = Parallel.threads();
        try {
            Parallel.setThreads(1);
            double[] one = op.apply(x).toDoubleArray();
            Parallel.setThreads(2);
            double[] two = op.apply(x).toDoubleArray();
            assertEquals(size, two.length, what);
            assertArrayEquals(one, two, what + ": split over two threads");
        } finally {
            Parallel.setThreads(threads);
        }
    }
}
