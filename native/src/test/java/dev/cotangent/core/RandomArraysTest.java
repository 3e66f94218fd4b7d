package dev.cotangent.core;

import static dev.cotangent.core.ElementwiseTest.assertMentions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RandomArraysTest {
    @Test
    void sameSeedSameValuesOtherSeedOtherValues() {
        for (DType dtype : DType.values()) {
            Shape shape = Shape.of(3, 33);
            assertArrayEquals(RandomArrays.normal(dtype, shape, 1, 2, 7).toDoubleArray(),
                    RandomArrays.normal(dtype, shape, 1, 2, 7).toDoubleArray());
            assertFalse(Arrays.equals(RandomArrays.normal(dtype, shape, 1, 2, 7).toDoubleArray(),
                    RandomArrays.normal(dtype, shape, 1, 2, 8).toDoubleArray()));
            assertArrayEquals(RandomArrays.uniform(dtype, shape, -1, 1, 7).toDoubleArray(),
                    RandomArrays.uniform(dtype, shape, -1, 1, 7).toDoubleArray());
        }
    }

    /** Pinned values: SplittableRandom and StrictMath are specified bit for bit, so these hold everywhere. */
    @Test
    void valuesArePinnedAcrossPlatforms() {
        double[] normal = RandomArrays.normal(DType.F64, Shape.of(3), 0, 1, 42).toDoubleArray();
        double[] uniform = RandomArrays.uniform(DType.F64, Shape.of(2), 0, 1, 42).toDoubleArray();
        assertArrayEquals(new double[] {0.8822489062222688, 1.388473285287707, -0.4508498757188601}, normal);
        assertArrayEquals(new double[] {0.7415648787718233, 0.1599103928769201}, uniform);
        assertEquals((float) 0.8822489062222688, RandomArrays.normal(DType.F32, Shape.of(1), 0, 1, 42).item());
    }

    @Test
    void momentsAndRanges() {
        int n = 50_000;
        // Tolerances are about five standard errors of each statistic at this n.
        for (DType dtype : DType.values()) {
            double[] z = RandomArrays.normal(dtype, Shape.of(n), 3, 2, 1).toDoubleArray();
            double mean = Arrays.stream(z).average().orElseThrow();
            double var = Arrays.stream(z).map(v -> (v - mean) * (v - mean)).sum() / (n - 1);
            assertEquals(3, mean, 0.045);
            assertEquals(2, Math.sqrt(var), 0.03);
            long beyondThree = Arrays.stream(z).filter(v -> Math.abs(v - 3) > 6).count();
            assertEquals(0.0027 * n, beyondThree, 0.001 * n, "tails of a normal distribution");
            double[] u = RandomArrays.uniform(dtype, Shape.of(n), -2, 0.1, 1).toDoubleArray();
            double high = dtype == DType.F32 ? (float) 0.1 : 0.1;
            assertTrue(Arrays.stream(u).allMatch(v -> v >= -2 && v < high));
            assertEquals(-0.95, Arrays.stream(u).average().orElseThrow(), 0.015);
            // Round-to-nearest would produce 1.0f from values just below 1; they must stay below.
            double[] top = RandomArrays.uniform(DType.F32, Shape.of(n), 1 - 1e-7, 1, 2).toDoubleArray();
            assertTrue(Arrays.stream(top).allMatch(v -> v < 1));
        }
        assertArrayEquals(new double[] {5, 5}, RandomArrays.normal(DType.F64, Shape.of(2), 5, 0, 1).toDoubleArray());
    }

    @Test
    void shapesAndValidation() {
        assertEquals(0, RandomArrays.normal(DType.F32, Shape.scalar(), 0, 1, 1).rank());
        assertEquals(0, RandomArrays.uniform(DType.F64, Shape.of(4, 0), 0, 1, 1).size());
        assertEquals(7, RandomArrays.normal(DType.F32, Shape.of(7), 0, 1, 1).size());
        assertMentions(assertThrows(IllegalArgumentException.class,
                () -> RandomArrays.normal(DType.F32, Shape.of(2), 0, -1, 1)), "normal", "std", "-1.0");
        assertThrows(IllegalArgumentException.class, () -> RandomArrays.normal(DType.F32, Shape.of(2), 0, Double.NaN, 1));
        assertThrows(IllegalArgumentException.class, () -> RandomArrays.normal(DType.F32, Shape.of(2), Double.NaN, 1, 1));
        assertMentions(assertThrows(IllegalArgumentException.class,
                () -> RandomArrays.uniform(DType.F64, Shape.of(2), 1, 1, 1)), "uniform", "low", "high");
        assertThrows(IllegalArgumentException.class, () -> RandomArrays.uniform(DType.F64, Shape.of(2), 2, 1, 1));
        assertThrows(IllegalArgumentException.class,
                () -> RandomArrays.uniform(DType.F64, Shape.of(2), 0, Double.POSITIVE_INFINITY, 1));
        assertThrows(IllegalArgumentException.class, () -> RandomArrays.uniform(DType.F32, Shape.of(2), 1, 1 + 1e-12, 1));
    }
}
