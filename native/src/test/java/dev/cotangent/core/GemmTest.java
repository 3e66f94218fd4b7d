package dev.cotangent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Both GEMM backends against a naive triple loop: every transpose, padded leading dimensions, edge sizes. */
class GemmTest {
    private static final int[][] SIZES = {
        {0, 3, 4}, {3, 0, 4}, {3, 4, 0}, {1, 1, 1}, {1, 17, 1}, {7, 1, 5}, {6, 32, 1}, {2, 3, 2},
        {13, 33, 300}, {130, 67, 17}, {5, 2100, 3}, {61, 45, 257}, {9, 31, 64},
        {160, 150, 170},
    };
    /** Past GemmSplit.PARALLEL_WORK: split over two threads by rows, then by columns; every transpose each. */
    private static final int[][] SPLIT_SIZES = {{200, 150, 170}, {5, 2000, 420}};
    private static final double[][] ALPHA_BETA = {{1, 0}, {1.5, -0.5}, {-2, 1}};

    /** The kernels under test: each backend's own, and the per-shape-class choice between them. */
    enum Kernel { OPENBLAS, JAVA, AUTO }

    @ParameterizedTest
    @EnumSource(Kernel.class)
    void matchesNaiveProduct(Kernel kernel) {
        int threads = Parallel.threads();
        Parallel.setThreads(2);
        try {
            Backend.Kind kind = kernel == Kernel.JAVA ? Backend.Kind.JAVA : Backend.Kind.OPENBLAS;
            KernelChecks.under(kind, () -> {
                Gemm gemm = kernel == Kernel.AUTO ? GemmSelection.AUTO : Backend.gemm();
                Random rnd = new Random(42);
                List<int[]> cases = new ArrayList<>(List.of(SIZES));
                for (int i = 0; i < 12; i++) {
                    cases.add(new int[] {rnd.nextInt(40), rnd.nextInt(40), rnd.nextInt(40)});
                }
                int c = 0;
                for (int[] mnk : cases) {
                    for (DType dtype : DType.values()) {
                        boolean ta = (c & 1) != 0;
                        boolean tb = (c & 2) != 0;
                        double[] ab = ALPHA_BETA[c % ALPHA_BETA.length];
                        check(gemm, rnd, dtype, ta, tb, mnk[0], mnk[1], mnk[2], ab[0], ab[1]);
                        // And the other transposes on the small cases, so all four meet every edge size.
                        if ((long) mnk[0] * mnk[1] * mnk[2] < 100_000) {
                            check(gemm, rnd, dtype, !ta, tb, mnk[0], mnk[1], mnk[2], ab[0], ab[1]);
                            check(gemm, rnd, dtype, ta, !tb, mnk[0], mnk[1], mnk[2], ab[0], ab[1]);
                            check(gemm, rnd, dtype, !ta, !tb, mnk[0], mnk[1], mnk[2], ab[0], ab[1]);
                        }
                        c++;
                    }
                }
                for (int[] mnk : SPLIT_SIZES) {
                    for (DType dtype : DType.values()) {
                        for (int t = 0; t < 4; t++) {
                            double[] ab = ALPHA_BETA[t % ALPHA_BETA.length];
                            check(gemm, rnd, dtype, (t & 1) != 0, (t & 2) != 0, mnk[0], mnk[1], mnk[2], ab[0], ab[1]);
                        }
                    }
                }
            });
        } finally {
            Parallel.setThreads(threads);
        }
    }

    /** Stored matrix: rows x cols with leading dimension ld >= cols, after a few elements of offset. */
    private record Stored(MemorySegment seg, long offset, int rows, int cols, int ld, double[] values) {
        static Stored random(Arena arena, Random rnd, DType dtype, int rows, int cols, double fill) {
            int ld = Math.max(1, cols + rnd.nextInt(3));
            long offset = rnd.nextInt(4);
            long elements = offset + (long) rows * ld + 3;
            MemorySegment seg = arena.allocate(elements * dtype.byteSize(), 64);
            double[] values = new double[rows * cols];
            for (long i = 0; i < elements; i++) {
                put(seg, dtype, i, fill);
            }
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < cols; j++) {
                    double v = dtype == DType.F32 ? (float) (rnd.nextDouble() * 2 - 1) : rnd.nextDouble() * 2 - 1;
                    values[r * cols + j] = v;
                    put(seg, dtype, offset + (long) r * ld + j, v);
                }
            }
            return new Stored(seg, offset, rows, cols, ld, values);
        }

        double get(DType dtype, int r, int j) {
            return Layouts.get(seg, dtype, offset + (long) r * ld + j);
        }
    }

    private static void put(MemorySegment s, DType dtype, long i, double v) {
        if (dtype == DType.F32) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) v);
        } else {
            s.setAtIndex(ValueLayout.JAVA_DOUBLE, i, v);
        }
    }

    private static void check(Gemm gemm, Random rnd, DType dtype, boolean ta, boolean tb, int m, int n, int k,
            double alpha, double beta) {
        String what = dtype + " " + gemm.getClass().getSimpleName() + " transA=" + ta + " transB=" + tb + " m=" + m + " n=" + n
                + " k=" + k + " alpha=" + alpha + " beta=" + beta;
        // Shared, so that the Java backend may hand parts to its worker threads.
        try (Arena arena = Arena.ofShared()) {
            Stored a = ta ? Stored.random(arena, rnd, dtype, k, m, 7) : Stored.random(arena, rnd, dtype, m, k, 7);
            Stored b = tb ? Stored.random(arena, rnd, dtype, n, k, 7) : Stored.random(arena, rnd, dtype, k, n, 7);
            // beta == 0 must not read C: NaN there would leak into the result.
            double sentinel = 123.25;
            Stored c = Stored.random(arena, rnd, dtype, m, n, sentinel);
            if (beta == 0) {
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        put(c.seg, dtype, c.offset + (long) i * c.ld + j, Double.NaN);
                    }
                }
            }
            long es = dtype.byteSize();
            if (dtype == DType.F32) {
                gemm.sgemm(ta, tb, m, n, k, (float) alpha, a.seg, a.offset * es, a.ld, b.seg, b.offset * es, b.ld,
                        (float) beta, c.seg, c.offset * es, c.ld);
            } else {
                gemm.dgemm(ta, tb, m, n, k, alpha, a.seg, a.offset * es, a.ld, b.seg, b.offset * es, b.ld, beta,
                        c.seg, c.offset * es, c.ld);
            }
            double unit = dtype == DType.F32 ? 0x1p-24 : 0x1p-53;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    double abs = 0;
                    for (int p = 0; p < k; p++) {
                        double x = ta ? a.values[p * m + i] : a.values[i * k + p];
                        double y = tb ? b.values[j * k + p] : b.values[p * n + j];
                        sum += x * y;
                        abs += Math.abs(x * y);
                    }
                    double c0 = beta == 0 ? 0 : c.values[i * n + j];
                    double ref = alpha * sum + beta * c0;
                    double bound = 4 * (k + 3) * unit * (Math.abs(alpha) * abs + Math.abs(beta * c0)) + 1e-300;
                    double got = c.get(dtype, i, j);
                    if (!(Math.abs(got - ref) <= bound)) {
                        fail(what + ": C[" + i + "][" + j + "] = " + got + ", expected " + ref);
                    }
                }
            }
            // Nothing outside the m x n block may change (padding columns of C, the bytes around it).
            long total = c.seg.byteSize() / es;
            for (long e = 0; e < total; e++) {
                long rel = e - c.offset;
                boolean inside = rel >= 0 && rel / c.ld < m && rel % c.ld < n;
                if (!inside) {
                    assertEquals(sentinel, Layouts.get(c.seg, dtype, e), what + ": wrote outside C at " + e);
                }
            }
        }
    }
}
