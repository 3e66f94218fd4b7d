package dev.cotangent.core;

import static dev.cotangent.core.BinaryOp.ADD;
import static dev.cotangent.core.BinaryOp.DIV;
import static dev.cotangent.core.BinaryOp.EQ;
import static dev.cotangent.core.BinaryOp.GE;
import static dev.cotangent.core.BinaryOp.GT;
import static dev.cotangent.core.BinaryOp.LE;
import static dev.cotangent.core.BinaryOp.LT;
import static dev.cotangent.core.BinaryOp.MAX;
import static dev.cotangent.core.BinaryOp.MIN;
import static dev.cotangent.core.BinaryOp.MUL;
import static dev.cotangent.core.BinaryOp.NE;
import static dev.cotangent.core.BinaryOp.POW;
import static dev.cotangent.core.BinaryOp.SUB;
import static dev.cotangent.core.Simd.D;
import static dev.cotangent.core.Simd.F;
import static dev.cotangent.core.Simd.ORDER;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Template of the binary loops: {@link Specializer} makes one copy per {@link BinaryOp.Variant}, in which the
 * operator and the stride pattern are constants, so the JIT keeps only the matching line of each chain below.
 * A new operator adds one line to each chain and to the scalar switch.
 */
final class BinaryLoops implements BinaryOp.Kernel {
    private static final BinaryOp.Variant VARIANT = Specializer.operator(MethodHandles.lookup(),
            BinaryOp.Variant.class);
    private static final BinaryOp OP = VARIANT.op();
    // NOTE: POW's vector lanes are an SVML stub in C2 code but Math.pow per lane in the interpreter and C1;
    // the two differ in the last bit, so a vector loop would change results as the JIT warms up. POW takes
    // the scalar path (Math.pow, the same in every tier) until it has a formula of plain lanewise arithmetic.
    private static final boolean VECTOR = VARIANT.pattern() != BinaryOp.Pattern.STRIDED && OP != POW;
    /** Operand a (b) is one value broadcast along the run: broadcast once, never loaded per lane. */
    private static final boolean FIXED_A = VARIANT.pattern() == BinaryOp.Pattern.FIXED_A;
    private static final boolean FIXED_B = VARIANT.pattern() == BinaryOp.Pattern.FIXED_B;

    @Override
    public void run(DType dtype, MemorySegment a, long ia, long sa, MemorySegment b, long ib, long sb,
            MemorySegment out, long io, long n) {
        long i = !VECTOR ? 0 : dtype == DType.F32 ? loopF(a, ia, b, ib, out, io, n) : loopD(a, ia, b, ib, out, io, n);
        for (; i < n; i++) {
            Layouts.put(out, dtype, io + i, apply(Layouts.get(a, dtype, ia + i * sa), Layouts.get(b, dtype, ib + i * sb)));
        }
    }

    // NOTE: the formulas are written inside the loops, and chosen by comparing constants, on purpose. A call
    // from the loop to a helper taking vectors is not inlined when C2 compiles the loop before it ever ran,
    // and then every vector is boxed (10x slower, for good); a switch over an enum reads an array the JIT
    // cannot fold, so it would compile every case and box the merged result.
    private static long loopF(MemorySegment a, long ia, MemorySegment b, long ib, MemorySegment out, long io, long n) {
        if (n < F.length()) {
            return 0; // NOTE: before any vector exists: an unused one can be boxed (allocated) on short runs
        }
        FloatVector fixedA = FloatVector.broadcast(F, FIXED_A ? a.getAtIndex(ValueLayout.JAVA_FLOAT, ia) : 0);
        FloatVector fixedB = FloatVector.broadcast(F, FIXED_B ? b.getAtIndex(ValueLayout.JAVA_FLOAT, ib) : 0);
        FloatVector zero = FloatVector.zero(F);
        long bound = F.loopBound(n);
        for (long i = 0; i < bound; i += F.length()) {
            FloatVector x = FIXED_A ? fixedA : FloatVector.fromMemorySegment(F, a, (ia + i) * Float.BYTES, ORDER);
            FloatVector y = FIXED_B ? fixedB : FloatVector.fromMemorySegment(F, b, (ib + i) * Float.BYTES, ORDER);
            FloatVector r = OP == ADD ? x.add(y)
                    : OP == SUB ? x.sub(y)
                    : OP == MUL ? x.mul(y)
                    : OP == DIV ? x.div(y)
                    : OP == POW ? x.lanewise(VectorOperators.POW, y)
                    : OP == MAX ? x.max(y)
                    : OP == MIN ? x.min(y)
                    : OP == EQ ? zero.blend(1, x.compare(VectorOperators.EQ, y))
                    : OP == NE ? zero.blend(1, x.compare(VectorOperators.NE, y))
                    : OP == LT ? zero.blend(1, x.compare(VectorOperators.LT, y))
                    : OP == LE ? zero.blend(1, x.compare(VectorOperators.LE, y))
                    : OP == GT ? zero.blend(1, x.compare(VectorOperators.GT, y))
                    : OP == GE ? zero.blend(1, x.compare(VectorOperators.GE, y))
                    : unknown();
            r.intoMemorySegment(out, (io + i) * Float.BYTES, ORDER);
        }
        return bound;
    }

    private static long loopD(MemorySegment a, long ia, MemorySegment b, long ib, MemorySegment out, long io, long n) {
        if (n < D.length()) {
            return 0;
        }
        DoubleVector fixedA = DoubleVector.broadcast(D, FIXED_A ? a.getAtIndex(ValueLayout.JAVA_DOUBLE, ia) : 0);
        DoubleVector fixedB = DoubleVector.broadcast(D, FIXED_B ? b.getAtIndex(ValueLayout.JAVA_DOUBLE, ib) : 0);
        DoubleVector zero = DoubleVector.zero(D);
        long bound = D.loopBound(n);
        for (long i = 0; i < bound; i += D.length()) {
            DoubleVector x = FIXED_A ? fixedA : DoubleVector.fromMemorySegment(D, a, (ia + i) * Double.BYTES, ORDER);
            DoubleVector y = FIXED_B ? fixedB : DoubleVector.fromMemorySegment(D, b, (ib + i) * Double.BYTES, ORDER);
            DoubleVector r = OP == ADD ? x.add(y)
                    : OP == SUB ? x.sub(y)
                    : OP == MUL ? x.mul(y)
                    : OP == DIV ? x.div(y)
                    : OP == POW ? x.lanewise(VectorOperators.POW, y)
                    : OP == MAX ? x.max(y)
                    : OP == MIN ? x.min(y)
                    : OP == EQ ? zero.blend(1, x.compare(VectorOperators.EQ, y))
                    : OP == NE ? zero.blend(1, x.compare(VectorOperators.NE, y))
                    : OP == LT ? zero.blend(1, x.compare(VectorOperators.LT, y))
                    : OP == LE ? zero.blend(1, x.compare(VectorOperators.LE, y))
                    : OP == GT ? zero.blend(1, x.compare(VectorOperators.GT, y))
                    : OP == GE ? zero.blend(1, x.compare(VectorOperators.GE, y))
                    : unknown();
            r.intoMemorySegment(out, (io + i) * Double.BYTES, ORDER);
        }
        return bound;
    }

    // Tails and strided runs. NOTE: float32 computes in double and rounds once, which for + - * / gives
    // exactly the float result.
    private static double apply(double x, double y) {
        return switch (OP) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case POW -> Math.pow(x, y);
            case MAX -> Math.max(x, y);
            case MIN -> Math.min(x, y);
            case EQ -> x == y ? 1 : 0;
            case NE -> x != y ? 1 : 0;
            case LT -> x < y ? 1 : 0;
            case LE -> x <= y ? 1 : 0;
            case GT -> x > y ? 1 : 0;
            case GE -> x >= y ? 1 : 0;
        };
    }

    private static <V> V unknown() {
        throw new AssertionError("BinaryLoops: no vector formula for " + OP);
    }
}
