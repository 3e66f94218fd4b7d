package dev.cotangent.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import java.util.function.DoubleBinaryOperator;

/** Test helpers: arrays from plain Java data, views of every layout, reference broadcasting, comparisons. */
final class Fixtures {
    private Fixtures() {}

    /** Lengths around the vector widths (4, 8, 16 lanes) and one long odd run. */
    static final int[] LENGTHS = {0, 1, 3, 7, 8, 16, 17, 33, 1003};

    /** How the elements of an input are laid out in memory. */
    enum Layout {
        CONTIGUOUS, OFFSET, STEPPED, TRANSPOSED
    }

    /** Values rounded to what the dtype holds. */
    static double[] round(DType dtype, double[] v) {
        double[] out = v.clone();
        if (dtype == DType.F32) {
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) out[i];
            }
        }
        return out;
    }

    static double[] gaussian(Random random, int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = scale * random.nextGaussian();
        }
        return v;
    }

    static double[] uniform(Random random, int n, double low, double high) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = low + (high - low) * random.nextDouble();
        }
        return v;
    }

    /** Values from -2 to 2 in steps of 0.5: many ties. */
    static double[] ties(Random random, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextInt(9) / 2.0 - 2;
        }
        return v;
    }

    static int size(int[] dims) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    /** A contiguous array holding {@code data} (rounded for float32). */
    static NdArray array(DType dtype, double[] data, int... dims) {
        if (dtype == DType.F64) {
            return NdArray.of(data.clone(), dims).reshape(dims);
        }
        float[] f = new float[data.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) data[i];
        }
        return NdArray.of(f, dims).reshape(dims);
    }

    /** An array with the logical contents {@code data} and shape {@code dims}, stored as {@code layout} says. */
    static NdArray view(DType dtype, double[] data, int[] dims, Layout layout) {
        int rank = dims.length;
        if (layout == Layout.TRANSPOSED && rank < 2 || rank == 0 && layout != Layout.CONTIGUOUS) {
            layout = rank == 0 ? Layout.CONTIGUOUS : Layout.STEPPED;
        }
        switch (layout) {
            case CONTIGUOUS -> {
                return array(dtype, data, dims);
            }
            case OFFSET -> {
                // One extra leading slice of NaN before the data.
                int[] big = dims.clone();
                big[0] += 1;
                double[] all = new double[size(big)];
                Arrays.fill(all, Double.NaN);
                System.arraycopy(data, 0, all, all.length - data.length, data.length);
                NdArray v = array(dtype, all, big).slice(0, 1, big[0]);
                assertTrue(v.isContiguous() && v.offset() > 0 || data.length == 0);
                return v;
            }
            case STEPPED -> {
                // Last axis stored every other element, from position 1, with NaN between.
                int n = dims[rank - 1];
                int[] big = dims.clone();
                big[rank - 1] = 2 * n + 1;
                double[] all = new double[size(big)];
                Arrays.fill(all, Double.NaN);
                int rows = n == 0 ? 0 : data.length / n;
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < n; j++) {
                        all[r * big[rank - 1] + 1 + 2 * j] = data[r * n + j];
                    }
                }
                return array(dtype, all, big).slice(rank - 1, 1, 2 * n + 1, 2);
            }
            case TRANSPOSED -> {
                // Stored with the last two axes swapped, then viewed through transpose().
                int[] swapped = dims.clone();
                swapped[rank - 1] = dims[rank - 2];
                swapped[rank - 2] = dims[rank - 1];
                double[] stored = new double[data.length];
                int m = dims[rank - 2], n = dims[rank - 1];
                int blocks = m * n == 0 ? 0 : data.length / (m * n);
                for (int b = 0; b < blocks; b++) {
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            stored[b * m * n + j * m + i] = data[b * m * n + i * n + j];
                        }
                    }
                }
                NdArray v = array(dtype, stored, swapped).transpose();
                assertTrue(!v.isContiguous() || m <= 1 || n <= 1 || data.length == 0);
                return v;
            }
        }
        throw new AssertionError(layout);
    }

    /** NumPy broadcasting, written out independently of Shape. */
    static int[] broadcast(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new AssertionError("not broadcastable");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Row-major index into an operand of shape {@code dims} broadcast to {@code out}, for flat output index k. */
    static int sourceIndex(int[] out, int[] dims, int k) {
        int index = 0, stride = 1;
        for (int i = out.length - 1, j = dims.length - 1; j >= 0; i--, j--) {
            int coordinate = k % out[i];
            k /= out[i];
            if (dims[j] != 1) {
                index += coordinate * stride;
            }
            stride *= dims[j];
        }
        return index;
    }

    /** The reference result of a broadcast binary operation, rounded like the dtype. */
    static double[] reference(DType dtype, double[] a, int[] da, double[] b, int[] db, DoubleBinaryOperator op) {
        int[] out = broadcast(da, db);
        double[] r = new double[size(out)];
        for (int k = 0; k < r.length; k++) {
            r[k] = op.applyAsDouble(a[sourceIndex(out, da, k)], b[sourceIndex(out, db, k)]);
        }
        return round(dtype, r);
    }

    /** Same values bit for bit (any NaN matches any NaN). */
    static void assertExact(String what, double[] expected, NdArray actual) {
        double[] got = actual.toDoubleArray();
        assertEquals(expected.length, got.length, what + ": size");
        for (int i = 0; i < got.length; i++) {
            if (Double.compare(expected[i], got[i]) != 0 && !(Double.isNaN(expected[i]) && Double.isNaN(got[i]))) {
                fail(what + ": element " + i + " expected " + expected[i] + " but was " + got[i]);
            }
        }
    }

    /** |actual - expected| <= atol + rtol * |expected|, with NaN only where NaN is expected. */
    static void assertClose(String what, double[] expected, NdArray actual, double rtol, double atol) {
        double[] got = actual.toDoubleArray();
        assertEquals(expected.length, got.length, what + ": size");
        for (int i = 0; i < got.length; i++) {
            double e = expected[i], g = got[i];
            boolean ok = Double.isNaN(e) ? Double.isNaN(g)
                    : Double.isInfinite(e) ? e == g : Math.abs(g - e) <= atol + rtol * Math.abs(e);
            if (!ok) {
                fail(what + ": element " + i + " expected " + e + " but was " + g);
            }
        }
    }

    static void assertShape(int[] expected, NdArray actual) {
        assertArrayEquals(expected, actual.shape().dims(), () -> "shape " + actual.shape());
    }
}
