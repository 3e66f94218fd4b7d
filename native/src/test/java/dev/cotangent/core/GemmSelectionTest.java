package dev.cotangent.core;

import static dev.cotangent.core.GemmSelection.ShapeClass.LARGE;
import static dev.cotangent.core.GemmSelection.ShapeClass.LARGE_THIN;
import static dev.cotangent.core.GemmSelection.ShapeClass.MEDIUM;
import static dev.cotangent.core.GemmSelection.ShapeClass.MEDIUM_THIN;
import static dev.cotangent.core.GemmSelection.ShapeClass.SMALL;
import static dev.cotangent.core.GemmSelection.ShapeClass.SMALL_THIN;
import static dev.cotangent.core.GemmSelection.ShapeClass.TINY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The shape classes the GEMM choice is made for, and the calibration records kept per machine. */
class GemmSelectionTest {

    @Test
    void shapesFallIntoClassesByWorkAndThinness() {
        assertEquals(TINY, GemmSelection.ShapeClass.of(1, 1, 1));
        assertEquals(TINY, GemmSelection.ShapeClass.of(31, 32, 32));
        assertEquals(SMALL, GemmSelection.ShapeClass.of(64, 64, 64));
        assertEquals(SMALL_THIN, GemmSelection.ShapeClass.of(32, 32, 32));
        assertEquals(SMALL_THIN, GemmSelection.ShapeClass.of(2048, 1, 16));
        assertEquals(MEDIUM, GemmSelection.ShapeClass.of(128, 128, 128));
        assertEquals(MEDIUM_THIN, GemmSelection.ShapeClass.of(75, 32, 16384));
        assertEquals(LARGE, GemmSelection.ShapeClass.of(512, 512, 512));
        assertEquals(LARGE_THIN, GemmSelection.ShapeClass.of(65536, 75, 32));
        for (GemmSelection.ShapeClass c : GemmSelection.ShapeClass.values()) {
            assertEquals(c, GemmSelection.ShapeClass.of(c.m, c.n, c.k), "the representative of " + c);
        }
    }

    @Test
    void calibrationRecordsRoundTripAndRejectDamage() {
        double[] ratios = {0.5, 1.25, 2, 1.001, 0.999, 3, 1};
        GemmCalibration.Result r = GemmCalibration.Result.decode(new GemmCalibration.Result(ratios, "").encode(), "x");
        assertTrue(r != null && !r.java(TINY) && r.java(SMALL) && r.java(MEDIUM) && !r.java(MEDIUM_THIN)
                && !r.java(LARGE_THIN), String.valueOf(r));
        assertTrue(r.describe().startsWith("tiny=blas(0.50x) small=java(1.25x)"), r.describe());
        assertNull(GemmCalibration.Result.decode("1,2,3", "x"));
        assertNull(GemmCalibration.Result.decode("1,2,3,4,5,6,seven", "x"));
    }

    @Test
    void theCalibrationKeyNamesWhatTheMeasurementDependsOn() {
        String key = GemmCalibration.key(DType.F32, 2);
        for (String part : new String[] {"cpu=", "coretype=", "threads=2;", "jdk=", "vector=", "kernels=", "dtype=f32"}) {
            assertTrue(key.contains(part), key);
        }
        assertTrue(!key.contains("\t") && !key.contains("\n"), key);
    }
}
