package dev.cotangent.nn;

import dev.cotangent.autodiff.Tensor;
import dev.cotangent.core.DType;
import dev.cotangent.core.RandomArrays;
import dev.cotangent.core.Shape;
import java.util.SplittableRandom;

/**
 * Parameter initializers and the global seedable generator that layers built without an explicit seed draw
 * from: after {@code Initializers.setGlobalSeed(s)} the same sequence of constructions gives the same bits.
 */
public final class Initializers {
    private Initializers() {}

    private static final long DEFAULT_SEED = 0x5EED_C07A_6E47L;
    private static SplittableRandom global = new SplittableRandom(DEFAULT_SEED);

    /** Restarts the global generator at {@code seed}. */
    public static synchronized void setGlobalSeed(long seed) {
        global = new SplittableRandom(seed);
    }

    /** The next seed from the global generator (each layer built without a seed takes one per tensor). */
    public static synchronized long nextSeed() {
        return global.nextLong();
    }

    /** Glorot (Xavier) uniform: U(-l, l) with l = √(6 / (fanIn + fanOut)), float32. */
    public static Tensor glorotUniform(Shape shape, int fanIn, int fanOut, long seed) {
        double limit = Math.sqrt(6.0 / (fanIn + fanOut));
        return Tensor.of(RandomArrays.uniform(DType.F32, shape, -limit, limit, seed));
    }

    /** Float32 zeros. */
    public static Tensor zeros(int... shape) {
        return Tensor.zeros(DType.F32, shape);
    }

    /** Float32 ones. */
    public static Tensor ones(int... shape) {
        return Tensor.ones(DType.F32, shape);
    }
}
