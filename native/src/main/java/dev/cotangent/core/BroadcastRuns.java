package dev.cotangent.core;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;

/**
 * Walks the elements of an elementwise operation as runs along one innermost axis, for several operands
 * broadcast to one shape, without materializing any broadcast.
 *
 * <p>Size-1 axes are dropped and neighbouring axes are merged wherever every operand steps through them
 * as through one axis, so that the common cases become few long runs: same-shape contiguous operands and a
 * scalar operand give one run (inner strides 1 and 0); a row [M] against [N, M] gives N runs with strides
 * 1 and 1; a column [N, 1] against [N, M] gives N runs with strides 1 and 0.
 *
 * <p>Short rows would make short runs, whose per-run cost dwarfs the work (a bias add over [N, 10] ran 15
 * times slower than a flat add). So for [N, M] with M below {@link #SHORT_RUN}, each run covers several rows:
 * a repeated row [M] is copied that many times into a small tile, once; a column [N, 1] is spread into a
 * tile for each run's rows. Tiles are bounded (about {@code TILE} elements), never the whole broadcast.
 */
final class BroadcastRuns implements AutoCloseable {
    /** Runs shorter than this are merged across rows where a tile makes it possible. */
    static final int SHORT_RUN = 256;
    private static final int TILE = 1024;

    private final MemorySegment[] segments;
    private final long[] offsets;
    private final long[] innerStrides;
    private long length;
    private final long count;
    // Outer (collapsed) axes, innermost first, and each operand's stride along them.
    private final long[] outerDims;
    private final long[][] outerStrides;
    private final long[] counter;
    // Tiled mode: `rows` rows of `rowLength`, `rowsPerRun` of them per run; tiles live in `tileArena`.
    private long rows;
    private long rowLength;
    private long rowsPerRun;
    private long rowsDone;
    private @Nullable Arena tileArena;
    private DType dtype = DType.F32;
    // For a column operand: where its values are read from, and their stride from row to row.
    private @Nullable MemorySegment[] columns = new MemorySegment[0];
    private long[] columnOffsets = new long[0];
    private long[] columnStrides = new long[0];

    /** Runs over {@code shape}; each operand must broadcast to it (the first is usually the output). */
    BroadcastRuns(Shape shape, NdArray... operands) {
        int k = operands.length;
        int rank = shape.rank();
        int[] dims = shape.dims();
        long[][] strides = new long[k][];
        segments = new MemorySegment[k];
        offsets = new long[k];
        for (int j = 0; j < k; j++) {
            NdArray view = operands[j].broadcastTo(shape);
            strides[j] = view.strides();
            offsets[j] = view.offset();
            segments[j] = view.segment();
        }
        // Collapse axes from the innermost outwards.
        long[] cDims = new long[rank];
        long[][] cStrides = new long[k][rank];
        int groups = 0;
        for (int axis = rank - 1; axis >= 0; axis--) {
            if (dims[axis] == 1) {
                continue;
            }
            if (groups > 0 && mergeable(strides, axis, cStrides, groups - 1, cDims[groups - 1])) {
                cDims[groups - 1] *= dims[axis];
                continue;
            }
            cDims[groups] = dims[axis];
            for (int j = 0; j < k; j++) {
                cStrides[j][groups] = strides[j][axis];
            }
            groups++;
        }
        length = groups == 0 ? 1 : cDims[0];
        innerStrides = new long[k];
        long runs = shape.size() == 0 ? 0 : 1;
        int outer = Math.max(groups - 1, 0);
        outerDims = new long[outer];
        outerStrides = new long[k][outer];
        for (int g = 1; g < groups; g++) {
            outerDims[g - 1] = cDims[g];
            runs *= cDims[g];
        }
        for (int j = 0; j < k; j++) {
            innerStrides[j] = groups == 0 ? 0 : cStrides[j][0];
            if (outer > 0) {
                System.arraycopy(cStrides[j], 1, outerStrides[j], 0, outer);
            }
        }
        counter = new long[outer];
        count = runs > 0 && groups == 2 && length < SHORT_RUN && tileable() ? tile(operands[0].dtype()) : runs;
    }

    // Axis `axis` continues group g when, for every operand, it steps exactly over the whole group.
    private static boolean mergeable(long[][] strides, int axis, long[][] cStrides, int g, long groupDim) {
        for (int j = 0; j < strides.length; j++) {
            if (strides[j][axis] != cStrides[j][g] * groupDim) {
                return false;
            }
        }
        return true;
    }

    // Every operand runs on along the rows (strides 1, L), is one fixed value (0, 0), repeats a row (1, 0)
    // or is a column (0, s); there must be a row or a column to tile.
    private boolean tileable() {
        boolean tiles = false;
        for (int j = 0; j < offsets.length; j++) {
            long inner = innerStrides[j], across = outerStrides[j][0];
            boolean plain = inner == 1 && across == length || inner == 0 && across == 0;
            boolean tile = inner == 1 && across == 0 || inner == 0 && across != 0;
            if (!plain && !tile) {
                return false;
            }
            tiles |= tile;
        }
        return tiles;
    }

    // Replaces each row or column operand by a tile of `rowsPerRun` rows, and returns the new number of runs.
    private long tile(DType type) {
        dtype = type;
        rows = outerDims[0];
        rowLength = length;
        rowsPerRun = Math.min(rows, (TILE + rowLength - 1) / rowLength);
        length = rowsPerRun * rowLength;
        long bytes = rowLength * dtype.byteSize();
        Arena arena = Arena.ofConfined();
        tileArena = arena;
        int k = offsets.length;
        columns = new MemorySegment[k];
        columnOffsets = new long[k];
        columnStrides = new long[k];
        for (int j = 0; j < k; j++) {
            long across = outerStrides[j][0];
            if (innerStrides[j] == 1 && across == 0) {
                MemorySegment tile = arena.allocate(rowsPerRun * bytes, 64);
                for (long r = 0; r < rowsPerRun; r++) {
                    MemorySegment.copy(segments[j], offsets[j] * dtype.byteSize(), tile, r * bytes, bytes);
                }
                segments[j] = tile;
                offsets[j] = 0;
            } else if (innerStrides[j] == 0 && across != 0) {
                columns[j] = segments[j];
                columnOffsets[j] = offsets[j];
                columnStrides[j] = across;
                segments[j] = arena.allocate(rowsPerRun * bytes, 64);
                offsets[j] = 0;
                innerStrides[j] = 1;
                outerStrides[j][0] = 0;
                spreadColumn(j, rowsPerRun);
            }
        }
        return (rows + rowsPerRun - 1) / rowsPerRun;
    }

    // Writes each of the next `n` column values `rowLength` times into operand j's tile.
    private void spreadColumn(int j, long n) {
        Layouts.spread(columns[j], columnOffsets[j], columnStrides[j], n, dtype, segments[j], rowLength);
    }

    /** Elements in the current run. */
    long length() {
        return length;
    }

    /** Number of runs (0 when the shape is empty). */
    long count() {
        return count;
    }

    /** Stride of operand {@code j} within a run, in elements (0 when broadcast along it). */
    long stride(int j) {
        return innerStrides[j];
    }

    /** The memory operand {@code j} is read from (its own buffer, or a tile of its repeated row). */
    MemorySegment segment(int j) {
        return segments[j];
    }

    /** Element offset of operand {@code j} at the start of the current run. */
    long offset(int j) {
        return offsets[j];
    }

    /** Moves to the next run (an odometer over the outer axes). */
    void next() {
        if (tileArena != null) {
            rowsDone += rowsPerRun;
            long n = Math.min(rowsPerRun, rows - rowsDone);
            for (int j = 0; j < offsets.length; j++) {
                offsets[j] += rowsPerRun * outerStrides[j][0]; // 0 for fixed values and tiles
                if (columns[j] != null && n > 0) {
                    columnOffsets[j] += rowsPerRun * columnStrides[j];
                    spreadColumn(j, n);
                }
            }
            length = n * rowLength;
            return;
        }
        for (int g = 0; g < outerDims.length; g++) {
            if (++counter[g] < outerDims[g]) {
                for (int j = 0; j < offsets.length; j++) {
                    offsets[j] += outerStrides[j][g];
                }
                return;
            }
            counter[g] = 0;
            for (int j = 0; j < offsets.length; j++) {
                offsets[j] -= outerStrides[j][g] * (outerDims[g] - 1);
            }
        }
    }

    /** Frees the tile, if there is one. */
    @Override
    public void close() {
        if (tileArena != null) {
            tileArena.close();
            tileArena = null;
        }
    }
}
