package dev.cotangent.examples;

import dev.cotangent.core.Backend;
import dev.cotangent.core.DType;
import dev.cotangent.core.LinearAlgebra;
import dev.cotangent.core.NdArray;
import dev.cotangent.core.RandomArrays;
import dev.cotangent.core.Scope;
import dev.cotangent.core.Shape;

/** Shows which BLAS is loaded and checks one matmul against a plain Java loop. */
public final class GroundFloorDemo {
    private GroundFloorDemo() {}

    public static void main(String[] args) {
        System.out.println("Backend: " + Backend.describe());
        int m = 192;
        int k = 161;
        int n = 77;
        try (Scope scope = Scope.open()) {
            NdArray a = RandomArrays.normal(DType.F32, Shape.of(m, k), 0, 1, 1);
            NdArray b = RandomArrays.normal(DType.F32, Shape.of(k, n), 0, 1, 2);
            long start = System.nanoTime();
            NdArray c = LinearAlgebra.matmul(a, b);
            long micros = (System.nanoTime() - start) / 1000;
            float[] x = a.toFloatArray();
            float[] y = b.toFloatArray();
            float[] z = c.toFloatArray();
            double worst = 0;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) {
                        s += (double) x[i * k + p] * y[p * n + j];
                    }
                    worst = Math.max(worst, Math.abs(s - z[i * n + j]) / Math.max(1, Math.abs(s)));
                }
            }
            System.out.printf("matmul [%d,%d]x[%d,%d] in %d us; worst relative error vs a double loop: %.2e (%s)%n",
                    m, k, k, n, micros, worst, worst < 1e-4 ? "ok" : "WRONG");
            System.out.println("c[0,0..3] = " + c.slice(0, 0, 1).slice(1, 0, 4));
            if (worst >= 1e-4) {
                System.exit(1);
            }
        }
    }
}
