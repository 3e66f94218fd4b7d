package dev.cotangent.autodiff;

import static dev.cotangent.autodiff.Domain.CONDITION;
import static dev.cotangent.autodiff.Domain.DISTINCT;
import static dev.cotangent.autodiff.Domain.NONZERO;
import static dev.cotangent.autodiff.Domain.POSITIVE;
import static dev.cotangent.autodiff.Domain.REAL;
import static dev.cotangent.autodiff.Tensor.input;

import dev.cotangent.core.Elementwise;
import dev.cotangent.core.NdArray;
import java.util.List;

/**
 * Elementwise primitives: each is its kernel and its pullback side by side, the formula in a trailing comment.
 * Pullbacks are written in these same differentiable ops, so second derivatives work. Binary ops broadcast;
 * their pullbacks sum the cotangent back to each input's shape.
 */
public final class ElementwiseOps {
    private ElementwiseOps() {}

    static void register(OpRegistry r) {
        r.add("add", Signature.BINARY, List.of(REAL, REAL), (in, p) -> add(in.get(0), in.get(1)));
        r.add("sub", Signature.BINARY, List.of(REAL, REAL), (in, p) -> sub(in.get(0), in.get(1)));
        r.add("mul", Signature.BINARY, List.of(REAL, REAL), (in, p) -> mul(in.get(0), in.get(1)));
        r.add("div", Signature.BINARY, List.of(REAL, NONZERO), (in, p) -> div(in.get(0), in.get(1)));
        r.add("pow", Signature.BINARY, List.of(POSITIVE, REAL), (in, p) -> pow(in.get(0), in.get(1)));
        r.add("maximum", Signature.BINARY, List.of(DISTINCT, DISTINCT), (in, p) -> maximum(in.get(0), in.get(1)));
        r.add("minimum", Signature.BINARY, List.of(DISTINCT, DISTINCT), (in, p) -> minimum(in.get(0), in.get(1)));
        r.add("select", Signature.SELECT, List.of(CONDITION, REAL, REAL),
                (in, p) -> select(in.get(0), in.get(1), in.get(2)));
        r.add("addScalar", Signature.UNARY_SCALAR, List.of(REAL),
                (in, p) -> addScalar(in.get(0), ((OpParams.Scalar) p).value()));
        r.add("scale", Signature.UNARY_SCALAR, List.of(REAL),
                (in, p) -> scale(in.get(0), ((OpParams.Scalar) p).value()));
        r.add("powScalar", Signature.UNARY_SCALAR, List.of(POSITIVE),
                (in, p) -> pow(in.get(0), ((OpParams.Scalar) p).value()));
        r.add("neg", Signature.UNARY, List.of(REAL), (in, p) -> neg(in.get(0)));
        r.add("exp", Signature.UNARY, List.of(REAL), (in, p) -> exp(in.get(0)));
        r.add("log", Signature.UNARY, List.of(POSITIVE), (in, p) -> log(in.get(0)));
        r.add("sin", Signature.UNARY, List.of(REAL), (in, p) -> sin(in.get(0)));
        r.add("cos", Signature.UNARY, List.of(REAL), (in, p) -> cos(in.get(0)));
        r.add("tanh", Signature.UNARY, List.of(REAL), (in, p) -> tanh(in.get(0)));
        r.add("sigmoid", Signature.UNARY, List.of(REAL), (in, p) -> sigmoid(in.get(0)));
        r.add("relu", Signature.UNARY, List.of(NONZERO), (in, p) -> relu(in.get(0)));
        r.add("sqrt", Signature.UNARY, List.of(POSITIVE), (in, p) -> sqrt(in.get(0)));
        r.add("square", Signature.UNARY, List.of(REAL), (in, p) -> square(in.get(0)));
        r.add("abs", Signature.UNARY, List.of(NONZERO), (in, p) -> abs(in.get(0)));
    }

    /** Sums a broadcast cotangent back to {@code like}'s shape (identity when shapes agree). */
    static Tensor unbroadcast(Tensor g, Tensor like) {
        return g.shape().equals(like.shape()) ? g : ReductionOps.sumTo(g, like.shape());
    }

    private static Tensor constant(NdArray a) {
        return Tensor.of(a);
    }

    // ---------------------------------------------------------------- binary

    public static Tensor add(Tensor x, Tensor y) {
        NdArray out = Elementwise.add(input(x, "add", "x"), input(y, "add", "y"));
        return Tensor.record("add", out, x, y, (g, z, need) -> new Tensor[] {
            need[0] ? unbroadcast(g, x) : null, // dx = g
            need[1] ? unbroadcast(g, y) : null}); // dy = g
    }

    public static Tensor sub(Tensor x, Tensor y) {
        NdArray out = Elementwise.sub(input(x, "sub", "x"), input(y, "sub", "y"));
        return Tensor.record("sub", out, x, y, (g, z, need) -> new Tensor[] {
            need[0] ? unbroadcast(g, x) : null, // dx = g
            need[1] ? unbroadcast(neg(g), y) : null}); // dy = -g
    }

    public static Tensor mul(Tensor x, Tensor y) {
        NdArray out = Elementwise.mul(input(x, "mul", "x"), input(y, "mul", "y"));
        return Tensor.record("mul", out, x, y, (g, z, need) -> new Tensor[] {
            need[0] ? unbroadcast(mul(g, y), x) : null, // dx = g * y
            need[1] ? unbroadcast(mul(g, x), y) : null}); // dy = g * x
    }

    public static Tensor div(Tensor x, Tensor y) {
        NdArray out = Elementwise.div(input(x, "div", "x"), input(y, "div", "y"));
        return Tensor.record("div", out, x, y, (g, z, need) -> new Tensor[] {
            need[0] ? unbroadcast(div(g, y), x) : null, // dx = g / y
            need[1] ? unbroadcast(neg(div(mul(g, z), y)), y) : null}); // dy = -g * z / y
    }

    /** x to the power y, for x > 0 where y is not an integer. */
    public static Tensor pow(Tensor x, Tensor y) {
        NdArray out = Elementwise.pow(input(x, "pow", "x"), input(y, "pow", "y"));
        return Tensor.record("pow", out, x, y, (g, z, need) -> new Tensor[] {
            need[0] ? unbroadcast(mul(g, mul(y, pow(x, addScalar(y, -1)))), x) : null, // dx = g * y * x^(y-1)
            need[1] ? unbroadcast(mul(g, mul(z, log(x))), y) : null}); // dy = g * z * log(x)
    }

    /** Elementwise larger of two; at ties the derivative goes to x. */
    public static Tensor maximum(Tensor x, Tensor y) {
        NdArray out = Elementwise.maximum(input(x, "maximum", "x"), input(y, "maximum", "y"));
        Tensor xWins = constant(Elementwise.greaterEqual(x.value(), y.value()));
        return Tensor.record("maximum", out, x, y, (g, z, need) -> new Tensor[] {
            need[0] ? unbroadcast(mul(g, xWins), x) : null, // dx = g * [x >= y]
            need[1] ? unbroadcast(sub(g, mul(g, xWins)), y) : null}); // dy = g * [x < y]
    }

    /** Elementwise smaller of two; at ties the derivative goes to x. */
    public static Tensor minimum(Tensor x, Tensor y) {
        NdArray out = Elementwise.minimum(input(x, "minimum", "x"), input(y, "minimum", "y"));
        Tensor xWins = constant(Elementwise.lessEqual(x.value(), y.value()));
        return Tensor.record("minimum", out, x, y, (g, z, need) -> new Tensor[] {
            need[0] ? unbroadcast(mul(g, xWins), x) : null, // dx = g * [x <= y]
            need[1] ? unbroadcast(sub(g, mul(g, xWins)), y) : null}); // dy = g * [x > y]
    }

    /** Where {@code condition} is nonzero take a, else b (all three broadcast); the condition is not differentiated. */
    public static Tensor select(Tensor condition, Tensor a, Tensor b) {
        NdArray out = Elementwise.select(input(condition, "select", "condition"), input(a, "select", "a"),
                input(b, "select", "b"));
        Tensor cond = constant(condition.value());
        return Tensor.record("select", out, new Tensor[] {Diff.withoutDerivative(condition), a, b},
                (g, z, need) -> {
                    Tensor zero = Tensor.zerosLike(g);
                    return new Tensor[] {null,
                        need[1] ? unbroadcast(select(cond, g, zero), a) : null, // da = g where cond
                        need[2] ? unbroadcast(select(cond, zero, g), b) : null}; // db = g elsewhere
                });
    }

    // ---------------------------------------------------------------- with a constant

    public static Tensor addScalar(Tensor x, double c) {
        NdArray out = Elementwise.add(input(x, "addScalar", "x"), c);
        return Tensor.record("addScalar", out, x, (g, z, need) -> new Tensor[] {g}); // dx = g
    }

    public static Tensor scale(Tensor x, double c) {
        NdArray out = Elementwise.mul(input(x, "scale", "x"), c);
        return Tensor.record("scale", out, x, (g, z, need) -> new Tensor[] {scale(g, c)}); // dx = g * c
    }

    /** x to a constant power p (x > 0 unless p is an integer). */
    public static Tensor pow(Tensor x, double p) {
        NdArray out = Elementwise.pow(input(x, "powScalar", "x"), p);
        return Tensor.record("powScalar", out, x,
                (g, z, need) -> new Tensor[] {mul(g, scale(pow(x, p - 1), p))}); // dx = g * p * x^(p-1)
    }

    // ---------------------------------------------------------------- unary

    public static Tensor neg(Tensor x) {
        return Tensor.record("neg", Elementwise.neg(input(x, "neg", "x")), x,
                (g, z, need) -> new Tensor[] {neg(g)}); // dx = -g
    }

    public static Tensor exp(Tensor x) {
        return Tensor.record("exp", Elementwise.exp(input(x, "exp", "x")), x,
                (g, z, need) -> new Tensor[] {mul(g, z)}); // dx = g * exp(x)
    }

    public static Tensor log(Tensor x) {
        return Tensor.record("log", Elementwise.log(input(x, "log", "x")), x,
                (g, z, need) -> new Tensor[] {div(g, x)}); // dx = g / x
    }

    public static Tensor sin(Tensor x) {
        return Tensor.record("sin", Elementwise.sin(input(x, "sin", "x")), x,
                (g, z, need) -> new Tensor[] {mul(g, cos(x))}); // dx = g * cos(x)
    }

    public static Tensor cos(Tensor x) {
        return Tensor.record("cos", Elementwise.cos(input(x, "cos", "x")), x,
                (g, z, need) -> new Tensor[] {neg(mul(g, sin(x)))}); // dx = -g * sin(x)
    }

    public static Tensor tanh(Tensor x) {
        return Tensor.record("tanh", Elementwise.tanh(input(x, "tanh", "x")), x,
                (g, z, need) -> new Tensor[] {mul(g, addScalar(neg(square(z)), 1))}); // dx = g * (1 - z^2)
    }

    public static Tensor sigmoid(Tensor x) {
        return Tensor.record("sigmoid", Elementwise.sigmoid(input(x, "sigmoid", "x")), x,
                (g, z, need) -> new Tensor[] {mul(g, mul(z, addScalar(neg(z), 1)))}); // dx = g * z * (1 - z)
    }

    public static Tensor relu(Tensor x) {
        return Tensor.record("relu", Elementwise.relu(input(x, "relu", "x")), x,
                (g, z, need) -> new Tensor[] {mul(g, constant(Elementwise.reluMask(x.value())))}); // dx = g * [x > 0]
    }

    public static Tensor sqrt(Tensor x) {
        return Tensor.record("sqrt", Elementwise.sqrt(input(x, "sqrt", "x")), x,
                (g, z, need) -> new Tensor[] {div(g, scale(z, 2))}); // dx = g / (2 sqrt(x))
    }

    public static Tensor square(Tensor x) {
        return Tensor.record("square", Elementwise.square(input(x, "square", "x")), x,
                (g, z, need) -> new Tensor[] {mul(g, scale(x, 2))}); // dx = 2 g x
    }

    public static Tensor abs(Tensor x) {
        return Tensor.record("abs", Elementwise.abs(input(x, "abs", "x")), x,
                (g, z, need) -> new Tensor[] {mul(g, constant(Elementwise.sign(x.value())))}); // dx = g * sign(x)
    }

    // ---------------------------------------------------------------- not differentiable (constants)

    /** 1 where x > y else 0 (a constant). */
    public static Tensor greater(Tensor x, Tensor y) {
        return constant(Elementwise.greater(input(x, "greater", "x"), input(y, "greater", "y")));
    }

    /** 1 where x < y else 0 (a constant). */
    public static Tensor less(Tensor x, Tensor y) {
        return constant(Elementwise.less(input(x, "less", "x"), input(y, "less", "y")));
    }

    /** 1 where x == y else 0 (a constant). */
    public static Tensor equal(Tensor x, Tensor y) {
        return constant(Elementwise.equal(input(x, "equal", "x"), input(y, "equal", "y")));
    }

    /** The sign of each element (a constant). */
    public static Tensor sign(Tensor x) {
        return constant(Elementwise.sign(input(x, "sign", "x")));
    }
}
