package dev.cotangent.core;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Prints arrays the way Swift for TensorFlow's tutorial output reads: shortest round-trip digits, numbers
 * right-aligned to a common width, rows on their own lines, long rows wrapped. Arrays of more than
 * {@value #THRESHOLD} elements are summarized as NumPy does: the first and last {@value #EDGE_ITEMS} entries of
 * each long axis, with {@code ...} between.
 */
final class ArrayFormatter {
    private static final int LINE_WIDTH = 100;
    static final int THRESHOLD = 1000;
    static final int EDGE_ITEMS = 3;
    /** Marks the elided middle of an axis in the lists of shown indices. */
    private static final int ELLIPSIS = -1;

    private ArrayFormatter() {}

    static String format(NdArray a) {
        if (a.rank() == 0) {
            return cell(a, a.getDouble());
        }
        int[] dims = a.shape().dims();
        boolean summarize = a.size() > THRESHOLD;
        int[][] shown = new int[dims.length][];
        long count = 1;
        for (int axis = 0; axis < dims.length; axis++) {
            shown[axis] = shownIndices(dims[axis], summarize);
            count = Math.min(1L << 31, count * shown[axis].length); // both factors <= 2^31: no overflow
        }
        if (count > 8L * THRESHOLD) {
            // Many short axes (a broadcast view can have 2^40 elements without memory): no sample would help.
            return a.dtype() + a.shape().toString() + " (" + a.size() + " elements, not shown)";
        }
        List<String> cells = new ArrayList<>();
        collect(a, shown, 0, new long[dims.length], cells);
        int width = 0;
        for (String c : cells) {
            width = Math.max(width, c.length());
        }
        StringBuilder sb = new StringBuilder();
        append(sb, shown, 0, cells.iterator(), width, 1);
        return sb.toString();
    }

    /** Every index of an axis, or its edges around {@link #ELLIPSIS} when summarizing a long axis. */
    private static int[] shownIndices(int d, boolean summarize) {
        if (!summarize || d <= 2 * EDGE_ITEMS) {
            int[] all = new int[d];
            for (int i = 0; i < d; i++) {
                all[i] = i;
            }
            return all;
        }
        int[] edges = new int[2 * EDGE_ITEMS + 1];
        for (int i = 0; i < EDGE_ITEMS; i++) {
            edges[i] = i;
            edges[EDGE_ITEMS + 1 + i] = d - EDGE_ITEMS + i;
        }
        edges[EDGE_ITEMS] = ELLIPSIS;
        return edges;
    }

    private static String pad(String cell, int width) {
        return " ".repeat(width - cell.length()) + cell;
    }

    private static String cell(NdArray a, double v) {
        return a.dtype() == DType.F32 ? Float.toString((float) v) : Double.toString(v);
    }

    /** The cells of the shown elements, row-major. */
    private static void collect(NdArray a, int[][] shown, int axis, long[] index, List<String> cells) {
        for (int i : shown[axis]) {
            if (i == ELLIPSIS) {
                continue;
            }
            index[axis] = i;
            if (axis == shown.length - 1) {
                cells.add(cell(a, a.getDouble(index)));
            } else {
                collect(a, shown, axis + 1, index, cells);
            }
        }
    }

    private static void append(StringBuilder sb, int[][] shown, int axis, Iterator<String> cells, int width,
            int indent) {
        sb.append('[');
        int[] indices = shown[axis];
        if (axis == shown.length - 1) {
            int column = indent;
            for (int i = 0; i < indices.length; i++) {
                String cell = indices[i] == ELLIPSIS ? "..." : pad(cells.next(), width);
                if (i > 0) {
                    sb.append(',');
                    if (column + width + 2 > LINE_WIDTH) {
                        sb.append('\n').append(" ".repeat(indent));
                        column = indent;
                    } else {
                        sb.append(' ');
                        column++;
                    }
                }
                sb.append(cell);
                column += width + 1;
            }
        } else {
            for (int i = 0; i < indices.length; i++) {
                if (i > 0) {
                    sb.append(',').append("\n".repeat(shown.length - 1 - axis)).append(" ".repeat(indent));
                }
                if (indices[i] == ELLIPSIS) {
                    sb.append("...");
                } else {
                    append(sb, shown, axis + 1, cells, width, indent + 1);
                }
            }
        }
        sb.append(']');
    }
}
