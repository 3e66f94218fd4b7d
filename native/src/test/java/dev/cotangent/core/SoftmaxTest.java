package dev.cotangent.core;

import static dev.cotangent.core.ElementwiseTest.assertMentions;
import static dev.cotangent.core.Fixtures.assertClose;
import static dev.cotangent.core.Fixtures.assertShape;
import static dev.cotangent.core.Fixtures.round;
import static dev.cotangent.core.Fixtures.size;
import static dev.cotangent.core.Fixtures.view;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cotangent.core.Fixtures.Layout;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SoftmaxTest {
    /** Reference softmax (0), logSoftmax (1) and logSumExp (2) of every slice along {@code axis}, in double. */
    static double[][] reference(double[] x, int[] dims, int axis) {
        int outer = 1, inner = 1, n = dims[axis];
        for (int i = 0; i < axis; i++) {
            outer *= dims[i];
        }
        for (int i = axis + 1; i < dims.length; i++) {
            inner *= dims[i];
        }
        double[] soft = new double[x.length], logSoft = new double[x.length], lse = new double[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                double m = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < n; k++) {
                    m = Math.max(m, x[(o * n + k) * inner + j]);
                }
                m = Double.isFinite(m) ? m : 0;
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += Math.exp(x[(o * n + k) * inner + j] - m);
                }
                for (int k = 0; k < n; k++) {
                    int at = (o * n + k) * inner + j;
                    soft[at] = Math.exp(x[at] - m) / s;
                    logSoft[at] = x[at] - m - Math.log(s);
                }
                lse[o * inner + j] = m + Math.log(s);
            }
        }
        return new double[][] {soft, logSoft, lse};
    }

    @Test
    void matchReferenceAlongEveryAxisLayoutAndDtype() {
        Random random = new Random(21);
        int[][] shapes = {{1}, {5}, {17}, {3, 7}, {2, 3, 17}, {4, 33}, {33, 4}, {0, 3}, {2, 1, 5}};
        for (int[] dims : shapes) {
            for (int axis = -1; axis < dims.length; axis++) {
                for (DType dtype : DType.values()) {
                    for (Layout layout : Layout.values()) {
                        double[] x = Fixtures.gaussian(random, size(dims), 4);
                        if (x.length > 4) {
                            x[0] += 1000; // would overflow exp without the shift
                            x[1] -= 1000;
                        }
                        x = round(dtype, x);
                        NdArray a = view(dtype, x, dims, layout);
                        int ax = axis < 0 ? axis + dims.length : axis;
                        double[][] ref = reference(x, dims, ax);
                        String what = dtype + Arrays.toString(dims) + " axis " + axis + " " + layout;
                        double rtol = dtype == DType.F32 ? 1e-6 : 1e-12, atol = dtype == DType.F32 ? 1e-5 : 1e-12;
                        NdArray soft = Softmax.softmax(a, axis);
                        assertShape(dims, soft);
                        assertClose("softmax " + what, round(dtype, ref[0]), soft, rtol, atol);
                        assertClose("logSoftmax " + what, round(dtype, ref[1]), Softmax.logSoftmax(a, axis), rtol, atol);
                        boolean[] reduced = new boolean[dims.length];
                        reduced[ax] = true;
                        NdArray lse = Softmax.logSumExp(a, axis, false);
                        assertShape(ReductionsTest.outDims(dims, reduced, false), lse);
                        assertClose("logSumExp " + what, round(dtype, ref[2]), lse, rtol, atol);
                        assertShape(ReductionsTest.outDims(dims, reduced, true), Softmax.logSumExp(a, axis, true));
                    }
                }
            }
        }
    }

    @Test
    void infiniteAndEmptyRows() {
        double inf = Double.POSITIVE_INFINITY;
        for (DType dtype : DType.values()) {
            NdArray x = Fixtures.array(dtype, new double[] {-inf, -inf, -inf, 0, -inf, Math.log(3)}, 2, 3);
            assertClose("logSumExp", new double[] {-inf, Math.log(4)}, Softmax.logSumExp(x, 1, false), 1e-6, 1e-6);
            NdArray soft = Softmax.softmax(x, 1);
            assertClose("softmax second row", new double[] {0.25, 0, 0.75}, soft.slice(0, 1, 2).reshape(3), 1e-6, 1e-7);
            assertEquals(-inf, Softmax.logSoftmax(x, 1).getDouble(1, 1));
            NdArray emptyAxis = NdArray.zeros(dtype, 3, 0);
            assertShape(new int[] {3, 0}, Softmax.softmax(emptyAxis, 1));
            assertShape(new int[] {3, 0}, Softmax.logSoftmax(emptyAxis, -1));
            assertClose("logSumExp of nothing", new double[] {-inf, -inf, -inf}, Softmax.logSumExp(emptyAxis, 1, false), 0, 0);
        }
    }

    @Test
    void errorsAndReleasedInputs() {
        NdArray x = NdArray.ones(DType.F32, 2, 3);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Softmax.softmax(x, 2)), "softmax", "[2, 3]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Softmax.logSoftmax(x, -3)), "logSoftmax");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Softmax.logSumExp(NdArray.scalar(DType.F64, 1), 0,
                false)), "logSumExp", "[]");
        x.close();
        assertThrows(IllegalStateException.class, () -> Softmax.softmax(x, 0));
        assertThrows(IllegalStateException.class, () -> Softmax.logSoftmax(x, 0));
        assertThrows(IllegalStateException.class, () -> Softmax.logSumExp(x, 0, true));
    }

    @Test
    void temporariesAreReleasedAtOnce() {
        NdArray x = NdArray.ones(DType.F64, 4, 5);
        try (Scope scope = Scope.open()) {
            Softmax.softmax(x, 1);
            assertEquals(1, scope.liveCount());
            Softmax.logSoftmax(x, 0);
            assertEquals(2, scope.liveCount());
            Softmax.logSumExp(x, 0, false);
            assertEquals(3, scope.liveCount());
        }
    }
}
