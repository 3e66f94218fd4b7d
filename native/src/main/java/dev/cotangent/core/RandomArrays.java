package dev.cotangent.core;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/**
 * Arrays of pseudo-random numbers that are the same for a seed on every platform and JDK.
 *
 * <p>Bits come from {@link SplittableRandom} (its algorithm is specified); normal deviates come from the
 * Box–Muller transform computed with {@link StrictMath}, whose results are specified bit for bit.
 */
public final class RandomArrays {
    private RandomArrays() {}

    /** Normally distributed values with the given mean and standard deviation ({@code std >= 0}). */
    public static NdArray normal(DType dtype, Shape shape, double mean, double std, long seed) {
        Checks.notNull(dtype, "normal", "dtype");
        Checks.notNull(shape, "normal", "shape");
        if (!(std >= 0) || !Double.isFinite(std) || !Double.isFinite(mean)) {
            throw new IllegalArgumentException("normal: mean " + mean + ", std " + std + " for " + dtype + shape
                    + "; expected a finite mean and a finite std >= 0");
        }
        NdArray out = NdArray.allocate("normal", dtype, shape);
        MemorySegment s = out.segment();
        SplittableRandom random = new SplittableRandom(seed);
        long n = shape.size();
        for (long i = 0; i < n; i += 2) {
            // 1 - u lies in (0, 1], so the logarithm is finite.
            double radius = StrictMath.sqrt(-2 * StrictMath.log(1 - random.nextDouble()));
            double angle = 2 * StrictMath.PI * random.nextDouble();
            Layouts.put(s, dtype, i, mean + std * radius * StrictMath.cos(angle));
            if (i + 1 < n) {
                Layouts.put(s, dtype, i + 1, mean + std * radius * StrictMath.sin(angle));
            }
        }
        return out;
    }

    /** Uniformly distributed values in {@code [low, high)} (bounds rounded to the dtype). */
    public static NdArray uniform(DType dtype, Shape shape, double low, double high, long seed) {
        Checks.notNull(dtype, "uniform", "dtype");
        Checks.notNull(shape, "uniform", "shape");
        boolean ordered = dtype == DType.F32 ? (float) low < (float) high : low < high;
        if (!ordered || !Double.isFinite(low) || !Double.isFinite(high)) {
            throw new IllegalArgumentException("uniform: low " + low + ", high " + high + " for " + dtype + shape
                    + "; expected finite bounds with low < high (also after rounding to " + dtype + ")");
        }
        NdArray out = NdArray.allocate("uniform", dtype, shape);
        MemorySegment s = out.segment();
        SplittableRandom random = new SplittableRandom(seed);
        // NOTE: rounding (to float32, or of low + width * u) can land on high itself; clamp below it.
        double top = dtype == DType.F32 ? Math.nextDown((float) high) : Math.nextDown(high);
        long n = shape.size();
        for (long i = 0; i < n; i++) {
            double v = low + (high - low) * random.nextDouble();
            Layouts.put(s, dtype, i, Math.min(v, top));
        }
        return out;
    }
}
