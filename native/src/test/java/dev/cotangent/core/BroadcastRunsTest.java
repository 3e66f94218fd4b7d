package dev.cotangent.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The common broadcasts become a few long runs with strides 0 or 1: nothing is materialized. */
class BroadcastRunsTest {
    private static List<long[]> walk(BroadcastRuns runs, int operands) {
        List<long[]> starts = new ArrayList<>();
        for (long r = 0; r < runs.count(); r++) {
            long[] s = new long[operands];
            for (int j = 0; j < operands; j++) {
                s[j] = runs.offset(j);
            }
            starts.add(s);
            runs.next();
        }
        return starts;
    }

    private static void assertRuns(long count, long length, long[] strides, BroadcastRuns runs) {
        assertEquals(count, runs.count(), "count");
        assertEquals(length, runs.length(), "length");
        for (int j = 0; j < strides.length; j++) {
            assertEquals(strides[j], runs.stride(j), "stride of operand " + j);
        }
    }

    @Test
    void sameShapeAndScalarOperandsAreOneRun() {
        NdArray out = NdArray.empty(DType.F32, 5, 7);
        assertRuns(1, 35, new long[] {1, 1, 1}, new BroadcastRuns(out.shape(), out, out, NdArray.zeros(DType.F32, 5, 7)));
        assertRuns(1, 35, new long[] {1, 1, 0}, new BroadcastRuns(out.shape(), out, out, NdArray.scalar(DType.F32, 2)));
        assertRuns(1, 35, new long[] {1, 0, 1}, new BroadcastRuns(out.shape(), out, NdArray.zeros(DType.F32, 1, 1), out));
    }

    @Test
    void longRowsRestartTheRowEachRun() {
        NdArray out = NdArray.empty(DType.F64, 4, 300);
        BroadcastRuns runs = new BroadcastRuns(out.shape(), out, NdArray.zeros(DType.F64, 300));
        assertRuns(4, 300, new long[] {1, 1}, runs);
        List<long[]> starts = walk(runs, 2);
        for (int r = 0; r < 4; r++) {
            assertArrayEquals(new long[] {300L * r, 0}, starts.get(r));
        }
    }

    @Test
    void shortRepeatedRowsAreTiledIntoLongRuns() {
        NdArray out = NdArray.empty(DType.F32, 1000, 10);
        NdArray row = NdArray.of(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 10);
        try (BroadcastRuns runs = new BroadcastRuns(out.shape(), out, out, row, NdArray.scalar(DType.F32, 7))) {
            // 103 rows (1,030 elements) per run: 9 full runs and one of the remaining 73 rows.
            assertEquals(10, runs.count());
            assertArrayEquals(new long[] {1, 1, 1, 0}, new long[] {runs.stride(0), runs.stride(1), runs.stride(2),
                runs.stride(3)});
            MemorySegment tile = runs.segment(2);
            assertEquals(1030 * 4, tile.byteSize());
            assertEquals(7f, tile.getAtIndex(ValueLayout.JAVA_FLOAT, 1027));
            long total = 0;
            for (long r = 0; r < runs.count(); r++) {
                assertEquals(1030L * r, runs.offset(0));
                assertEquals(0, runs.offset(2));
                total += runs.length();
                runs.next();
            }
            assertEquals(10_000, total);
        }
    }

    @Test
    void columnBroadcastOfLongRowsHasStrideZeroAndAdvancesPerRun() {
        NdArray out = NdArray.empty(DType.F32, 4, 300);
        BroadcastRuns runs = new BroadcastRuns(out.shape(), out, out, NdArray.zeros(DType.F32, 4, 1));
        assertRuns(4, 300, new long[] {1, 1, 0}, runs);
        List<long[]> starts = walk(runs, 3);
        for (int r = 0; r < 4; r++) {
            assertArrayEquals(new long[] {300L * r, 300L * r, r}, starts.get(r));
        }
    }

    @Test
    void shortRowsSpreadAColumnIntoATilePerRun() {
        NdArray out = NdArray.empty(DType.F64, 500, 4);
        double[] column = new double[500];
        for (int i = 0; i < column.length; i++) {
            column[i] = i;
        }
        try (BroadcastRuns runs = new BroadcastRuns(out.shape(), out, NdArray.of(column, 500, 1))) {
            // 256 rows (1,024 elements) per run: the tile holds rows r..r+255, each value 4 times.
            assertEquals(2, runs.count());
            assertEquals(1, runs.stride(1));
            assertEquals(1024, runs.length());
            assertEquals(3.0, runs.segment(1).getAtIndex(ValueLayout.JAVA_DOUBLE, 15));
            runs.next();
            assertEquals(1024, runs.offset(0));
            assertEquals(244 * 4, runs.length());
            assertEquals(256 + 3.0, runs.segment(1).getAtIndex(ValueLayout.JAVA_DOUBLE, 15));
        }
    }

    @Test
    void bothSidesMiddleAxisRankZeroEmptyAndStrided() {
        NdArray out = NdArray.empty(DType.F32, 3, 4);
        // [3, 1] against [1, 4]: both become tiles, so one run of all 12 elements.
        assertRuns(1, 12, new long[] {1, 1, 1}, new BroadcastRuns(out.shape(), out, NdArray.zeros(DType.F32, 3, 1),
                NdArray.zeros(DType.F32, 1, 4)));
        NdArray wide = NdArray.empty(DType.F32, 3, 400);
        assertRuns(3, 400, new long[] {1, 0, 1}, new BroadcastRuns(wide.shape(), wide, NdArray.zeros(DType.F32, 3, 1),
                NdArray.zeros(DType.F32, 1, 400)));
        NdArray cube = NdArray.empty(DType.F32, 2, 3, 5);
        BroadcastRuns middle = new BroadcastRuns(cube.shape(), cube, NdArray.zeros(DType.F32, 2, 1, 5));
        assertRuns(6, 5, new long[] {1, 1}, middle);
        List<long[]> starts = walk(middle, 2);
        assertArrayEquals(new long[] {5, 0}, starts.get(1));
        assertArrayEquals(new long[] {15, 5}, starts.get(3));
        NdArray scalar = NdArray.empty(DType.F32, Shape.scalar());
        assertRuns(1, 1, new long[] {0, 0}, new BroadcastRuns(scalar.shape(), scalar, scalar));
        NdArray empty = NdArray.empty(DType.F32, 3, 0);
        assertEquals(0, new BroadcastRuns(empty.shape(), empty, NdArray.zeros(DType.F32, 0)).count());
        NdArray t = NdArray.zeros(DType.F32, 6, 4).transpose();
        NdArray tOut = NdArray.empty(DType.F32, 4, 6);
        assertRuns(4, 6, new long[] {1, 4}, new BroadcastRuns(tOut.shape(), tOut, t));
    }
}
