package dev.cotangent.bindings.openblas;

import static dev.cotangent.bindings.openblas.cblas_h.CblasColMajor;
import static dev.cotangent.bindings.openblas.cblas_h.CblasNoTrans;
import static dev.cotangent.bindings.openblas.cblas_h.CblasRowMajor;
import static dev.cotangent.bindings.openblas.cblas_h.CblasTrans;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Direct calls through the generated bindings agree with plain Java loops. */
class CblasGemmTest {

    private static final int M = 3, N = 4, K = 5;

    @BeforeAll
    static void load() {
        // skipped in the build's second, pure-Java run (-Dcotangent.backend=java)
        assumeTrue(OpenBlas.isAvailable(), OpenBlas.loadReport().failureMessage());
    }

    @Test
    void constantsHaveCblasValues() {
        assertEquals(101, CblasRowMajor());
        assertEquals(102, CblasColMajor());
        assertEquals(111, CblasNoTrans());
        assertEquals(112, CblasTrans());
        assertEquals(113, cblas_h.CblasConjTrans());
    }

    @Test
    void sgemmRowMajorMatchesTripleLoop() {
        Random rnd = new Random(1);
        float[] a = new float[M * K], b = new float[K * N], c = new float[M * N];
        for (int i = 0; i < a.length; i++) a[i] = rnd.nextFloat() - 0.5f;
        for (int i = 0; i < b.length; i++) b[i] = rnd.nextFloat() - 0.5f;
        for (int i = 0; i < c.length; i++) c[i] = rnd.nextFloat() - 0.5f;
        float alpha = 1.5f, beta = 0.5f;

        float[] expected = new float[M * N];
        for (int i = 0; i < M; i++) {
            for (int j = 0; j < N; j++) {
                float sum = 0;
                for (int p = 0; p < K; p++) sum += a[i * K + p] * b[p * N + j];
                expected[i * N + j] = alpha * sum + beta * c[i * N + j];
            }
        }

        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocateFrom(JAVA_FLOAT, a);
            MemorySegment sb = arena.allocateFrom(JAVA_FLOAT, b);
            MemorySegment sc = arena.allocateFrom(JAVA_FLOAT, c);
            cblas_h.cblas_sgemm(CblasRowMajor(), CblasNoTrans(), CblasNoTrans(), M, N, K,
                    alpha, sa, K, sb, N, beta, sc, N);
            assertArrayEquals(expected, sc.toArray(JAVA_FLOAT), 1e-5f);
        }
    }

    @Test
    void dgemmColMajorWithTransposedAMatchesTripleLoop() {
        Random rnd = new Random(2);
        // A is stored K x M column-major and used transposed: op(A) = A^T is M x K.
        double[] a = new double[K * M], b = new double[K * N], c = new double[M * N];
        for (int i = 0; i < a.length; i++) a[i] = rnd.nextDouble() - 0.5;
        for (int i = 0; i < b.length; i++) b[i] = rnd.nextDouble() - 0.5;
        for (int i = 0; i < c.length; i++) c[i] = rnd.nextDouble() - 0.5;
        double alpha = -0.75, beta = 2.0;

        double[] expected = new double[M * N];
        for (int i = 0; i < M; i++) {
            for (int j = 0; j < N; j++) {
                double sum = 0;
                for (int p = 0; p < K; p++) sum += a[i * K + p] * b[j * K + p]; // A(p,i) col-major, B(p,j) col-major
                expected[j * M + i] = alpha * sum + beta * c[j * M + i];
            }
        }

        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocateFrom(JAVA_DOUBLE, a);
            MemorySegment sb = arena.allocateFrom(JAVA_DOUBLE, b);
            MemorySegment sc = arena.allocateFrom(JAVA_DOUBLE, c);
            cblas_h.cblas_dgemm(CblasColMajor(), CblasTrans(), CblasNoTrans(), M, N, K,
                    alpha, sa, K, sb, K, beta, sc, M);
            assertArrayEquals(expected, sc.toArray(JAVA_DOUBLE), 1e-12);
        }
    }

    @Test
    void dgemmRowMajorMatchesTripleLoop() {
        double[] a = new double[M * K], b = new double[K * N];
        for (int i = 0; i < a.length; i++) a[i] = i - 7;
        for (int i = 0; i < b.length; i++) b[i] = 0.25 * i - 2;
        double[] expected = new double[M * N];
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++)
                for (int p = 0; p < K; p++) expected[i * N + j] += a[i * K + p] * b[p * N + j];

        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sc = arena.allocate(JAVA_DOUBLE, M * N);
            cblas_h.cblas_dgemm(CblasRowMajor(), CblasNoTrans(), CblasNoTrans(), M, N, K,
                    1.0, arena.allocateFrom(JAVA_DOUBLE, a), K, arena.allocateFrom(JAVA_DOUBLE, b), N,
                    0.0, sc, N);
            // small integers and quarters: exact in double
            assertArrayEquals(expected, sc.toArray(JAVA_DOUBLE), 0.0);
        }
    }
}
