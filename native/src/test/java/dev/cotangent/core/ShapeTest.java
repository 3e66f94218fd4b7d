package dev.cotangent.core;

import static dev.cotangent.core.ElementwiseTest.assertMentions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ShapeTest {
    @Test
    void sizesRanksAndDimensions() {
        assertSame(Shape.scalar(), Shape.of());
        assertEquals(0, Shape.scalar().rank());
        assertEquals(1, Shape.scalar().size());
        assertEquals(0, Shape.of(3, 0, 2).size());
        Shape s = Shape.of(2, 3, 4);
        assertEquals(24, s.size());
        assertEquals(4, s.dim(-1));
        assertEquals(2, s.dim(0));
        int[] dims = s.dims();
        dims[0] = 99;
        assertEquals(2, s.dim(0), "dims() is a copy");
        assertArrayEquals(new long[] {12, 4, 1}, s.contiguousStrides());
        assertArrayEquals(new long[] {5, 1}, Shape.of(0, 5).contiguousStrides());
        assertArrayEquals(new long[] {1, 1}, Shape.of(5, 0).contiguousStrides(), "a zero dimension counts as 1");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Shape.of(2, -1)), "Shape", "[2, -1]");
        assertEquals("[2, 3, 4]", s.toString());
        assertEquals("[]", Shape.scalar().toString());
        assertEquals(Shape.of(2, 3), Shape.of(2, 3));
        assertEquals(Shape.of(2, 3).hashCode(), Shape.of(2, 3).hashCode());
        assertNotEquals(Shape.of(2, 3), Shape.of(3, 2));
    }

    @Test
    void axesNormalizeSortAndReject() {
        Shape s = Shape.of(2, 3, 4);
        assertEquals(2, s.normalizeAxis("op", -1));
        assertArrayEquals(new int[] {0, 1, 2}, s.normalizeAxes("op"));
        assertArrayEquals(new int[] {0, 2}, s.normalizeAxes("op", -1, 0));
        assertArrayEquals(new int[0], Shape.scalar().normalizeAxes("op"));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> s.normalizeAxis("myOp", 3)), "myOp", "3",
                "[2, 3, 4]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> s.normalizeAxis("myOp", -4)), "myOp", "-4");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> s.normalizeAxes("myOp", 1, -2)), "myOp",
                "twice");
        assertThrows(IllegalArgumentException.class, () -> Shape.scalar().normalizeAxis("op", 0));
        assertThrows(IllegalArgumentException.class, () -> s.dim(5));
    }

    @Test
    void broadcastingFollowsNumPy() {
        assertEquals(Shape.of(2, 3), Shape.broadcast("op", Shape.of(2, 3), Shape.of(3)));
        assertEquals(Shape.of(3, 4), Shape.broadcast("op", Shape.of(3, 1), Shape.of(1, 4)));
        assertEquals(Shape.of(4, 6, 5), Shape.broadcast("op", Shape.of(4, 1, 5), Shape.of(6, 1)));
        assertEquals(Shape.of(5), Shape.broadcast("op", Shape.scalar(), Shape.of(5)));
        assertEquals(Shape.scalar(), Shape.broadcast("op", Shape.scalar(), Shape.scalar()));
        assertEquals(Shape.of(2, 0), Shape.broadcast("op", Shape.of(2, 1), Shape.of(0)));
        assertEquals(Shape.of(0), Shape.broadcast("op", Shape.of(1), Shape.of(0)));
        var e = assertThrows(IllegalArgumentException.class, () -> Shape.broadcast("add", Shape.of(2, 3), Shape.of(4)));
        assertMentions(e, "add", "[2, 3]", "[4]", "expected");
        assertThrows(IllegalArgumentException.class, () -> Shape.broadcast("op", Shape.of(0), Shape.of(2)));
    }

    @Test
    void reduceDropsOrKeepsAxes() {
        Shape s = Shape.of(2, 3, 4);
        assertEquals(Shape.of(2, 4), s.reduce(new int[] {1}, false));
        assertEquals(Shape.of(2, 1, 4), s.reduce(new int[] {1}, true));
        assertEquals(Shape.scalar(), s.reduce(new int[] {0, 1, 2}, false));
        assertEquals(Shape.of(1, 1, 1), s.reduce(new int[] {0, 1, 2}, true));
        assertEquals(s, s.reduce(new int[0], false));
    }

    @Test
    void reshapeTargetsInferOneDimension() {
        Shape s = Shape.of(2, 3, 4);
        assertEquals(Shape.of(6, 4), s.reshapeTarget("reshape", 6, -1));
        assertEquals(Shape.of(24), s.reshapeTarget("reshape", -1));
        assertEquals(Shape.scalar(), Shape.of(1, 1).reshapeTarget("reshape"));
        assertEquals(Shape.of(0, 7), Shape.of(7, 0).reshapeTarget("reshape", 0, 7));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> s.reshapeTarget("reshape", -1, -1)),
                "reshape", "-1");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> s.reshapeTarget("reshape", 5, -1)),
                "reshape", "[2, 3, 4]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> s.reshapeTarget("reshape", 5, 5)),
                "reshape", "[2, 3, 4]", "[5, 5]");
        assertThrows(IllegalArgumentException.class, () -> s.reshapeTarget("reshape", -2, 12));
        assertThrows(IllegalArgumentException.class, () -> Shape.of(0, 3).reshapeTarget("reshape", 0, -1));
    }

    @Test
    void sizesThatOverflowALongAreErrorsNamingTheOpAndShape() {
        int big = 1 << 30;
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Shape.of(big, big, big)), "Shape.of",
                "[1073741824, 1073741824, 1073741824]", "2^63");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Shape.of("zeros", big, big, big)), "zeros");
        // The size is 0, but the strides of the other axes would overflow.
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Shape.of(0, big, big, big)), "Shape.of",
                "[0, 1073741824, 1073741824, 1073741824]");
        assertEquals(0, Shape.of(0, big, big).size());
        assertEquals(1L << 62, Shape.of(big, big, 4).size());
        // Broadcasting two valid shapes can overflow.
        assertMentions(assertThrows(IllegalArgumentException.class,
                () -> Shape.broadcast("add", Shape.of(big, big, 1, 1), Shape.of(1, 1, big, big))), "add");
        // A wrapped product must not pass for the right element count.
        Shape s = Shape.of(big, 4);
        assertMentions(assertThrows(IllegalArgumentException.class,
                () -> s.reshapeTarget("reshape", big, big, big, big, 4)), "reshape", "2^63");
        // An inferred dimension beyond an int is an error, not a truncated one.
        Shape wide = Shape.of(1 << 16, 1 << 16);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> wide.reshapeTarget("reshape", -1)),
                "reshape", "-1", "2147483647");
        assertEquals(Shape.of(1 << 16, 1 << 16), wide.reshapeTarget("reshape", 1 << 16, -1));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Shape.of(2, 3).reduce(new int[] {1, 0},
                false)), "Shape.reduce", "[1, 0]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Shape.of(2, 3).reduce(new int[] {2}, true)),
                "Shape.reduce", "[2, 3]");
    }
}
