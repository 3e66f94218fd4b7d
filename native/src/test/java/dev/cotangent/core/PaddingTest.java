package dev.cotangent.core;

import static dev.cotangent.core.KernelChecks.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Padding.window against values worked out by hand from TensorFlow's formulas. */
class PaddingTest {

    private static Padding.Window w(Padding p, int in, int k, int stride, int dilation) {
        return Padding.window("test", "height", p, in, k, stride, dilation);
    }

    @Test
    void sameKeepsCeilOfInputOverStrideAndPadsTheExtraAfter() {
        assertEquals(new Padding.Window(3, 1, 1), w(Padding.SAME, 5, 3, 2, 1)); // total (3-1)*2+3-5 = 2
        assertEquals(new Padding.Window(2, 0, 1), w(Padding.SAME, 4, 3, 2, 1)); // total 1: the odd one goes after
        assertEquals(new Padding.Window(32, 2, 2), w(Padding.SAME, 32, 5, 1, 1));
        assertEquals(new Padding.Window(4, 2, 2), w(Padding.SAME, 4, 3, 1, 2)); // dilated extent 5
        assertEquals(new Padding.Window(1, 0, 0), w(Padding.SAME, 3, 1, 3, 1)); // total clamps at 0
        assertEquals(new Padding.Window(1, 2, 2), w(Padding.SAME, 1, 5, 1, 1)); // window larger than input
        assertEquals(new Padding.Window(0, 0, 0), w(Padding.SAME, 0, 3, 1, 1));
    }

    @Test
    void validFitsWholeWindowsOnly() {
        assertEquals(new Padding.Window(2, 0, 0), w(Padding.VALID, 5, 3, 2, 1));
        assertEquals(new Padding.Window(1, 0, 0), w(Padding.VALID, 5, 3, 1, 2)); // extent 5
        assertEquals(new Padding.Window(0, 0, 0), w(Padding.VALID, 0, 3, 1, 1));
        assertError(() -> w(Padding.VALID, 4, 3, 1, 2), "test", "height", "spans 5", "is 4", "VALID");
        assertError(() -> w(Padding.SAME, 4, 3, 0, 1), "test", "stride 0", "expected");
    }
}
