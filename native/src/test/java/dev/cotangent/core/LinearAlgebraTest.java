package dev.cotangent.core;

import static dev.cotangent.core.KernelChecks.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** matmul against a naive batched loop: transposes, transposed and strided views, broadcast batches, empties. */
class LinearAlgebraTest {

    /** The reference: op(a) @ op(b) over broadcast batches, in double, plus the same over absolute values. */
    private static double[][] reference(NdArray a, NdArray b, boolean ta, boolean tb) {
        NdArray x = ta ? a.transpose() : a;
        NdArray y = tb ? b.transpose() : b;
        int m = x.shape().dim(-2);
        int k = x.shape().dim(-1);
        int n = y.shape().dim(-1);
        Shape batchX = Shape.of(Arrays.copyOf(x.shape().dims(), x.rank() - 2));
        Shape batchY = Shape.of(Arrays.copyOf(y.shape().dims(), y.rank() - 2));
        Shape batch = Shape.broadcast("reference", batchX, batchY);
        int[] bd = batch.dims();
        NdArray xb = x.broadcastTo(Shape.of(concat(bd, m, k)));
        NdArray yb = y.broadcastTo(Shape.of(concat(bd, k, n)));
        long count = batch.size();
        double[] ref = new double[Math.toIntExact(count * m * n)];
        double[] abs = new double[ref.length];
        for (long t = 0; t < count; t++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    double sa = 0;
                    for (int p = 0; p < k; p++) {
                        double v = xb.getFlat((t * m + i) * k + p) * yb.getFlat((t * k + p) * n + j);
                        s += v;
                        sa += Math.abs(v);
                    }
                    ref[(int) ((t * m + i) * n + j)] = s;
                    abs[(int) ((t * m + i) * n + j)] = sa;
                }
            }
        }
        return new double[][] {ref, abs};
    }

    private static int[] concat(int[] head, int... tail) {
        int[] out = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, out, head.length, tail.length);
        return out;
    }

    private static void check(String what, NdArray a, NdArray b, boolean ta, boolean tb) {
        NdArray got = LinearAlgebra.matmul(a, b, ta, tb);
        double[][] ref = reference(a, b, ta, tb);
        int k = (ta ? a.shape().dim(-2) : a.shape().dim(-1));
        KernelChecks.assertClose(what + " " + Backend.kind() + " " + a.dtype() + " " + a.shape() + (ta ? "^T" : "")
                + " @ " + b.shape() + (tb ? "^T" : ""), ref[0], ref[1], got, k);
        assertEquals(a.dtype(), got.dtype());
        assertEquals(true, got.isContiguous());
    }

    @ParameterizedTest
    @EnumSource(Backend.Kind.class)
    void randomShapesAndFlags(Backend.Kind kind) {
        KernelChecks.under(kind, () -> {
            Random rnd = new Random(7);
            for (DType dtype : DType.values()) {
                for (int trial = 0; trial < 24; trial++) {
                    int m = rnd.nextInt(9);
                    int k = rnd.nextInt(9);
                    int n = rnd.nextInt(9);
                    boolean ta = rnd.nextBoolean();
                    boolean tb = rnd.nextBoolean();
                    NdArray a = ta ? KernelChecks.random(rnd, dtype, k, m) : KernelChecks.random(rnd, dtype, m, k);
                    NdArray b = tb ? KernelChecks.random(rnd, dtype, n, k) : KernelChecks.random(rnd, dtype, k, n);
                    check("random", a, b, ta, tb);
                }
                // Sizes past the Java kernel's blocking (k > 256, rows > 120).
                check("large", KernelChecks.random(rnd, dtype, 131, 300), KernelChecks.random(rnd, dtype, 300, 37),
                        false, false);
            }
        });
    }

    @ParameterizedTest
    @EnumSource(Backend.Kind.class)
    void viewsAreReadInPlaceOrCopied(Backend.Kind kind) {
        KernelChecks.under(kind, () -> {
            Random rnd = new Random(8);
            for (DType dtype : DType.values()) {
                // Transposed views of contiguous data (strides swapped), with and without the flag.
                NdArray at = KernelChecks.random(rnd, dtype, 5, 3).transpose();
                NdArray bt = KernelChecks.random(rnd, dtype, 4, 5).transpose();
                check("transposed views", at, bt, false, false);
                check("transposed views, flags", at, bt.transpose(), false, true);
                check("transposed view, flag", at.transpose(), bt, true, false);
                // Row slices keep a unit column stride and a larger leading dimension.
                NdArray rows = KernelChecks.random(rnd, dtype, 6, 9).slice(1, 2, 7);
                check("column-sliced", rows, KernelChecks.random(rnd, dtype, 5, 4), false, false);
                // Every other column: neither layout, so it is copied.
                NdArray strided = KernelChecks.random(rnd, dtype, 4, 12).slice(1, 0, 12, 2);
                check("strided", strided, KernelChecks.random(rnd, dtype, 6, 3), false, false);
                check("strided, transposed", KernelChecks.random(rnd, dtype, 3, 6), strided, false, true);
                // Batched transposed view and a batch axis that is itself a slice.
                NdArray batchT = KernelChecks.random(rnd, dtype, 3, 4, 2).transpose();
                NdArray sliced = KernelChecks.random(rnd, dtype, 6, 4, 5).slice(0, 1, 6, 2);
                check("batched views", batchT, sliced, false, false);
            }
        });
    }

    @ParameterizedTest
    @EnumSource(Backend.Kind.class)
    void broadcastBatches(Backend.Kind kind) {
        KernelChecks.under(kind, () -> {
            Random rnd = new Random(9);
            for (DType dtype : DType.values()) {
                check("rank 4 x rank 3", KernelChecks.random(rnd, dtype, 2, 1, 3, 4),
                        KernelChecks.random(rnd, dtype, 3, 4, 5), false, false);
                check("matrix x batch", KernelChecks.random(rnd, dtype, 3, 4),
                        KernelChecks.random(rnd, dtype, 2, 3, 4, 2), false, false);
                check("batch x matrix, transposed", KernelChecks.random(rnd, dtype, 2, 2, 5, 3),
                        KernelChecks.random(rnd, dtype, 4, 5), true, true);
                check("1 vs n on both sides", KernelChecks.random(rnd, dtype, 1, 3, 2, 2),
                        KernelChecks.random(rnd, dtype, 4, 1, 2, 3), false, false);
                NdArray viaView = KernelChecks.random(rnd, dtype, 1, 3, 4).broadcastTo(Shape.of(5, 3, 4));
                check("broadcastTo view", viaView, KernelChecks.random(rnd, dtype, 5, 4, 2), false, false);
            }
        });
    }

    @ParameterizedTest
    @EnumSource(Backend.Kind.class)
    void emptyDimensions(Backend.Kind kind) {
        KernelChecks.under(kind, () -> {
            Random rnd = new Random(10);
            for (DType dtype : DType.values()) {
                NdArray zeros = LinearAlgebra.matmul(KernelChecks.random(rnd, dtype, 3, 0),
                        KernelChecks.random(rnd, dtype, 0, 4));
                assertEquals(Shape.of(3, 4), zeros.shape());
                assertEquals(0, Arrays.stream(zeros.toDoubleArray()).map(Math::abs).sum());
                assertEquals(Shape.of(0, 4), LinearAlgebra.matmul(KernelChecks.random(rnd, dtype, 0, 2),
                        KernelChecks.random(rnd, dtype, 2, 4)).shape());
                assertEquals(Shape.of(3, 0), LinearAlgebra.matmul(KernelChecks.random(rnd, dtype, 3, 2),
                        KernelChecks.random(rnd, dtype, 2, 0)).shape());
                assertEquals(Shape.of(0, 3, 4), LinearAlgebra.matmul(KernelChecks.random(rnd, dtype, 0, 3, 2),
                        KernelChecks.random(rnd, dtype, 2, 4)).shape());
                check("size-1", KernelChecks.random(rnd, dtype, 1, 1), KernelChecks.random(rnd, dtype, 1, 1), false,
                        false);
                check("row x column", KernelChecks.random(rnd, dtype, 1, 7), KernelChecks.random(rnd, dtype, 7, 1),
                        false, false);
            }
        });
    }

    @Test
    void errorsNameOpShapesAndExpectation() {
        NdArray a = NdArray.zeros(DType.F32, 2, 3);
        assertError(() -> LinearAlgebra.matmul(a, NdArray.zeros(DType.F32, 4, 5)), "matmul", "[2, 3]", "[4, 5]",
                "inner dimensions", "k = 3", "k = 4");
        assertError(() -> LinearAlgebra.matmul(a, NdArray.zeros(DType.F32, 3)), "matmul", "[2, 3]", "[3]",
                "rank >= 2");
        assertError(() -> LinearAlgebra.matmul(NdArray.zeros(DType.F32, 2, 2, 3), NdArray.zeros(DType.F32, 3, 3, 1)),
                "matmul", "[2, 2, 3]", "[3, 3, 1]", "not broadcastable", "2 vs 3");
        assertError(() -> LinearAlgebra.matmul(a, NdArray.zeros(DType.F64, 3, 2)), "matmul", "float32", "float64");
        assertError(() -> LinearAlgebra.matmul(a, NdArray.zeros(DType.F32, 2, 4), false, true), "matmul",
                "[2, 4] transposed", "k = 4");
    }
}
