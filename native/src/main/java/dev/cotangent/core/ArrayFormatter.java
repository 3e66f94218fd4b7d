package dev.cotangent.core;

/**
 * Prints arrays the way Swift for TensorFlow's tutorial output reads: shortest round-trip digits, numbers
 * right-aligned to a common width, rows on their own lines, long rows wrapped.
 */
final class ArrayFormatter {
    private static final int LINE_WIDTH = 100;

    private ArrayFormatter() {}

    static String format(NdArray a) {
        int n = Math.toIntExact(a.size());
        String[] cells = new String[n];
        int width = 0;
        for (int i = 0; i < n; i++) {
            double v = a.getFlat(i);
            cells[i] = a.dtype() == DType.F32 ? Float.toString((float) v) : Double.toString(v);
            width = Math.max(width, cells[i].length());
        }
        if (a.rank() == 0) {
            return cells[0];
        }
        StringBuilder sb = new StringBuilder();
        append(sb, a.shape().dims(), 0, cells, new int[] {0}, width, 1);
        return sb.toString();
    }

    private static void append(StringBuilder sb, int[] dims, int axis, String[] cells, int[] next, int width,
            int indent) {
        sb.append('[');
        int d = dims[axis];
        if (axis == dims.length - 1) {
            int column = indent;
            for (int i = 0; i < d; i++) {
                String cell = " ".repeat(width - cells[next[0]].length()) + cells[next[0]++];
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
            for (int i = 0; i < d; i++) {
                if (i > 0) {
                    sb.append(',').append("\n".repeat(dims.length - 1 - axis)).append(" ".repeat(indent));
                }
                append(sb, dims, axis + 1, cells, next, width, indent + 1);
            }
        }
        sb.append(']');
    }
}
