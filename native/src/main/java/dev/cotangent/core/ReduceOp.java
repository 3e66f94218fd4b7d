package dev.cotangent.core;

import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;

/** The associative reductions; their loops live in {@link ReduceLoops}. */
enum ReduceOp {
    SUM, MAX, MIN;

    /** One reduction's loops, compiled for that reduction alone. */
    interface Kernel {
        /**
         * Reduces the middle axis of the contiguous block {@code [p, r, q]} starting at element {@code base}
         * of {@code src}, writing the contiguous {@code [p, q]} result from element {@code outBase}; r >= 1.
         */
        void reduce(DType dtype, MemorySegment src, long base, long p, long r, long q, MemorySegment out,
                long outBase);

        /**
         * As {@link #reduce}, for the columns {@code [j0, j1)} of the block only (1 < q): each column's result has
         * the bits it has in the whole reduction, so that column windows may run on different threads.
         */
        void reduceColumns(DType dtype, MemorySegment src, long base, long p, long r, long q, int j0, int j1,
                MemorySegment out, long outBase);
    }

    // NOTE: racing threads may each define a copy; either works and the loser is garbage.
    private volatile @Nullable Kernel kernel;

    Kernel kernel() {
        Kernel k = kernel;
        if (k == null) {
            kernel = k = Specializer.instantiate(ReduceLoops.class, Kernel.class, this);
        }
        return k;
    }
}
