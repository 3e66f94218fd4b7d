package dev.cotangent.core;

import static dev.cotangent.core.Simd.F;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * The vector lanes of {@link FloatMath}'s exp, log, tanh and sigmoid: the same operations in the same order, so
 * a lane gets the scalar twin's bits exactly.
 *
 * <p>Each has two forms. The general one handles every input (clamps, subnormals, zero, infinities, NaN). The
 * in-range one skips what cannot matter when every lane of the vector lies in the ordinary range, and is taken
 * only then: one compare and a branch per vector. It gives the same bits there because what it skips is exact
 * or a no-op on such lanes (say so at each). The clamps are the costly part: {@code FloatVector.max/min} keep
 * Java's NaN and signed-zero rules, several instructions each.
 */
final class FloatVectorMath {
    /**
     * |y| below this keeps exp's 2^q a normal float (q in [-126, 126]), so 2^q is one factor and the clamp to
     * [EXP_LO, EXP_HI] changes nothing.
     */
    static final float EXP_IN_RANGE = 87f;
    /** The smallest int pattern of a positive normal float, and the span of such patterns up to MAX_VALUE. */
    private static final int MIN_NORMAL_BITS = 0x00800000;
    private static final int NORMAL_SPAN = 0x7F800000 - MIN_NORMAL_BITS;

    private FloatVectorMath() {}

    static FloatVector exp(FloatVector x) {
        return x.abs().compare(VectorOperators.LT, EXP_IN_RANGE).allTrue() ? expInRange(x) : expAnyRange(x);
    }

    /** exp for lanes with |y| < EXP_IN_RANGE: no clamp (y is inside it), and 2^q = 2^q1 * 2^q2 as one factor. */
    static FloatVector expInRange(FloatVector y) {
        FloatVector t = y.fma(FloatMath.LOG2E, FloatMath.ROUNDER);
        // 2^q's bits: (q + 127) << 23, with q = bits(t) - ROUNDER_BITS
        FloatVector scale = t.reinterpretAsInts().add(127 - FloatMath.ROUNDER_BITS)
                .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        // A normal 2^q makes the product's only rounding the one FloatMath's second factor does.
        return expMantissa(y, t).mul(scale);
    }

    /** exp for every lane: FloatMath.exp's clamp, and 2^q in two factors so that subnormal results round once. */
    static FloatVector expAnyRange(FloatVector x) {
        FloatVector y = x.max(FloatMath.EXP_LO).min(FloatMath.EXP_HI);
        FloatVector t = y.fma(FloatMath.LOG2E, FloatMath.ROUNDER);
        IntVector iq = t.reinterpretAsInts().sub(FloatMath.ROUNDER_BITS);
        IntVector q1 = iq.lanewise(VectorOperators.ASHR, 1);
        IntVector q2 = iq.sub(q1);
        return expMantissa(y, t).mul(powerOfTwo(q1)).mul(powerOfTwo(q2));
    }

    /** 1 + s + s^2 P(s) for s = y - q ln2, where t = y log2(e) + ROUNDER holds q. */
    private static FloatVector expMantissa(FloatVector y, FloatVector t) {
        FloatVector q = t.sub(FloatMath.ROUNDER);
        FloatVector s = q.fma(FloatVector.broadcast(F, -FloatMath.LN2_HI), y);
        s = q.fma(FloatVector.broadcast(F, -FloatMath.LN2_LO), s);
        FloatVector p = s.fma(FloatMath.E0, FloatMath.E1);
        p = p.fma(s, FloatVector.broadcast(F, FloatMath.E2));
        p = p.fma(s, FloatVector.broadcast(F, FloatMath.E3));
        p = p.fma(s, FloatVector.broadcast(F, FloatMath.E4));
        p = p.fma(s, FloatVector.broadcast(F, FloatMath.E5));
        return s.mul(s).fma(p, s).add(1f);
    }

    private static FloatVector powerOfTwo(IntVector q) {
        return q.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    }

    static FloatVector tanh(FloatVector x) {
        FloatVector ax = x.abs();
        FloatVector y = ax.mul(-2f);
        // y = -2|x| is exact, so |y| < EXP_IN_RANGE is |x| < EXP_IN_RANGE / 2
        FloatVector e = ax.compare(VectorOperators.LT, EXP_IN_RANGE / 2).allTrue() ? expInRange(y) : expAnyRange(y);
        FloatVector one = FloatVector.broadcast(F, 1f);
        FloatVector big = one.sub(e).div(one.add(e));
        FloatVector z = ax.mul(ax);
        FloatVector p = z.fma(FloatMath.T0, FloatMath.T1);
        p = p.fma(z, FloatVector.broadcast(F, FloatMath.T2));
        p = p.fma(z, FloatVector.broadcast(F, FloatMath.T3));
        p = p.fma(z, FloatVector.broadcast(F, FloatMath.T4));
        FloatVector small = p.mul(z).fma(ax, ax);
        return big.blend(small, ax.lt(FloatMath.TANH_SMALL)).reinterpretAsInts()
                .or(x.reinterpretAsInts().and(FloatMath.SIGN)).reinterpretAsFloats();
    }

    static FloatVector sigmoid(FloatVector x) {
        FloatVector ax = x.abs();
        FloatVector y = ax.neg();
        FloatVector e = ax.compare(VectorOperators.LT, EXP_IN_RANGE).allTrue() ? expInRange(y) : expAnyRange(y);
        FloatVector one = FloatVector.broadcast(F, 1f);
        return one.blend(e, x.lt(0f)).div(one.add(e));
    }

    static FloatVector log(FloatVector x) {
        IntVector bits = x.reinterpretAsInts();
        // every lane a positive normal finite float: bits - MIN_NORMAL_BITS below NORMAL_SPAN, unsigned
        boolean normal = bits.sub(MIN_NORMAL_BITS).compare(VectorOperators.ULT, NORMAL_SPAN).allTrue();
        return normal ? logInRange(bits) : logAnyRange(x);
    }

    /**
     * log of positive normal finite lanes: no subnormal scaling (none is), the exponent field without masking the
     * sign (it is 0), and none of the special-value blends (none applies).
     */
    private static FloatVector logInRange(IntVector bits) {
        FloatVector m = bits.and(0x007FFFFF).or(0x3F000000).reinterpretAsFloats();
        FloatVector ef = (FloatVector) bits.lanewise(VectorOperators.LSHR, 23).sub(126).convert(VectorOperators.I2F, 0);
        return logReduced(m, ef);
    }

    private static FloatVector logAnyRange(FloatVector x) {
        VectorMask<Float> subnormal = x.lt(FloatMath.MIN_NORMAL);
        IntVector bits = x.mul(FloatMath.TWO_23, subnormal).reinterpretAsInts();
        FloatVector m = bits.and(0x007FFFFF).or(0x3F000000).reinterpretAsFloats();
        FloatVector ef = ((FloatVector) bits.lanewise(VectorOperators.LSHR, 23).and(0xFF).sub(126)
                .convert(VectorOperators.I2F, 0)).sub(23f, subnormal);
        return logReduced(m, ef)
                .blend(Float.NaN, x.lt(0f).or(x.test(VectorOperators.IS_NAN)))
                .blend(Float.NEGATIVE_INFINITY, x.eq(0f))
                .blend(Float.POSITIVE_INFINITY, x.eq(Float.POSITIVE_INFINITY));
    }

    /** log(2^ef * m) for m in [0.5, 1): FloatMath.log from the choice of m or 2m on. */
    private static FloatVector logReduced(FloatVector m, FloatVector ef) {
        VectorMask<Float> low = m.lt(FloatMath.SQRT_HALF);
        FloatVector f = m.add(m, low).sub(1f);
        ef = ef.sub(1f, low);
        FloatVector z = f.mul(f);
        FloatVector p = f.fma(FloatMath.L0, FloatMath.L1);
        p = p.fma(f, FloatVector.broadcast(F, FloatMath.L2));
        p = p.fma(f, FloatVector.broadcast(F, FloatMath.L3));
        p = p.fma(f, FloatVector.broadcast(F, FloatMath.L4));
        p = p.fma(f, FloatVector.broadcast(F, FloatMath.L5));
        p = p.fma(f, FloatVector.broadcast(F, FloatMath.L6));
        p = p.fma(f, FloatVector.broadcast(F, FloatMath.L7));
        p = p.fma(f, FloatVector.broadcast(F, FloatMath.L8));
        FloatVector y = p.mul(f).mul(z);
        y = ef.fma(FloatVector.broadcast(F, FloatMath.LN2_LO), y);
        y = z.fma(FloatVector.broadcast(F, -0.5f), y);
        return ef.fma(FloatVector.broadcast(F, FloatMath.LN2_HI), f.add(y));
    }
}
