package dev.cotangent.core;

import static dev.cotangent.core.Fixtures.LENGTHS;
import static dev.cotangent.core.Fixtures.assertClose;
import static dev.cotangent.core.Fixtures.assertExact;
import static dev.cotangent.core.Fixtures.assertShape;
import static dev.cotangent.core.Fixtures.array;
import static dev.cotangent.core.Fixtures.round;
import static dev.cotangent.core.Fixtures.size;
import static dev.cotangent.core.Fixtures.view;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cotangent.core.Fixtures.Layout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BinaryOperator;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class ElementwiseTest {
    private static final double F32_RTOL = 1e-6, F64_RTOL = 1e-13;

    enum Domain {
        ANY, NONZERO, POSITIVE, TIES
    }

    record Binary(String name, BinaryOperator<NdArray> fn, DoubleBinaryOperator ref, Domain a, Domain b,
            boolean exact) {}

    record Unary(String name, UnaryOperator<NdArray> fn, DoubleUnaryOperator ref, Domain domain, boolean exact) {}

    static final List<Binary> BINARY = List.of(
            new Binary("add", Elementwise::add, (x, y) -> x + y, Domain.ANY, Domain.ANY, true),
            new Binary("sub", Elementwise::sub, (x, y) -> x - y, Domain.ANY, Domain.ANY, true),
            new Binary("mul", Elementwise::mul, (x, y) -> x * y, Domain.ANY, Domain.ANY, true),
            new Binary("div", Elementwise::div, (x, y) -> x / y, Domain.ANY, Domain.NONZERO, true),
            new Binary("pow", Elementwise::pow, Math::pow, Domain.POSITIVE, Domain.ANY, false),
            new Binary("maximum", Elementwise::maximum, Math::max, Domain.TIES, Domain.TIES, true),
            new Binary("minimum", Elementwise::minimum, Math::min, Domain.TIES, Domain.TIES, true),
            new Binary("equal", Elementwise::equal, (x, y) -> x == y ? 1 : 0, Domain.TIES, Domain.TIES, true),
            new Binary("notEqual", Elementwise::notEqual, (x, y) -> x != y ? 1 : 0, Domain.TIES, Domain.TIES, true),
            new Binary("less", Elementwise::less, (x, y) -> x < y ? 1 : 0, Domain.TIES, Domain.TIES, true),
            new Binary("lessEqual", Elementwise::lessEqual, (x, y) -> x <= y ? 1 : 0, Domain.TIES, Domain.TIES, true),
            new Binary("greater", Elementwise::greater, (x, y) -> x > y ? 1 : 0, Domain.TIES, Domain.TIES, true),
            new Binary("greaterEqual", Elementwise::greaterEqual, (x, y) -> x >= y ? 1 : 0, Domain.TIES,
                    Domain.TIES, true));

    static final List<Unary> UNARY = List.of(
            new Unary("neg", Elementwise::neg, x -> -x, Domain.ANY, true),
            new Unary("exp", Elementwise::exp, Math::exp, Domain.ANY, false),
            new Unary("log", Elementwise::log, Math::log, Domain.POSITIVE, false),
            new Unary("sin", Elementwise::sin, Math::sin, Domain.ANY, false),
            new Unary("cos", Elementwise::cos, Math::cos, Domain.ANY, false),
            new Unary("tanh", Elementwise::tanh, Math::tanh, Domain.ANY, false),
            new Unary("sigmoid", Elementwise::sigmoid, x -> 1 / (1 + Math.exp(-x)), Domain.ANY, false),
            new Unary("relu", Elementwise::relu, x -> Math.max(x, 0), Domain.TIES, true),
            new Unary("reluMask", Elementwise::reluMask, x -> x > 0 ? 1 : 0, Domain.TIES, true),
            new Unary("sqrt", Elementwise::sqrt, Math::sqrt, Domain.POSITIVE, true),
            new Unary("square", Elementwise::square, x -> x * x, Domain.ANY, true),
            new Unary("abs", Elementwise::abs, Math::abs, Domain.ANY, true),
            new Unary("sign", Elementwise::sign, Math::signum, Domain.TIES, true),
            new Unary("reciprocal", Elementwise::reciprocal, x -> 1 / x, Domain.NONZERO, true));

    /** Broadcasting patterns: same shape, scalar, row, column, middle axis, both sides, rank growth, empty. */
    static final List<int[][]> PAIRS = pairs();

    private static List<int[][]> pairs() {
        List<int[][]> p = new ArrayList<>();
        for (int n : LENGTHS) {
            p.add(new int[][] {{n}, {n}});
        }
        p.addAll(List.of(new int[][][] {
            {{}, {}}, {{}, {17}}, {{33}, {}}, {{1}, {3, 5}}, {{7}, {5, 7}}, {{1, 17}, {6, 17}}, {{5, 1}, {5, 33}},
            {{6, 17}, {6, 1}}, {{3, 1, 7}, {3, 4, 7}}, {{3, 1}, {1, 4}}, {{33, 1}, {1, 17}}, {{4, 1, 5}, {6, 1}},
            {{2, 3, 5}, {2, 3, 5}}, {{2, 1, 3, 1}, {1, 4, 1, 5}}, {{0, 3}, {3}}, {{2, 0}, {2, 1}},
            {{4, 0, 3}, {1, 3}}, {{1, 1}, {1}}, {{9, 1003}, {1003}}, {{9, 1}, {9, 35}}, {{300, 7}, {7}},
            {{3}, {401, 3}}, {{2, 150, 5}, {5}},
        }));
        return p;
    }

    private static final Layout[][] LAYOUT_PAIRS = {
        {Layout.CONTIGUOUS, Layout.CONTIGUOUS}, {Layout.TRANSPOSED, Layout.CONTIGUOUS},
        {Layout.CONTIGUOUS, Layout.STEPPED}, {Layout.OFFSET, Layout.TRANSPOSED}, {Layout.STEPPED, Layout.OFFSET},
    };

    static double[] values(Random random, Domain domain, int n) {
        return switch (domain) {
            case ANY -> Fixtures.gaussian(random, n, 2);
            case NONZERO -> Arrays.stream(Fixtures.gaussian(random, n, 2)).map(x -> x + Math.copySign(0.25, x)).toArray();
            case POSITIVE -> Fixtures.uniform(random, n, 0.05, 4);
            case TIES -> Fixtures.ties(random, n);
        };
    }

    @Test
    void binaryOpsMatchReferenceForEveryBroadcastLayoutAndDtype() {
        Random random = new Random(1);
        for (Binary op : BINARY) {
            for (int[][] pair : PAIRS) {
                for (Layout[] layouts : LAYOUT_PAIRS) {
                    for (DType dtype : DType.values()) {
                        double[] a = round(dtype, values(random, op.a(), size(pair[0])));
                        double[] b = round(dtype, values(random, op.b(), size(pair[1])));
                        NdArray va = view(dtype, a, pair[0], layouts[0]);
                        NdArray vb = view(dtype, b, pair[1], layouts[1]);
                        NdArray out = op.fn().apply(va, vb);
                        String what = op.name() + " " + dtype + Arrays.toString(pair[0]) + " " + layouts[0] + ", "
                                + Arrays.toString(pair[1]) + " " + layouts[1];
                        double[] expected = Fixtures.reference(dtype, a, pair[0], b, pair[1], op.ref());
                        assertShape(Fixtures.broadcast(pair[0], pair[1]), out);
                        assertEquals(dtype, out.dtype());
                        assertTrue(out.isContiguous(), what);
                        check(what, dtype, op.exact(), expected, out);
                    }
                }
            }
        }
    }

    private static void check(String what, DType dtype, boolean exact, double[] expected, NdArray out) {
        if (exact) {
            assertExact(what, expected, out);
        } else {
            assertClose(what, expected, out, dtype == DType.F32 ? F32_RTOL : F64_RTOL, dtype == DType.F32 ? 1e-6 : 1e-14);
        }
    }

    @Test
    void unaryOpsMatchReferenceForEveryLengthLayoutAndDtype() {
        Random random = new Random(2);
        List<int[]> shapes = new ArrayList<>();
        for (int n : LENGTHS) {
            shapes.add(new int[] {n});
        }
        shapes.addAll(List.of(new int[] {}, new int[] {3, 0}, new int[] {1, 1}, new int[] {5, 7}, new int[] {3, 4, 17}));
        for (Unary op : UNARY) {
            for (int[] dims : shapes) {
                for (Layout layout : Layout.values()) {
                    for (DType dtype : DType.values()) {
                        double[] x = round(dtype, values(random, op.domain(), size(dims)));
                        NdArray out = op.fn().apply(view(dtype, x, dims, layout));
                        String what = op.name() + " " + dtype + Arrays.toString(dims) + " " + layout;
                        assertShape(dims, out);
                        check(what, dtype, op.exact(), round(dtype, Arrays.stream(x).map(op.ref()).toArray()), out);
                    }
                }
            }
        }
    }

    @Test
    void unaryOpsHandleSpecialValuesInVectorBodyAndTail() {
        double[] specials = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e-30,
            -1e-30, 100, -100, 1000, -1000, 88.5, -88.5, 1, -1};
        // 37 elements: whole vectors for every lane count, then a scalar tail holding the same values.
        double[] x = new double[37];
        for (int i = 0; i < x.length; i++) {
            x[i] = specials[i % specials.length];
        }
        for (Unary op : UNARY) {
            for (DType dtype : DType.values()) {
                double[] in = round(dtype, x);
                NdArray out = op.fn().apply(array(dtype, in, in.length));
                double[] expected = round(dtype, Arrays.stream(in).map(op.ref()).toArray());
                check(op.name() + " " + dtype + " specials", dtype, op.exact(), expected, out);
            }
        }
    }

    @Test
    void maximumMinimumAndComparisonsFollowIeeeForNaN() {
        for (DType dtype : DType.values()) {
            NdArray a = array(dtype, new double[] {Double.NaN, 1, Double.NaN, 2}, 4);
            NdArray b = array(dtype, new double[] {1, Double.NaN, Double.NaN, 2}, 4);
            assertExact("maximum", new double[] {Double.NaN, Double.NaN, Double.NaN, 2}, Elementwise.maximum(a, b));
            assertExact("minimum", new double[] {Double.NaN, Double.NaN, Double.NaN, 2}, Elementwise.minimum(a, b));
            assertExact("equal", new double[] {0, 0, 0, 1}, Elementwise.equal(a, b));
            assertExact("notEqual", new double[] {1, 1, 1, 0}, Elementwise.notEqual(a, b));
            assertExact("less", new double[] {0, 0, 0, 0}, Elementwise.less(a, b));
            assertExact("greaterEqual", new double[] {0, 0, 0, 1}, Elementwise.greaterEqual(a, b));
        }
    }

    @Test
    void scalarOverloadsAndPowFastPaths() {
        Random random = new Random(3);
        for (DType dtype : DType.values()) {
            for (int n : LENGTHS) {
                double[] x = round(dtype, Fixtures.uniform(random, n, 0.1, 3));
                NdArray a = view(dtype, x, new int[] {n}, n % 2 == 0 ? Layout.STEPPED : Layout.CONTIGUOUS);
                float f = 0.7f;
                assertExact("add scalar", round(dtype, Arrays.stream(x).map(v -> v + f).toArray()), Elementwise.add(a, f));
                assertExact("mul scalar", round(dtype, Arrays.stream(x).map(v -> v * f).toArray()), Elementwise.mul(a, f));
                assertExact("pow 2", round(dtype, Arrays.stream(x).map(v -> v * v).toArray()), Elementwise.pow(a, 2));
                assertExact("pow 0.5", round(dtype, Arrays.stream(x).map(Math::sqrt).toArray()), Elementwise.pow(a, 0.5));
                NdArray one = Elementwise.pow(a, 1);
                assertExact("pow 1", x, one);
                assertFalse(one.sharesBufferWith(a));
                assertClose("pow 3", round(dtype, Arrays.stream(x).map(v -> Math.pow(v, 3)).toArray()),
                        Elementwise.pow(a, 3), dtype == DType.F32 ? F32_RTOL : F64_RTOL, 0);
                assertClose("pow -1.5", round(dtype, Arrays.stream(x).map(v -> Math.pow(v, -1.5)).toArray()),
                        Elementwise.pow(a, -1.5), dtype == DType.F32 ? F32_RTOL : F64_RTOL, 0);
            }
            NdArray s = Elementwise.add(NdArray.scalar(dtype, 2), 0.5);
            assertEquals(0, s.rank());
            assertEquals(2.5, s.item());
        }
    }

    @Test
    void selectBroadcastsAllThreeOperands() {
        Random random = new Random(4);
        int[][][] triples = {
            {{17}, {17}, {17}}, {{3, 1}, {1, 4}, {}}, {{5, 33}, {33}, {5, 1}}, {{}, {2, 3}, {2, 3}},
            {{1003}, {1003}, {1}}, {{0, 2}, {2}, {}}, {{}, {}, {}}, {{2, 1, 9}, {4, 1}, {9}}, {{150, 7}, {7}, {}},
        };
        for (int[][] t : triples) {
            for (DType dtype : DType.values()) {
                for (Layout layout : Layout.values()) {
                    double[] c = Fixtures.ties(random, size(t[0]));
                    if (c.length > 0) {
                        c[0] = Double.NaN; // NaN is "true", as in NumPy
                    }
                    double[] a = round(dtype, Fixtures.gaussian(random, size(t[1]), 1));
                    double[] b = round(dtype, Fixtures.gaussian(random, size(t[2]), 1));
                    NdArray out = Elementwise.select(view(dtype, c, t[0], layout), view(dtype, a, t[1], Layout.CONTIGUOUS),
                            view(dtype, b, t[2], layout));
                    int[] shape = Fixtures.broadcast(Fixtures.broadcast(t[0], t[1]), t[2]);
                    double[] expected = new double[size(shape)];
                    for (int k = 0; k < expected.length; k++) {
                        boolean take = c[Fixtures.sourceIndex(shape, t[0], k)] != 0;
                        expected[k] = take ? a[Fixtures.sourceIndex(shape, t[1], k)] : b[Fixtures.sourceIndex(shape, t[2], k)];
                    }
                    assertShape(shape, out);
                    assertExact("select " + Arrays.deepToString(t) + " " + layout, expected, out);
                }
            }
        }
    }

    @Test
    void addInPlaceBroadcastsSourceAndHandlesAliasing() {
        Random random = new Random(5);
        int[][][] pairs = {{{33}, {33}}, {{5, 17}, {17}}, {{5, 17}, {5, 1}}, {{5, 17}, {}}, {{}, {}}, {{0, 4}, {4}},
            {{3, 4, 5}, {4, 1}}, {{400, 3}, {3}}};
        for (int[][] p : pairs) {
            for (DType dtype : DType.values()) {
                for (Layout layout : Layout.values()) {
                    double[] d = round(dtype, Fixtures.gaussian(random, size(p[0]), 1));
                    double[] s = round(dtype, Fixtures.gaussian(random, size(p[1]), 1));
                    NdArray dst = view(dtype, d, p[0], layout == Layout.OFFSET ? Layout.OFFSET : Layout.CONTIGUOUS);
                    Elementwise.addInPlace(dst, view(dtype, s, p[1], layout));
                    assertExact("addInPlace " + Arrays.deepToString(p) + " " + layout,
                            Fixtures.reference(dtype, d, p[0], s, p[1], (x, y) -> x + y), dst);
                }
            }
        }
        // The source is the transpose of the destination itself: it must see the old values.
        for (DType dtype : DType.values()) {
            double[] d = round(dtype, Fixtures.gaussian(random, 9 * 9, 1));
            NdArray dst = array(dtype, d, 9, 9);
            Elementwise.addInPlace(dst, dst.transpose());
            double[] expected = new double[81];
            for (int i = 0; i < 9; i++) {
                for (int j = 0; j < 9; j++) {
                    expected[i * 9 + j] = d[i * 9 + j] + d[j * 9 + i];
                }
            }
            assertExact("addInPlace aliased", round(dtype, expected), dst);
            NdArray self = array(dtype, d, 81);
            Elementwise.addInPlace(self, self);
            assertExact("addInPlace self", round(dtype, Arrays.stream(d).map(v -> v + v).toArray()), self);
        }
    }

    @Test
    void axpyAndScaleInPlaceRoundLikeTheDtype() {
        Random random = new Random(6);
        for (int n : LENGTHS) {
            for (Layout layout : Layout.values()) {
                double alpha = -0.37;
                double[] d = Fixtures.gaussian(random, n, 1), s = Fixtures.gaussian(random, n, 1);
                float af = (float) alpha;
                NdArray f32 = array(DType.F32, d, n);
                Elementwise.axpyInPlace(f32, alpha, view(DType.F32, s, new int[] {n}, layout));
                double[] expected32 = new double[n];
                for (int i = 0; i < n; i++) {
                    expected32[i] = af * (float) s[i] + (float) d[i];
                }
                assertExact("axpy f32 " + layout, expected32, f32);
                NdArray f64 = array(DType.F64, d, n);
                Elementwise.axpyInPlace(f64, alpha, view(DType.F64, s, new int[] {n}, layout));
                double[] expected64 = new double[n];
                for (int i = 0; i < n; i++) {
                    expected64[i] = alpha * s[i] + d[i];
                }
                assertExact("axpy f64 " + layout, expected64, f64);
                for (DType dtype : DType.values()) {
                    NdArray x = array(dtype, d, n);
                    Elementwise.scaleInPlace(x, alpha);
                    double a = dtype == DType.F32 ? af : alpha;
                    assertExact("scale " + dtype, round(dtype, Arrays.stream(round(dtype, d)).map(v -> v * a).toArray()), x);
                }
            }
        }
    }

    @Test
    void errorsNameTheOpShapesAndDtypes() {
        NdArray a = NdArray.zeros(DType.F32, 2, 3);
        NdArray b = NdArray.zeros(DType.F32, 4);
        for (Binary op : BINARY) {
            var e = assertThrows(IllegalArgumentException.class, () -> op.fn().apply(a, b));
            assertMentions(e, op.name(), "[2, 3]", "[4]");
            var d = assertThrows(IllegalArgumentException.class, () -> op.fn().apply(a, NdArray.zeros(DType.F64, 3)));
            assertMentions(d, op.name(), "float32", "float64", "[2, 3]", "[3]");
        }
        var s = assertThrows(IllegalArgumentException.class, () -> Elementwise.select(a, b, a));
        assertMentions(s, "select", "[2, 3]", "[4]");
        var sd = assertThrows(IllegalArgumentException.class,
                () -> Elementwise.select(NdArray.zeros(DType.F64, 3), a, a));
        assertMentions(sd, "select", "float32", "float64");
        NdArray square = NdArray.zeros(DType.F32, 3, 3);
        assertMentions(assertThrows(IllegalArgumentException.class,
                () -> Elementwise.addInPlace(square.transpose(), square)), "addInPlace", "contiguous", "[3, 3]");
        assertMentions(assertThrows(IllegalArgumentException.class,
                () -> Elementwise.addInPlace(NdArray.zeros(DType.F32, 3), square)), "addInPlace", "[3]", "[3, 3]");
        assertMentions(assertThrows(IllegalArgumentException.class,
                () -> Elementwise.addInPlace(square, NdArray.zeros(DType.F64, 3))), "addInPlace", "float64");
        assertMentions(assertThrows(IllegalArgumentException.class,
                () -> Elementwise.axpyInPlace(square, 1, NdArray.zeros(DType.F32, 3))), "axpyInPlace", "[3, 3]", "[3]");
        assertMentions(assertThrows(IllegalArgumentException.class,
                () -> Elementwise.scaleInPlace(square.slice(1, 0, 3, 2), 2)), "scaleInPlace", "contiguous");
    }

    static void assertMentions(Exception e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), () -> "message '" + e.getMessage() + "' lacks '" + part + "'");
        }
    }

    @Test
    void releasedInputsThrowIllegalState() {
        for (DType dtype : DType.values()) {
            NdArray live = NdArray.ones(dtype, 5);
            NdArray dead = NdArray.ones(dtype, 5);
            dead.close();
            for (Binary op : BINARY) {
                assertThrows(IllegalStateException.class, () -> op.fn().apply(live, dead), op.name());
                assertThrows(IllegalStateException.class, () -> op.fn().apply(dead, live), op.name());
            }
            for (Unary op : UNARY) {
                assertThrows(IllegalStateException.class, () -> op.fn().apply(dead), op.name());
            }
            assertThrows(IllegalStateException.class, () -> Elementwise.add(dead, 1));
            assertThrows(IllegalStateException.class, () -> Elementwise.pow(dead, 1));
            assertThrows(IllegalStateException.class, () -> Elementwise.select(live, dead, live));
            assertThrows(IllegalStateException.class, () -> Elementwise.addInPlace(live, dead));
            assertThrows(IllegalStateException.class, () -> Elementwise.addInPlace(dead, live));
            assertThrows(IllegalStateException.class, () -> Elementwise.axpyInPlace(live, 1, dead));
            assertThrows(IllegalStateException.class, () -> Elementwise.scaleInPlace(dead, 1));
        }
    }

    @Test
    void broadcastOperandsAreNeverMaterialized() {
        NdArray x = NdArray.ones(DType.F32, 64, 33);
        NdArray[] others = {NdArray.ones(DType.F32, 33), NdArray.ones(DType.F32, 64, 1), NdArray.scalar(DType.F32, 2),
            NdArray.ones(DType.F32, 33).broadcastTo(Shape.of(64, 33)), NdArray.ones(DType.F32, 33, 64).transpose()};
        for (NdArray other : others) {
            try (Scope scope = Scope.open()) {
                Elementwise.mul(x, other);
                Elementwise.mul(other, x);
                assertEquals(2, scope.liveCount(), "only the results are allocated, for " + other.shape());
            }
        }
        NdArray zero = NdArray.scalar(DType.F32, 0);
        try (Scope scope = Scope.open()) {
            Elementwise.add(x, 1);
            Elementwise.select(x, x, zero);
            assertEquals(2, scope.liveCount(), "the scalar operand of add(x, 1) is released at once");
        }
    }

    @Test
    void resultsBelongToTheCurrentScope() {
        NdArray x = NdArray.ones(DType.F32, 3);
        NdArray y;
        NdArray kept;
        try (Scope scope = Scope.open()) {
            y = Elementwise.exp(Elementwise.add(x, x));
            kept = scope.keep(Elementwise.mul(x, 3));
            assertEquals(2, scope.liveCount()); // add and exp; mul moved to the enclosing owner
        }
        assertTrue(y.isReleased());
        assertFalse(x.isReleased());
        assertFalse(kept.isReleased());
        assertNotSame(x, kept);
    }
}
