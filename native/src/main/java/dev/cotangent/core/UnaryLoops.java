package dev.cotangent.core;

import static dev.cotangent.core.Simd.D;
import static dev.cotangent.core.Simd.F;
import static dev.cotangent.core.Simd.ORDER;
import static dev.cotangent.core.UnaryOp.ABS;
import static dev.cotangent.core.UnaryOp.COS;
import static dev.cotangent.core.UnaryOp.EXP;
import static dev.cotangent.core.UnaryOp.LOG;
import static dev.cotangent.core.UnaryOp.NEG;
import static dev.cotangent.core.UnaryOp.RECIPROCAL;
import static dev.cotangent.core.UnaryOp.RELU;
import static dev.cotangent.core.UnaryOp.RELU_MASK;
import static dev.cotangent.core.UnaryOp.SIGMOID;
import static dev.cotangent.core.UnaryOp.SIGN;
import static dev.cotangent.core.UnaryOp.SIN;
import static dev.cotangent.core.UnaryOp.SQRT;
import static dev.cotangent.core.UnaryOp.SQUARE;
import static dev.cotangent.core.UnaryOp.TANH;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Template of the unary loops: {@link Specializer} makes one copy per {@link UnaryOp}, in which {@code OP} is a
 * constant, so the JIT keeps only the matching line of each chain below. A new operator adds one line to each
 * chain and to the scalar switch.
 */
final class UnaryLoops implements UnaryOp.Kernel {
    private static final UnaryOp OP = Specializer.operator(MethodHandles.lookup(), UnaryOp.class);
    // NOTE: the Vector API's EXP, LOG, SIN, COS and TANH lanes are SVML stubs in C2 code but Math calls per
    // lane in the interpreter and C1; the two differ in the last bit, so a vector loop of them would change
    // results as the JIT warms up. Such ops take the scalar path (Math, the same in every tier) unless they
    // have formulas of plain lanewise arithmetic: FloatMath's, in float32, for EXP, LOG, TANH and SIGMOID.
    private static final boolean TIER_DEPENDENT = switch (OP) {
        case EXP, LOG, SIN, COS, TANH, SIGMOID -> true;
        default -> false;
    };
    private static final boolean FLOAT_FORMULA = switch (OP) {
        case EXP, LOG, TANH, SIGMOID -> true;
        default -> false;
    };

    @Override
    public void run(DType dtype, MemorySegment a, long ia, long sa, MemorySegment out, long io, long n) {
        if (TIER_DEPENDENT && sa == 1 && !(FLOAT_FORMULA && dtype == DType.F32)) {
            scalarRun(dtype, a, ia, out, io, n);
            return;
        }
        long i = sa != 1 ? 0 : dtype == DType.F32 ? loopF(a, ia, out, io, n) : loopD(a, ia, out, io, n);
        for (; i < n; i++) {
            double x = Layouts.get(a, dtype, ia + i * sa);
            Layouts.put(out, dtype, io + i, dtype == DType.F32 ? applyFloat((float) x) : apply(x));
        }
    }

    // NOTE: formulas inside the loops, chosen by comparing constants, as in BinaryLoops (which says why).
    // In float32, EXP, LOG, TANH and SIGMOID are FloatMath's polynomials (same bits in every JIT tier); SIN and COS,
    // and everything in float64, are the Vector API's intrinsics, backed by the JDK's SVML or SLEEF stubs.
    private static long loopF(MemorySegment a, long ia, MemorySegment out, long io, long n) {
        if (n < F.length()) {
            return 0; // NOTE: before any vector exists: an unused one can be boxed (allocated) on short runs
        }
        FloatVector zero = FloatVector.zero(F);
        FloatVector one = FloatVector.broadcast(F, 1);
        long bound = F.loopBound(n);
        for (long i = 0; i < bound; i += F.length()) {
            FloatVector x = FloatVector.fromMemorySegment(F, a, (ia + i) * Float.BYTES, ORDER);
            FloatVector r;
            // exp, log, tanh and sigmoid: FloatMath's formulas, operation for operation (see FloatVectorMath).
            if (OP == EXP || OP == LOG || OP == TANH || OP == SIGMOID) {
                r = OP == EXP ? FloatVectorMath.exp(x)
                    : OP == LOG ? FloatVectorMath.log(x)
                    : OP == TANH ? FloatVectorMath.tanh(x)
                    : FloatVectorMath.sigmoid(x);
            } else {
                r = OP == NEG ? x.neg()
                    : OP == SIN ? x.lanewise(VectorOperators.SIN)
                    : OP == COS ? x.lanewise(VectorOperators.COS)
                    : OP == RELU ? x.max(zero)
                    : OP == RELU_MASK ? zero.blend(1, x.compare(VectorOperators.GT, 0))
                    : OP == SQRT ? x.sqrt()
                    : OP == SQUARE ? x.mul(x)
                    : OP == ABS ? x.abs()
                    // Keeps +-0 and NaN as they are, like Math.signum.
                    : OP == SIGN ? x.blend(1, x.compare(VectorOperators.GT, 0)).blend(-1, x.compare(VectorOperators.LT, 0))
                    : OP == RECIPROCAL ? one.div(x)
                    : unknown();
            }
            r.intoMemorySegment(out, (io + i) * Float.BYTES, ORDER);
        }
        return bound;
    }

    private static long loopD(MemorySegment a, long ia, MemorySegment out, long io, long n) {
        if (n < D.length()) {
            return 0;
        }
        DoubleVector zero = DoubleVector.zero(D);
        DoubleVector one = DoubleVector.broadcast(D, 1);
        long bound = D.loopBound(n);
        for (long i = 0; i < bound; i += D.length()) {
            DoubleVector x = DoubleVector.fromMemorySegment(D, a, (ia + i) * Double.BYTES, ORDER);
            DoubleVector r = OP == NEG ? x.neg()
                    : OP == EXP ? x.lanewise(VectorOperators.EXP)
                    : OP == LOG ? x.lanewise(VectorOperators.LOG)
                    : OP == SIN ? x.lanewise(VectorOperators.SIN)
                    : OP == COS ? x.lanewise(VectorOperators.COS)
                    : OP == TANH ? x.lanewise(VectorOperators.TANH)
                    : OP == SIGMOID ? one.div(one.add(x.neg().lanewise(VectorOperators.EXP)))
                    : OP == RELU ? x.max(zero)
                    : OP == RELU_MASK ? zero.blend(1, x.compare(VectorOperators.GT, 0))
                    : OP == SQRT ? x.sqrt()
                    : OP == SQUARE ? x.mul(x)
                    : OP == ABS ? x.abs()
                    : OP == SIGN ? x.blend(1, x.compare(VectorOperators.GT, 0)).blend(-1, x.compare(VectorOperators.LT, 0))
                    : OP == RECIPROCAL ? one.div(x)
                    : unknown();
            r.intoMemorySegment(out, (io + i) * Double.BYTES, ORDER);
        }
        return bound;
    }

    // A contiguous run of a TIER_DEPENDENT op: plain loads and stores, without the dtype switch of Layouts.
    private static void scalarRun(DType dtype, MemorySegment a, long ia, MemorySegment out, long io, long n) {
        if (dtype == DType.F32) {
            for (long i = 0; i < n; i++) {
                out.setAtIndex(ValueLayout.JAVA_FLOAT, io + i, (float) apply(a.getAtIndex(ValueLayout.JAVA_FLOAT, ia + i)));
            }
        } else {
            for (long i = 0; i < n; i++) {
                out.setAtIndex(ValueLayout.JAVA_DOUBLE, io + i, apply(a.getAtIndex(ValueLayout.JAVA_DOUBLE, ia + i)));
            }
        }
    }

    // Tails and strided runs. NOTE: float32 computes in double and rounds once: exact for the algebraic
    // operators, within an ulp of the vector lanes for the transcendental ones.
    private static double apply(double x) {
        return switch (OP) {
            case NEG -> -x;
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SIN -> Math.sin(x);
            case COS -> Math.cos(x);
            case TANH -> Math.tanh(x);
            case SIGMOID -> 1 / (1 + Math.exp(-x));
            case RELU -> Math.max(x, 0);
            case RELU_MASK -> x > 0 ? 1 : 0;
            case SQRT -> Math.sqrt(x);
            case SQUARE -> x * x;
            case ABS -> Math.abs(x);
            case SIGN -> Math.signum(x);
            case RECIPROCAL -> 1 / x;
        };
    }

    /** Float32 tails and strided runs: exp, log, tanh and sigmoid as the vector lanes compute them. */
    private static float applyFloat(float x) {
        return switch (OP) {
            case EXP -> FloatMath.exp(x);
            case LOG -> FloatMath.log(x);
            case TANH -> FloatMath.tanh(x);
            case SIGMOID -> FloatMath.sigmoid(x);
            default -> (float) apply(x);
        };
    }

    private static <V> V unknown() {
        throw new AssertionError("UnaryLoops: no vector formula for " + OP);
    }
}
