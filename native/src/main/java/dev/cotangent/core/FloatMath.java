package dev.cotangent.core;

/**
 * Float32 exp, log, tanh and sigmoid: range reduction and a minimax polynomial in float arithmetic with FMA.
 * These scalar methods are the operation-for-operation twins of the vector formulas in {@link UnaryLoops}, which
 * uses the same constants: an element gets the same bits in a vector lane, in a loop's tail and in a strided run,
 * and under every JIT tier (the Vector API's own EXP and LOG differ between the SVML stub and its fallback).
 *
 * <p>Accuracy against {@code (float) StrictMath} over the whole float range (checked by a test that samples it):
 * exp and log within 1 ulp; tanh and sigmoid within 2 ulp ({@link #TANH_ULPS}, {@link #SIGMOID_ULPS}), because
 * they combine an exp with a division. Polynomials as in Cephes (S. L. Moshier, cephes/single: expf, logf,
 * tanhf), whose coefficients are published for free use.
 */
final class FloatMath {
    /** Largest distance, in ulps, from the correctly rounded value that the tests allow. */
    static final int EXP_ULPS = 1;
    static final int LOG_ULPS = 1;
    static final int TANH_ULPS = 2;
    static final int SIGMOID_ULPS = 2;

    // exp: x = q*ln2 + s with |s| <= ln2/2, exp(x) = 2^q * (1 + s + s^2 * P(s)).
    /** exp's input clamp: below, the result is 0 (q = -150); above, it overflows to infinity (q <= 128). */
    static final float EXP_LO = -104f;
    static final float EXP_HI = 88.8f;
    static final float LOG2E = 1.44269504088896341f;
    /** 1.5 * 2^23: adding it rounds to an integer, kept in the low bits of the sum. */
    static final float ROUNDER = 12582912f;
    static final int ROUNDER_BITS = 0x4B400000;
    /** ln 2 in two parts; the first has 9 significant bits, so q * LN2_HI is exact. */
    static final float LN2_HI = 0.693359375f;
    static final float LN2_LO = -2.12194440e-4f;
    static final float E0 = 1.9875691500e-4f;
    static final float E1 = 1.3981999507e-3f;
    static final float E2 = 8.3334519073e-3f;
    static final float E3 = 4.1665795894e-2f;
    static final float E4 = 1.6666665459e-1f;
    static final float E5 = 5.0000001201e-1f;

    // log: x = 2^e * m, m in [sqrt(1/2), sqrt(2)), f = m - 1, log(x) = e*ln2 + f - f^2/2 + f^3 * P(f).
    static final float SQRT_HALF = 0.707106781186547524f;
    /** Below this, x is subnormal and is scaled by 2^23 first. */
    static final float MIN_NORMAL = 0x1p-126f;
    static final float TWO_23 = 0x1p23f;
    static final float L0 = 7.0376836292e-2f;
    static final float L1 = -1.1514610310e-1f;
    static final float L2 = 1.1676998740e-1f;
    static final float L3 = -1.2420140846e-1f;
    static final float L4 = 1.4249322787e-1f;
    static final float L5 = -1.6668057665e-1f;
    static final float L6 = 2.0000714765e-1f;
    static final float L7 = -2.4999993993e-1f;
    static final float L8 = 3.3333331174e-1f;

    // tanh: an odd polynomial below TANH_SMALL, else (1 - e) / (1 + e) with e = exp(-2|x|).
    static final float TANH_SMALL = 0.625f;
    static final float T0 = -5.70498872745e-3f;
    static final float T1 = 2.06390887954e-2f;
    static final float T2 = -5.37397155531e-2f;
    static final float T3 = 1.33314422036e-1f;
    static final float T4 = -3.33332819422e-1f;

    static final int SIGN = 0x80000000;

    private FloatMath() {}

    static float exp(float x) {
        float y = Math.min(Math.max(x, EXP_LO), EXP_HI);
        float t = Math.fma(y, LOG2E, ROUNDER);
        float q = t - ROUNDER;
        int iq = Float.floatToRawIntBits(t) - ROUNDER_BITS;
        float s = Math.fma(q, -LN2_HI, y);
        s = Math.fma(q, -LN2_LO, s);
        float p = Math.fma(s, E0, E1);
        p = Math.fma(p, s, E2);
        p = Math.fma(p, s, E3);
        p = Math.fma(p, s, E4);
        p = Math.fma(p, s, E5);
        float e = Math.fma(s * s, p, s) + 1f;
        // 2^q in two factors, each a normal float for q in [-150, 128]: the second product rounds once, also
        // into the subnormal range.
        int q1 = iq >> 1;
        int q2 = iq - q1;
        return e * Float.intBitsToFloat((q1 + 127) << 23) * Float.intBitsToFloat((q2 + 127) << 23);
    }

    static float log(float x) {
        boolean subnormal = x < MIN_NORMAL;
        float xs = subnormal ? x * TWO_23 : x;
        int bits = Float.floatToRawIntBits(xs);
        float m = Float.intBitsToFloat((bits & 0x007FFFFF) | 0x3F000000); // in [0.5, 1)
        int e = ((bits >> 23) & 0xFF) - 126 - (subnormal ? 23 : 0);
        float ef = e;
        boolean low = m < SQRT_HALF;
        float f = (low ? m + m : m) - 1f;
        ef = low ? ef - 1f : ef;
        float z = f * f;
        float p = Math.fma(f, L0, L1);
        p = Math.fma(p, f, L2);
        p = Math.fma(p, f, L3);
        p = Math.fma(p, f, L4);
        p = Math.fma(p, f, L5);
        p = Math.fma(p, f, L6);
        p = Math.fma(p, f, L7);
        p = Math.fma(p, f, L8);
        float y = p * f * z;
        y = Math.fma(ef, LN2_LO, y);
        y = Math.fma(z, -0.5f, y);
        float r = f + y;
        r = Math.fma(ef, LN2_HI, r);
        r = x < 0 || x != x ? Float.NaN : r;
        r = x == 0 ? Float.NEGATIVE_INFINITY : r;
        return x == Float.POSITIVE_INFINITY ? Float.POSITIVE_INFINITY : r;
    }

    static float tanh(float x) {
        float ax = Math.abs(x);
        float e = exp(-2f * ax);
        float big = (1f - e) / (1f + e);
        float z = ax * ax;
        float p = Math.fma(z, T0, T1);
        p = Math.fma(p, z, T2);
        p = Math.fma(p, z, T3);
        p = Math.fma(p, z, T4);
        float small = Math.fma(p * z, ax, ax);
        float r = ax < TANH_SMALL ? small : big;
        return Float.intBitsToFloat(Float.floatToRawIntBits(r) | (Float.floatToRawIntBits(x) & SIGN));
    }

    static float sigmoid(float x) {
        float e = exp(-Math.abs(x));
        return (x < 0 ? e : 1f) / (1f + e);
    }
}
