package dev.cotangent.core;

import static dev.cotangent.core.ElementwiseTest.assertMentions;
import static dev.cotangent.core.Fixtures.assertClose;
import static dev.cotangent.core.Fixtures.assertExact;
import static dev.cotangent.core.Fixtures.assertShape;
import static dev.cotangent.core.Fixtures.round;
import static dev.cotangent.core.Fixtures.size;
import static dev.cotangent.core.Fixtures.view;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cotangent.core.Fixtures.Layout;
import java.util.Arrays;
import java.util.Random;
import java.util.function.DoubleBinaryOperator;
import org.junit.jupiter.api.Test;

class ReductionsTest {
    private static final int[] DIMS = {0, 1, 2, 3, 5, 17, 33};

    /** A random shape of rank 0 to 4 with at most {@code limit} elements. */
    static int[] randomShape(Random random, int limit) {
        while (true) {
            int[] dims = new int[random.nextInt(5)];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = DIMS[random.nextInt(DIMS.length)];
                if (random.nextInt(4) == 0) {
                    dims[i] = 1 + random.nextInt(40);
                }
            }
            if (size(dims) <= limit) {
                return dims;
            }
        }
    }

    /** The reference reduction: every element folded into the output cell its kept coordinates name. */
    static double[] reference(double[] x, int[] dims, boolean[] reduced, double identity, DoubleBinaryOperator op) {
        int[] kept = keptDims(dims, reduced);
        double[] out = new double[size(kept)];
        Arrays.fill(out, identity);
        for (int k = 0; k < x.length; k++) {
            int rest = k, index = 0, stride = 1;
            for (int i = dims.length - 1; i >= 0; i--) {
                int c = rest % dims[i];
                rest /= dims[i];
                if (!reduced[i]) {
                    index += c * stride;
                    stride *= dims[i];
                }
            }
            out[index] = op.applyAsDouble(out[index], x[k]);
        }
        return out;
    }

    static int[] keptDims(int[] dims, boolean[] reduced) {
        return java.util.stream.IntStream.range(0, dims.length).filter(i -> !reduced[i]).map(i -> dims[i]).toArray();
    }

    static int[] outDims(int[] dims, boolean[] reduced, boolean keepDims) {
        if (!keepDims) {
            return keptDims(dims, reduced);
        }
        int[] out = dims.clone();
        for (int i = 0; i < dims.length; i++) {
            if (reduced[i]) {
                out[i] = 1;
            }
        }
        return out;
    }

    @Test
    void sumMeanMaxMinMatchReferenceOverRandomShapesAxesAndLayouts() {
        Random random = new Random(11);
        for (int trial = 0; trial < 200; trial++) {
            int[] dims = randomShape(random, 5_000);
            DType dtype = DType.values()[trial % 2];
            Layout layout = Layout.values()[random.nextInt(Layout.values().length)];
            boolean keepDims = random.nextBoolean();
            boolean[] reduced = new boolean[dims.length];
            int[] given = java.util.stream.IntStream.range(0, dims.length).filter(i -> random.nextBoolean()).toArray();
            if (given.length == 0 || random.nextInt(5) == 0) {
                given = new int[0]; // every axis
                Arrays.fill(reduced, true);
            } else {
                for (int j = 0; j < given.length; j++) {
                    reduced[given[j]] = true;
                    if (random.nextBoolean()) {
                        given[j] -= dims.length; // negative axes count from the end
                    }
                }
            }
            int[] axes = given;
            double[] x = round(dtype, Fixtures.gaussian(random, size(dims), 1));
            NdArray a = view(dtype, x, dims, layout);
            String what = dtype + Arrays.toString(dims) + " " + layout + " axes " + Arrays.toString(axes) + " keep "
                    + keepDims;
            int[] expectedShape = outDims(dims, reduced, keepDims);
            double[] sums = reference(x, dims, reduced, 0, Double::sum);
            double[] abs = reference(Arrays.stream(x).map(Math::abs).toArray(), dims, reduced, 0, Double::sum);
            long count = size(dims) / Math.max(1, sums.length);
            if (sums.length == 0 || size(dims) == 0) {
                count = 1;
                for (int i = 0; i < dims.length; i++) {
                    count *= reduced[i] ? dims[i] : 1;
                }
            }
            double rtol = dtype == DType.F32 ? 2e-6 : 1e-13;

            NdArray sum = Reductions.sum(a, keepDims, axes);
            assertShape(expectedShape, sum);
            checkSum(what + " sum", dtype, round(dtype, sums), abs, 1, rtol, sum);

            NdArray mean = Reductions.mean(a, keepDims, axes);
            assertShape(expectedShape, mean);
            long n = count;
            checkSum(what + " mean", dtype, round(dtype, Arrays.stream(sums).map(s -> s / n).toArray()), abs, n, rtol,
                    mean);

            if (count == 0 && sums.length > 0) {
                var e = assertThrows(IllegalArgumentException.class, () -> Reductions.max(a, keepDims, axes), what);
                assertMentions(e, "max", Arrays.toString(dims).replace(",", ","));
                assertThrows(IllegalArgumentException.class, () -> Reductions.min(a, keepDims, axes), what);
            } else if (count > 0) {
                NdArray max = Reductions.max(a, keepDims, axes);
                assertShape(expectedShape, max);
                assertExact(what + " max", reference(x, dims, reduced, Double.NEGATIVE_INFINITY, Math::max), max);
                assertExact(what + " min", reference(x, dims, reduced, Double.POSITIVE_INFINITY, Math::min),
                        Reductions.min(a, keepDims, axes));
            }
        }
    }

    // Sums are checked against the summation bound: |error| <= rtol * sum|x| / n.
    private static void checkSum(String what, DType dtype, double[] expected, double[] abs, long n, double rtol,
            NdArray actual) {
        double[] got = actual.toDoubleArray();
        assertEquals(expected.length, got.length, what);
        for (int i = 0; i < got.length; i++) {
            if (n == 0) {
                assertTrue(Double.isNaN(got[i]), what + ": mean of nothing is NaN");
                continue;
            }
            double bound = rtol * abs[i] / n + (dtype == DType.F32 ? Math.ulp((float) expected[i]) : 0);
            assertTrue(Math.abs(got[i] - expected[i]) <= bound,
                    what + ": element " + i + " expected " + expected[i] + " but was " + got[i]);
        }
    }

    @Test
    void ranksAndEmptyAxesFollowNumPy() {
        for (DType dtype : DType.values()) {
            NdArray x = Fixtures.array(dtype, new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
            NdArray all = Reductions.sum(x);
            assertEquals(0, all.rank());
            assertEquals(21, all.item());
            assertShape(new int[] {1, 1}, Reductions.sum(x, true));
            assertExact("sum rows", new double[] {6, 15}, Reductions.sum(x, false, -1));
            assertEquals(3.5, Reductions.mean(x).item());
            assertEquals(6, Reductions.max(x, false).item());
            assertEquals(1, Reductions.min(x, false, 0, 1).item());
            NdArray scalar = NdArray.scalar(dtype, 2.5);
            assertEquals(2.5, Reductions.sum(scalar).item());
            assertEquals(0, Reductions.max(scalar, true).rank());
            // Only size-1 axes reduced: the values pass through.
            assertExact("size-1 axis", new double[] {1, 2, 3, 4, 5, 6}, Reductions.sum(x.reshape(2, 1, 3), false, 1));
            NdArray empty = NdArray.zeros(dtype, 0, 3);
            assertExact("sum of empty axis", new double[] {0, 0, 0}, Reductions.sum(empty, false, 0));
            assertExact("mean of empty axis", new double[] {Double.NaN, Double.NaN, Double.NaN}, Reductions.mean(empty, false, 0));
            assertShape(new int[] {0}, Reductions.max(empty, false, 1));
            assertMentions(assertThrows(IllegalArgumentException.class, () -> Reductions.max(empty, false, 0)),
                    "max", "[0, 3]", "empty");
            assertMentions(assertThrows(IllegalArgumentException.class, () -> Reductions.min(empty, false)), "min");
            assertExact("NaN max", new double[] {Double.NaN}, Reductions.max(
                    Fixtures.array(dtype, new double[] {1, Double.NaN, 3}, 3), true));
        }
    }

    @Test
    void float32SumsOfAMillionValuesStayAccurate() {
        int n = 1 << 20;
        NdArray x = RandomArrays.uniform(DType.F32, Shape.of(n), 0, 1, 3);
        double[] v = x.toDoubleArray();
        double exact = 0;
        for (double d : v) {
            exact += d;
        }
        assertEquals(exact, Reductions.sum(x).item(), 1e-6 * exact);
        // A quarter of the values as 16 columns of 16,384 rows, summed down the rows.
        NdArray columns = Reductions.sum(x.slice(0, 0, n / 4).reshape(n / 64, 16), false, 0);
        for (int j = 0; j < 16; j++) {
            double c = 0;
            for (int i = j; i < n / 4; i += 16) {
                c += v[i];
            }
            assertEquals(c, columns.getDouble(j), 1e-6 * c, "column " + j);
        }
    }

    @Test
    void argmaxTakesTheFirstOfTiesAndTheFirstNaN() {
        Random random = new Random(12);
        // Small shapes: until the JIT compiles them, masked vector loops run slowly in the interpreter.
        for (int trial = 0; trial < 150; trial++) {
            int[] dims = randomShape(random, 1_200);
            if (dims.length == 0) {
                continue;
            }
            int axis = random.nextInt(dims.length);
            if (dims[axis] == 0) {
                int ax = axis;
                assertMentions(assertThrows(IllegalArgumentException.class,
                        () -> Reductions.argmax(NdArray.zeros(DType.F32, dims), ax, false)), "argmax", "empty");
                continue;
            }
            DType dtype = DType.values()[trial % 2];
            double[] x = Fixtures.ties(random, size(dims));
            if (trial % 5 == 0 && x.length > 0) {
                x[random.nextInt(x.length)] = Double.NaN;
                x[random.nextInt(x.length)] = Double.NaN;
            }
            boolean keepDims = random.nextBoolean();
            Layout layout = Layout.values()[random.nextInt(Layout.values().length)];
            int given = random.nextBoolean() ? axis : axis - dims.length;
            NdArray out = Reductions.argmax(view(dtype, x, dims, layout), given, keepDims);
            boolean[] reduced = new boolean[dims.length];
            reduced[axis] = true;
            assertShape(outDims(dims, reduced, keepDims), out);
            assertExact("argmax " + dtype + Arrays.toString(dims) + " axis " + given + " " + layout,
                    referenceArgmax(x, dims, axis), out);
        }
    }

    private static double[] referenceArgmax(double[] x, int[] dims, int axis) {
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) {
            outer *= dims[i];
        }
        for (int i = axis + 1; i < dims.length; i++) {
            inner *= dims[i];
        }
        double[] out = new double[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                int best = 0;
                for (int k = 1; k < dims[axis]; k++) {
                    double v = x[(o * dims[axis] + k) * inner + j], b = x[(o * dims[axis] + best) * inner + j];
                    if (!Double.isNaN(b) && (v > b || Double.isNaN(v))) {
                        best = k;
                    }
                }
                out[o * inner + j] = best;
            }
        }
        return out;
    }

    @Test
    void sumToInvertsBroadcasting() {
        Random random = new Random(13);
        int[] g = {2, 3, 4};
        int[][] targets = {{3, 4}, {1, 4}, {3, 1}, {}, {1}, {4}, {2, 1, 4}, {1, 1, 1}, {2, 3, 1}, {1, 3, 4}};
        for (DType dtype : DType.values()) {
            double[] x = round(dtype, Fixtures.gaussian(random, 24, 1));
            for (Layout layout : Layout.values()) {
                NdArray grad = view(dtype, x, g, layout);
                for (int[] t : targets) {
                    NdArray r = Reductions.sumTo(grad, Shape.of(t));
                    assertShape(t, r);
                    double[] expected = new double[size(t)];
                    for (int k = 0; k < 24; k++) {
                        expected[Fixtures.sourceIndex(g, t, k)] += x[k];
                    }
                    assertClose("sumTo " + Arrays.toString(t), round(dtype, expected), r, dtype == DType.F32 ? 1e-6 : 1e-14,
                            1e-6);
                }
                assertSame(grad, Reductions.sumTo(grad, Shape.of(g)));
            }
            NdArray lead = NdArray.ones(dtype, 1, 1, 5);
            assertShape(new int[] {5}, Reductions.sumTo(lead, Shape.of(5)));
            NdArray grad = NdArray.ones(dtype, 2, 3, 4);
            for (int[] bad : new int[][] {{5}, {4, 3}, {3, 2, 3, 4}, {2, 3, 5}}) {
                assertMentions(assertThrows(IllegalArgumentException.class, () -> Reductions.sumTo(grad, Shape.of(bad))),
                        "sumTo", Arrays.toString(bad), "[2, 3, 4]");
            }
        }
    }

    @Test
    void badAxesReleasedInputsAndScopes() {
        NdArray x = NdArray.ones(DType.F32, 2, 3);
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Reductions.sum(x, false, 2)), "sum", "[2, 3]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Reductions.mean(x, false, -3)), "mean", "[2, 3]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Reductions.max(x, false, 1, -1)), "max", "twice");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Reductions.argmax(x, 2, false)), "argmax", "[2, 3]");
        assertMentions(assertThrows(IllegalArgumentException.class,
                () -> Reductions.sum(NdArray.scalar(DType.F64, 1), false, 0)), "sum", "[]");
        NdArray dead = NdArray.ones(DType.F64, 4);
        dead.close();
        assertThrows(IllegalStateException.class, () -> Reductions.sum(dead));
        assertThrows(IllegalStateException.class, () -> Reductions.mean(dead, true));
        assertThrows(IllegalStateException.class, () -> Reductions.max(dead, false, 0));
        assertThrows(IllegalStateException.class, () -> Reductions.min(dead, false));
        assertThrows(IllegalStateException.class, () -> Reductions.argmax(dead, 0, false));
        assertThrows(IllegalStateException.class, () -> Reductions.sumTo(dead, Shape.scalar()));
        NdArray r;
        try (Scope scope = Scope.open()) {
            r = Reductions.sum(x.transpose(), false, 0);
            assertEquals(1, scope.liveCount(), "the transposed input's copy is released at once");
        }
        assertTrue(r.isReleased());
    }
}
