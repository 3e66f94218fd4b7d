package dev.cotangent.core;

import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;

/** The elementwise operators of one operand; their formulas live in {@link UnaryLoops}. */
enum UnaryOp {
    NEG, EXP, LOG, SIN, COS, TANH, SIGMOID, RELU, RELU_MASK, SQRT, SQUARE, ABS, SIGN, RECIPROCAL;

    /** One operator's loops, compiled for that operator alone. */
    interface Kernel {
        /** {@code out[io + i] = op(a[ia + i*sa])} for {@code i < n}; a stride of 1 takes the vector path. */
        void run(DType dtype, MemorySegment a, long ia, long sa, MemorySegment out, long io, long n);
    }

    // NOTE: racing threads may each define a copy; either works and the loser is garbage.
    private volatile @Nullable Kernel kernel;

    Kernel kernel() {
        Kernel k = kernel;
        if (k == null) {
            kernel = k = Specializer.instantiate(UnaryLoops.class, Kernel.class, this);
        }
        return k;
    }
}
