package dev.cotangent.core;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.function.Executable;

/** Shared pieces of the kernel tests: backend switching, random arrays, tolerant comparison, error checks. */
final class KernelChecks {
    private KernelChecks() {}

    /** Runs {@code body} under {@code kind}, skipping (with the reason) when that backend cannot run here. */
    static void under(Backend.Kind kind, Runnable body) {
        assumeTrue(Backend.isAvailable(kind), () -> kind + " unavailable: " + Backend.describe());
        Backend.runWith(kind, body);
    }

    /** A contiguous array of uniform values in [-1, 1). */
    static NdArray random(Random rnd, DType dtype, int... dims) {
        Shape shape = Shape.of(dims);
        double[] v = new double[Math.toIntExact(shape.size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextDouble() * 2 - 1;
        }
        return fromDoubles(dtype, v, dims);
    }

    static NdArray fromDoubles(DType dtype, double[] v, int... dims) {
        return NdArray.of(v, dims).toType(dtype);
    }

    /**
     * Asserts {@code |got - ref| <= tol * absRef + tiny} element-wise, where {@code absRef} is the same sum taken
     * over absolute values (so the bound follows the rounding of {@code terms}-term sums in {@code dtype}).
     */
    static void assertClose(String what, double[] ref, double[] absRef, NdArray got, int terms) {
        double[] g = got.toDoubleArray();
        if (g.length != ref.length) {
            fail(what + ": " + g.length + " elements, expected " + ref.length);
        }
        double unit = got.dtype() == DType.F32 ? 0x1p-24 : 0x1p-53;
        double tol = 4 * (terms + 2) * unit;
        for (int i = 0; i < ref.length; i++) {
            double bound = tol * absRef[i] + 1e-300;
            if (!(Math.abs(g[i] - ref[i]) <= bound)) {
                fail(what + ": element " + i + " is " + g[i] + ", expected " + ref[i] + " (within " + bound + ")");
            }
        }
    }

    /** Asserts {@code body} throws IllegalArgumentException whose message contains every fragment. */
    static void assertError(Executable body, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, body);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "message lacks \"" + f + "\": " + e.getMessage());
        }
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double absDot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += Math.abs(a[i] * b[i]);
        }
        return s;
    }
}
