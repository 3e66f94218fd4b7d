package dev.cotangent.core;

import static dev.cotangent.core.ElementwiseTest.assertMentions;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NdArrayTest {
    /** 0..n-1 as a float32 array of the given shape. */
    private static NdArray iota(int... dims) {
        float[] v = new float[Fixtures.size(dims)];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        return NdArray.of(v, dims);
    }

    @Test
    void creationAndElementAccess() {
        NdArray a = NdArray.of(new float[][] {{1, 2, 3}, {4, 5, 6}});
        assertEquals(Shape.of(2, 3), a.shape());
        assertEquals(DType.F32, a.dtype());
        assertEquals(6, a.getDouble(1, 2));
        assertArrayEquals(new long[] {3, 1}, a.strides());
        assertEquals(Shape.of(4), NdArray.of(new double[] {1, 2, 3, 4}).shape());
        assertEquals(Shape.of(1), NdArray.of(new double[] {7}).shape(), "no dimensions means a vector, even of one value");
        assertEquals(7, NdArray.scalar(DType.F64, 7).item());
        assertEquals(2.5f, NdArray.full(DType.F32, Shape.of(1, 1), 2.5).floatValue());
        assertArrayEquals(new double[] {0, 0}, NdArray.zeros(DType.F64, 2).toDoubleArray());
        assertArrayEquals(new float[] {1, 1, 1}, NdArray.ones(DType.F32, 3).toFloatArray());
        NdArray z = NdArray.zeros(DType.F32, 2, 0);
        assertEquals(0, z.size());
        assertTrue(z.isContiguous(), "an empty array is contiguous");
        assertEquals("[[],\n []]", z.toString());
        NdArray m = NdArray.empty(DType.F64, 2, 2);
        m.setDouble(3.5, 1, 0);
        assertEquals(3.5, m.getDouble(1, 0));
        NdArray neg = NdArray.empty(DType.F64, 3);
        neg.fill(-0.0);
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(neg.getDouble(2)), "fill keeps -0");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> NdArray.of(new float[] {1, 2, 3}, 2, 2)),
                "NdArray.of", "[2, 2]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> NdArray.of(new float[][] {{1, 2}, {3}})),
                "row 1");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> a.getDouble(2, 0)), "getDouble", "[2, 3]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> a.getDouble(1)), "getDouble", "rank 2");
        assertMentions(assertThrows(IllegalArgumentException.class, a::item), "item", "[2, 3]");
    }

    @Test
    void getFlatWalksRowMajorThroughAnyViewAndChecksBounds() {
        NdArray t = iota(3, 4).transpose();
        double[] expected = {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11};
        for (int i = 0; i < 12; i++) {
            assertEquals(expected[i], t.getFlat(i));
        }
        assertArrayEquals(expected, t.toDoubleArray());
        assertMentions(assertThrows(IllegalArgumentException.class, () -> t.getFlat(12)), "getFlat", "12", "[4, 3]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> t.getFlat(-1)), "getFlat", "-1");
    }

    @Test
    void viewsShareTheBufferAndMapIndices() {
        NdArray a = iota(3, 4);
        NdArray t = a.transpose();
        assertEquals(Shape.of(4, 3), t.shape());
        assertArrayEquals(new long[] {1, 4}, t.strides());
        assertTrue(t.sharesBufferWith(a));
        assertFalse(t.isContiguous());
        assertEquals(a.getDouble(1, 2), t.getDouble(2, 1));
        NdArray cube = iota(2, 3, 4);
        NdArray p = cube.transpose(2, 0, 1);
        assertEquals(Shape.of(4, 2, 3), p.shape());
        assertEquals(cube.getDouble(1, 2, 3), p.getDouble(3, 1, 2));
        assertEquals(Shape.of(2, 4, 3), cube.transpose().shape());

        NdArray s = a.slice(1, 1, 4, 2);
        assertEquals(Shape.of(3, 2), s.shape());
        assertEquals(1, s.offset());
        assertArrayEquals(new double[] {1, 3, 5, 7, 9, 11}, s.toDoubleArray());
        assertArrayEquals(new double[] {4, 5, 6, 7}, a.slice(0, 1, 2).toDoubleArray());
        assertEquals(0, a.slice(0, 2, 2).size());

        NdArray e = a.expandDims(1);
        assertEquals(Shape.of(3, 1, 4), e.shape());
        assertEquals(Shape.of(3, 4, 1), a.expandDims(-1).shape());
        assertEquals(Shape.of(1, 3, 4), a.expandDims(0).shape());
        assertEquals(a.getDouble(2, 3), e.getDouble(2, 0, 3));

        NdArray row = NdArray.of(new float[] {1, 2, 3}, 3);
        NdArray b = row.broadcastTo(Shape.of(2, 3));
        assertArrayEquals(new long[] {0, 1}, b.strides());
        assertArrayEquals(new float[] {1, 2, 3, 1, 2, 3}, b.toFloatArray());
        NdArray col = NdArray.of(new float[] {1, 2}, 2, 1).broadcastTo(Shape.of(2, 3));
        assertArrayEquals(new float[] {1, 1, 1, 2, 2, 2}, col.toFloatArray());
        assertSame(row, row.broadcastTo(Shape.of(3)));
        assertEquals(Shape.of(4, 3), NdArray.scalar(DType.F32, 1).broadcastTo(Shape.of(4, 3)).shape());

        assertMentions(assertThrows(IllegalArgumentException.class, () -> row.broadcastTo(Shape.of(4))), "broadcastTo");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> NdArray.zeros(DType.F32, 2, 3)
                .broadcastTo(Shape.of(3))), "broadcastTo", "[2, 3]", "[3]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> a.transpose(0)), "transpose", "[3, 4]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> a.transpose(1, 1)), "transpose", "repeated");
        assertThrows(IllegalArgumentException.class, () -> row.transpose());
        assertEquals(Shape.of(3, 1), a.slice(1, 3, 5).shape(), "an end past the axis stops at its end");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> a.slice(1, 5, 6)), "slice", "[3, 4]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> a.slice(1, 3, 2)), "slice", "[3, 4]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> a.slice(1, -1, 2)), "slice", "[3, 4]");
        assertThrows(IllegalArgumentException.class, () -> a.slice(1, 0, 2, 0));
        assertThrows(IllegalArgumentException.class, () -> a.expandDims(4));
    }

    @Test
    void reshapeContiguousCopyAndTypeConversion() {
        NdArray a = iota(2, 6);
        NdArray r = a.reshape(3, -1);
        assertEquals(Shape.of(3, 4), r.shape());
        assertTrue(r.sharesBufferWith(a), "reshaping a contiguous array is a view");
        assertSame(a, a.reshape(2, 6));
        NdArray t = a.transpose();
        NdArray rt = t.reshape(12);
        assertFalse(rt.sharesBufferWith(a), "reshaping a strided view copies");
        assertArrayEquals(t.toDoubleArray(), rt.toDoubleArray());
        assertSame(a, a.contiguous());
        NdArray c = t.contiguous();
        assertTrue(c.isContiguous());
        assertArrayEquals(t.toDoubleArray(), c.toDoubleArray());
        NdArray copy = a.copy();
        assertNotSame(a, copy);
        assertFalse(copy.sharesBufferWith(a));
        NdArray d = t.toType(DType.F64);
        assertEquals(DType.F64, d.dtype());
        assertArrayEquals(t.toDoubleArray(), d.toDoubleArray());
        assertSame(a, a.toType(DType.F32));
        assertArrayEquals(new float[] {0.1f}, NdArray.of(new double[] {0.1}, 1).toFloatArray());
        assertMentions(assertThrows(IllegalArgumentException.class, () -> a.reshape(5, -1)), "reshape", "[2, 6]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> t.fill(1)), "fill", "contiguous");
    }

    @Test
    void toStringPrintsAlignedRows() {
        NdArray column = NdArray.of(new float[] {-0.25f, -0.25f, -0.2143442f, -0.1791575f}, 4, 1);
        assertEquals("[[     -0.25],\n [     -0.25],\n [-0.2143442],\n [-0.1791575]]", column.toString());
        assertEquals("[1.0, 2.0, 3.0]", NdArray.of(new double[] {1, 2, 3}).toString());
        assertEquals("2.5", NdArray.scalar(DType.F32, 2.5).toString());
        assertEquals("[[[0.0, 1.0],\n  [2.0, 3.0]],\n\n [[4.0, 5.0],\n  [6.0, 7.0]]]", iota(2, 2, 2).toString());
        NdArray dead = NdArray.zeros(DType.F64, 2);
        dead.close();
        assertEquals("NdArray(float64[2], released)", dead.toString());
    }

    @Test
    void closedArraysAndTheirViewsThrowNamingTheArray() {
        NdArray a = NdArray.of(new float[] {1, 2, 3, 4}, 4, 1);
        NdArray view = a.transpose();
        a.close();
        a.close(); // idempotent
        assertTrue(a.isReleased());
        assertTrue(view.isReleased());
        var e = assertThrows(IllegalStateException.class, () -> a.getDouble(0, 0));
        assertMentions(e, "float32[4, 1]", "released");
        assertThrows(IllegalStateException.class, a::segment);
        assertThrows(IllegalStateException.class, a::toFloatArray);
        assertThrows(IllegalStateException.class, () -> a.reshape(4));
        assertThrows(IllegalStateException.class, () -> a.slice(0, 0, 1));
        assertThrows(IllegalStateException.class, a::copy);
        assertThrows(IllegalStateException.class, () -> a.fill(0));
        assertThrows(IllegalStateException.class, () -> view.getFlat(0));
        assertThrows(IllegalStateException.class, () -> view.broadcastTo(Shape.of(2, 1, 4)));
    }

    @Test
    void broadcastViewsAndTheirViewsAreReadOnly() {
        NdArray column = iota(3, 1);
        NdArray b = column.broadcastTo(Shape.of(3, 4));
        assertFalse(b.isWritable());
        assertTrue(column.isWritable());
        for (NdArray v : new NdArray[] {b, b.transpose(), b.slice(0, 1, 3), b.expandDims(0),
            NdArray.scalar(DType.F32, 1).broadcastTo(Shape.of(1)).reshape()}) {
            assertFalse(v.isWritable(), v.shape() + " is made from a broadcast view");
            assertMentions(assertThrows(IllegalStateException.class, () -> v.setDouble(5, new long[v.rank()])),
                    "setDouble", "read-only");
            assertMentions(assertThrows(IllegalStateException.class, () -> v.fill(5)), "fill", "read-only");
            assertThrows(IllegalArgumentException.class, // the segment is read-only too
                    () -> v.segment().set(java.lang.foreign.ValueLayout.JAVA_FLOAT, 0, 5f));
        }
        assertMentions(assertThrows(IllegalStateException.class, () -> Assignment.assign(b, iota(3, 4))), "assign",
                "read-only");
        NdArray flat = NdArray.scalar(DType.F32, 1).broadcastTo(Shape.of(1, 1));
        assertMentions(assertThrows(IllegalStateException.class, () -> Elementwise.addInPlace(flat, flat)),
                "addInPlace", "read-only");
        assertMentions(assertThrows(IllegalStateException.class, () -> Elementwise.scaleInPlace(flat, 2)),
                "scaleInPlace", "read-only");
        assertMentions(assertThrows(IllegalStateException.class, () -> Elementwise.axpyInPlace(flat, 2, flat)),
                "axpyInPlace", "read-only");
        assertArrayEquals(new float[] {0, 1, 2}, column.toFloatArray(), "nothing was written");
        NdArray copy = b.copy();
        assertTrue(copy.isWritable(), "a copy is the caller's own");
        copy.setDouble(7, 0, 0);
        assertEquals(0, column.getDouble(0, 0));
        assertEquals(b.toString(), iota(3, 1).broadcastTo(Shape.of(3, 4)).toString(), "reading works as before");
        assertSame(column, column.broadcastTo(Shape.of(3, 1)), "no broadcast, no new view");
    }

    @Test
    void sliceClampsTheEndAndSizesInLong() {
        NdArray x = NdArray.of(new float[] {1, 2, 3, 4, 5});
        assertArrayEquals(new float[] {1}, x.slice(0, 0, 5, Integer.MAX_VALUE).toFloatArray());
        assertArrayEquals(new float[] {1}, x.slice(0, 0, 5, Integer.MAX_VALUE - 2).toFloatArray());
        assertArrayEquals(new float[] {2, 5}, x.slice(0, 1, Integer.MAX_VALUE, 3).toFloatArray());
        assertArrayEquals(new float[] {4, 5}, x.slice(0, 3, 1000).toFloatArray());
        assertEquals(0, x.slice(0, 5, Integer.MAX_VALUE).size());
        assertMentions(assertThrows(IllegalArgumentException.class, () -> x.slice(0, 0, 5, 0)), "slice", "step");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> x.slice(0, 0, 5, -1)), "slice", "step");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> x.slice(0, 6, 7)), "slice", "[5]");
    }

    @Test
    void longArraysPrintSummarizedAsNumPyDoes() {
        NdArray a = iota(40, 50);
        assertEquals("""
                [[   0.0,    1.0,    2.0, ...,   47.0,   48.0,   49.0],
                 [  50.0,   51.0,   52.0, ...,   97.0,   98.0,   99.0],
                 [ 100.0,  101.0,  102.0, ...,  147.0,  148.0,  149.0],
                 ...,
                 [1850.0, 1851.0, 1852.0, ..., 1897.0, 1898.0, 1899.0],
                 [1900.0, 1901.0, 1902.0, ..., 1947.0, 1948.0, 1949.0],
                 [1950.0, 1951.0, 1952.0, ..., 1997.0, 1998.0, 1999.0]]""", a.toString());
        assertTrue(iota(1001).toString().matches("\\[ +0.0, +1.0, +2.0, \\.\\.\\., +998.0, +999.0, 1000.0]"),
                iota(1001).toString());
        assertTrue(!iota(1000).toString().contains("..."), "1000 elements print in full");
    }
}
