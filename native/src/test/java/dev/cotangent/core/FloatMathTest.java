package dev.cotangent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The float32 exp, log, tanh and sigmoid over the whole float range (every 1021st bit pattern of either sign,
 * plus the special values and the thresholds) against StrictMath rounded to float, through the vector loop; and
 * the scalar twins that finish tails and strided runs give the vector lanes' bits exactly.
 */
class FloatMathTest {
    enum Op {
        EXP(UnaryOp.EXP, FloatMath.EXP_ULPS, StrictMath::exp),
        LOG(UnaryOp.LOG, FloatMath.LOG_ULPS, StrictMath::log),
        TANH(UnaryOp.TANH, FloatMath.TANH_ULPS, StrictMath::tanh),
        SIGMOID(UnaryOp.SIGMOID, FloatMath.SIGMOID_ULPS, x -> 1 / (1 + StrictMath.exp(-x)));

        final UnaryOp op;
        final int ulps;
        final DoubleUnaryOperator reference;

        Op(UnaryOp op, int ulps, DoubleUnaryOperator reference) {
            this.op = op;
            this.ulps = ulps;
            this.reference = reference;
        }

        float scalar(float x) {
            return switch (this) {
                case EXP -> FloatMath.exp(x);
                case LOG -> FloatMath.log(x);
                case TANH -> FloatMath.tanh(x);
                case SIGMOID -> FloatMath.sigmoid(x);
            };
        }
    }

    private static final float[] SPECIAL = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f,
        Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Math.nextDown(Float.MIN_NORMAL), Float.MAX_VALUE,
        -Float.MAX_VALUE, 1f, -1f, 2f, 0.5f, FloatMath.SQRT_HALF,
        // exp: overflow, last normal result, last subnormal result; tanh's switch of formula
        88.72283935546875f, 88.72284f, -87.33654f, -103.97208f, -103.972084f, -104f, FloatMath.EXP_HI,
        FloatMath.TANH_SMALL, -FloatMath.TANH_SMALL, 9f, -9f, 1e-20f, -1e-20f, 1e-4f, -1e-4f};

    private static float[] samples() {
        float[] s = new float[SPECIAL.length * 3 + (int) ((1L << 32) / 1021) + 1];
        int n = 0;
        for (float x : SPECIAL) {
            s[n++] = x;
            s[n++] = Math.nextUp(x);
            s[n++] = Math.nextDown(x);
        }
        for (long bits = 0; bits < (1L << 32); bits += 1021) {
            s[n++] = Float.intBitsToFloat((int) bits);
        }
        return Arrays.copyOf(s, n);
    }

    /** Distance in representable floats; +0 and -0 are the same point. */
    private static long ulps(float a, float b) {
        return Math.abs(ordered(a) - ordered(b));
    }

    private static long ordered(float x) {
        int bits = Float.floatToRawIntBits(x);
        return bits < 0 ? (long) Integer.MIN_VALUE - bits : bits;
    }

    @ParameterizedTest
    @EnumSource(Op.class)
    void withinItsBoundOfStrictMathEverywhere(Op op) {
        check(op, samples());
    }

    /**
     * The samples in a fixed random order: most vectors then mix ordinary lanes with extreme or special ones, so
     * the general formulas run beside lanes that a vector of ordinary values would give to the in-range ones.
     */
    @ParameterizedTest
    @EnumSource(Op.class)
    void sameBitsWhenOrdinaryAndExtremeLanesShareAVector(Op op) {
        float[] x = samples();
        Random random = new Random(11);
        for (int i = x.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            float t = x[i];
            x[i] = x[j];
            x[j] = t;
        }
        check(op, x);
    }

    private static void check(Op op, float[] x) {
        float[] got = new float[x.length];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocateFrom(ValueLayout.JAVA_FLOAT, x);
            MemorySegment out = arena.allocate((long) x.length * Float.BYTES, 64);
            op.op.kernel().run(DType.F32, in, 0, 1, out, 0, x.length);
            MemorySegment.copy(out, ValueLayout.JAVA_FLOAT, 0, got, 0, x.length);
        }
        long worst = 0;
        float worstAt = Float.NaN;
        for (int i = 0; i < x.length; i++) {
            float ref = (float) op.reference.applyAsDouble(x[i]);
            if (Float.isNaN(ref) || Float.isNaN(got[i])) {
                assertEquals(Float.isNaN(ref), Float.isNaN(got[i]), op + "(" + x[i] + ") = " + got[i] + ", expected " + ref);
                continue;
            }
            if (Float.isInfinite(ref) || Float.isInfinite(got[i])) {
                assertEquals(ref, got[i], op + "(" + x[i] + ")");
                continue;
            }
            long d = ulps(got[i], ref);
            if (d > worst) {
                worst = d;
                worstAt = x[i];
            }
            if (d > op.ulps) {
                fail(op + "(" + x[i] + ") = " + got[i] + ", expected " + ref + ": " + d + " ulps apart, more than "
                        + op.ulps);
            }
            // The twin in a tail or a strided run: the same bits, whichever path an element takes.
            float twin = op.scalar(x[i]);
            if (Float.floatToRawIntBits(twin) != Float.floatToRawIntBits(got[i])) {
                fail(op + "(" + x[i] + "): vector lane " + got[i] + ", scalar twin " + twin);
            }
        }
        assertTrue(worst <= op.ulps);
        System.out.println("FloatMathTest: " + op + " over " + x.length + " samples: at most " + worst
                + " ulp from StrictMath (at " + worstAt + ")");
    }
}
