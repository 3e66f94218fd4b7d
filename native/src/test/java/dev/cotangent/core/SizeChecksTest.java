package dev.cotangent.core;

import static dev.cotangent.core.KernelChecks.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Shapes, byte sizes and geometries too large for memory or for an int are errors naming the op and the shape,
 * raised before any allocation or kernel, on both backends: never a zero-byte buffer, a crash or a wrapped size.
 */
class SizeChecksTest {
    /** A float32 view of 2^40 elements that takes four bytes (every axis broadcast). */
    static NdArray huge(int... dims) {
        return NdArray.scalar(DType.F32, 1).broadcastTo(Shape.of(dims));
    }

    @Test
    void creationRejectsByteSizesBeyondTheLimitNamingTheOpAndShape() {
        // 2^62 elements of 4 bytes: the byte size wraps to 0 in a long.
        assertError(() -> NdArray.zeros(DType.F32, 1 << 30, 1 << 30, 4), "zeros", "[1073741824, 1073741824, 4]",
                "float32", "limit");
        // 2^48 elements: an index past the buffer pool's size classes.
        assertError(() -> NdArray.zeros(DType.F32, 1 << 24, 1 << 24), "zeros", "[16777216, 16777216]", "bytes");
        assertError(() -> NdArray.empty(DType.F64, Shape.of(1 << 20, 1 << 20)), "empty", "float64");
        assertError(() -> NdArray.full(DType.F32, Shape.of(1 << 20, 1 << 20), 2), "full");
        assertError(() -> NdArray.ones(DType.F32, Integer.MAX_VALUE, Integer.MAX_VALUE), "ones");
        assertError(() -> RandomArrays.normal(DType.F32, Shape.of(1 << 20, 1 << 20), 0, 1, 1), "normal");
        assertError(() -> NdArray.zeros(DType.F32, 1 << 30, 1 << 30, 1 << 30), "zeros", "2^63");
        assertTrue(NdArray.maxBytes() > 0 && NdArray.maxBytes() <= Allocation.CEILING, "limit " + NdArray.maxBytes());
    }

    @Test
    void broadcastViewsTooLargeToMaterializeFailInTheOpThatWouldMaterializeThem() {
        NdArray big = huge(1 << 20, 1 << 20);
        assertEquals(1L << 40, big.size(), "the view itself is free");
        assertError(big::copy, "copy", "[1048576, 1048576]");
        assertError(big::contiguous, "contiguous", "[1048576, 1048576]");
        assertError(() -> big.reshape(-1), "reshape");
        assertError(() -> big.toType(DType.F64), "toType");
        assertError(big::toFloatArray, "toFloatArray", "Java array");
        assertError(() -> Elementwise.add(big, big), "add", "[1048576, 1048576]");
        assertError(() -> Elementwise.exp(big), "exp");
        assertError(() -> Elementwise.mul(big, 2), "mul");
        assertError(() -> Elementwise.select(big, big, big), "select");
        assertError(() -> Reductions.sum(big), "sum", "[1048576, 1048576]");
        assertError(() -> Reductions.max(big, false, 0), "max");
        assertError(() -> Reductions.argmax(big, 0, false), "argmax");
        assertError(() -> Softmax.softmax(big, -1), "softmax");
        assertError(() -> Softmax.logSumExp(big, 0, false), "logSumExp");
        String printed = huge(1 << 20, 1 << 20, 2, 2).toString();
        assertTrue(printed.contains("..."), printed);
        assertTrue(huge(2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2)
                .toString().contains("not shown"));
    }

    @ParameterizedTest
    @EnumSource(Backend.Kind.class)
    void matmulOfHugeOperandsIsAnErrorOnEitherBackend(Backend.Kind kind) {
        KernelChecks.under(kind, () -> {
            NdArray big = huge(1 << 20, 1 << 20);
            assertError(() -> LinearAlgebra.matmul(big, big), "matmul", "[1048576, 1048576]");
            // A small result whose operand needs a copy too large to make (its rows have stride 0).
            assertError(() -> LinearAlgebra.matmul(huge(1 << 10, 1, 1 << 30), huge(1 << 30, 1)), "matmul",
                    "[1024, 1, 1073741824]");
            NdArray row = NdArray.zeros(DType.F32, 1, 1 << 12);
            NdArray column = NdArray.zeros(DType.F32, 1 << 12, 1);
            assertEquals(0, LinearAlgebra.matmul(row, column).item(), "a small product still runs");
        });
    }

    @ParameterizedTest
    @EnumSource(Backend.Kind.class)
    void convolutionAndPoolingGeometriesThatOverflowAnIntAreErrors(Backend.Kind kind) {
        KernelChecks.under(kind, () -> {
            NdArray x = NdArray.zeros(DType.F32, 1, 3, 3, 1);
            NdArray w = NdArray.zeros(DType.F32, 3, 3, 1, 1);
            // Dilated SAME windows padded past 2^31 positions.
            Conv2dParams wide = new Conv2dParams(1, 1, Padding.SAME, Integer.MAX_VALUE, 1);
            assertError(() -> Convolution.conv2d(x, w, wide), "conv2d", "padded height", "2147483647");
            // 2^31 filter taps times channels, in a broadcast filter that takes no memory.
            NdArray taps = huge(1 << 11, 1 << 11, 1 << 9, 1);
            NdArray channels = huge(1, 1, 1, 1 << 9);
            assertError(() -> Convolution.conv2d(channels, taps, Conv2dParams.of(1, Padding.SAME)), "conv2d",
                    "filter taps");
            // An image of 2^32 elements cannot be pooled in a Java array.
            NdArray image = huge(1, 1 << 16, 1 << 16, 1);
            assertError(() -> Pooling.maxPool2d(image, PoolParams.of(1 << 16, 1 << 16, Padding.VALID)), "maxPool2d",
                    "one image");
            assertError(() -> Pooling.avgPool2dBackward(NdArray.zeros(DType.F32, 1, 1, 1, 1),
                    Shape.of(1, 1 << 16, 1 << 16, 1), PoolParams.of(1 << 16, 1 << 16, Padding.VALID)),
                    "avgPool2dBackward", "one image");
            assertError(() -> Convolution.conv2dBackwardInput(NdArray.zeros(DType.F32, 1, 1, 1, 1), huge(1 << 20, 1 << 20,
                    1, 1), Shape.of(1, 1 << 20, 1 << 20, 1), Conv2dParams.of(1, Padding.VALID)), "conv2dBackwardInput");
        });
    }

    @ParameterizedTest
    @EnumSource(Backend.Kind.class)
    void gemmProvesItsOperandsFitTheirSegments(Backend.Kind kind) {
        Gemm gemm = kind == Backend.Kind.OPENBLAS ? BlasGemm.INSTANCE : JavaGemm.INSTANCE;
        KernelChecks.under(kind, () -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment small = arena.allocate(4 * Float.BYTES, 64);
                MemorySegment c = arena.allocate(4 * Float.BYTES, 64);
                // A 2^20 x 2 matrix in a 4-element segment: OpenBLAS would read far past it.
                var e = assertThrows(IllegalStateException.class, () -> gemm.sgemm(false, false, 1 << 20, 2, 2, 1f,
                        small, 0, 2, small, 0, 2, 0f, c, 0, 2));
                assertTrue(e.getMessage().contains("sgemm") && e.getMessage().contains("matrix A"), e.getMessage());
                var f = assertThrows(IllegalStateException.class, () -> gemm.sgemm(false, false, 2, 2, 2, 1f,
                        small, 0, 2, small, 0, 2, 0f, c, 8, 2));
                assertTrue(f.getMessage().contains("matrix C"), f.getMessage());
                var g = assertThrows(IllegalStateException.class, () -> gemm.sgemm(false, true, 2, 2, 2, 1f,
                        small, 0, 1, small, 0, 2, 0f, c, 0, 2));
                assertTrue(g.getMessage().contains("leading dimension 1"), g.getMessage());
                gemm.sgemm(false, false, 2, 2, 2, 1f, small, 0, 2, small, 0, 2, 0f, c, 0, 2); // fits exactly
            }
        });
    }
}
