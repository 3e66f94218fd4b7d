package dev.cotangent.core;

import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;

/** The elementwise operators of two operands; their formulas live in {@link BinaryLoops}. */
enum BinaryOp {
    ADD, SUB, MUL, DIV, POW, MAX, MIN,
    EQ, NE, LT, LE, GT, GE;

    /** How a run reads its operands: both along the run, one fixed (broadcast) value, or any other strides. */
    enum Pattern {
        BOTH, FIXED_A, FIXED_B, STRIDED;

        static Pattern of(long sa, long sb) {
            if (sa == 1 && sb == 1) {
                return BOTH;
            } else if (sa == 0 && sb == 1) {
                return FIXED_A;
            } else if (sa == 1 && sb == 0) {
                return FIXED_B;
            }
            return STRIDED;
        }
    }

    /** What one copy of {@link BinaryLoops} is compiled for. */
    record Variant(BinaryOp op, Pattern pattern) {}

    /** One operator's loops for one pattern, compiled for them alone. */
    interface Kernel {
        /**
         * {@code out[io + i] = op(a[ia + i*sa], b[ib + i*sb])} for {@code i < n}; indices and strides count
         * elements, and the strides must match the pattern this kernel was made for.
         */
        void run(DType dtype, MemorySegment a, long ia, long sa, MemorySegment b, long ib, long sb,
                MemorySegment out, long io, long n);
    }

    // Kernels are stateless, so a plain array publishes them safely; racing threads may each define a copy.
    private final @Nullable Kernel[] kernels = new Kernel[Pattern.values().length];

    /** The kernel for runs with strides {@code sa} and {@code sb}. */
    Kernel kernel(long sa, long sb) {
        Pattern pattern = Pattern.of(sa, sb);
        Kernel k = kernels[pattern.ordinal()];
        if (k == null) {
            k = Specializer.instantiate(BinaryLoops.class, Kernel.class, new Variant(this, pattern));
            kernels[pattern.ordinal()] = k;
        }
        return k;
    }
}
