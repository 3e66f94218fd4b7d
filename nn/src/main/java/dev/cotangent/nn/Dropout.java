package dev.cotangent.nn;

import dev.cotangent.autodiff.ElementwiseOps;
import dev.cotangent.autodiff.NoDerivative;
import dev.cotangent.autodiff.Tensor;
import dev.cotangent.core.Elementwise;
import dev.cotangent.core.NdArray;
import dev.cotangent.core.RandomArrays;

/**
 * In training, zeroes each element with probability {@code probability} and scales the rest by
 * 1 / (1 - probability); in inference, the identity. Masks are drawn from {@link Initializers}' global
 * generator (and replayed when the layer is recomputed).
 */
public record Dropout(@NoDerivative double probability) implements Layer<Dropout> {
    public Dropout {
        if (!(probability >= 0 && probability < 1)) {
            throw new IllegalArgumentException("Dropout: probability " + probability + "; expected 0 <= p < 1");
        }
    }

    @Override
    public Tensor apply(Tensor input) {
        if (LearningPhase.current() == LearningPhase.INFERENCE || probability == 0) {
            return input;
        }
        long seed = Recomputation.seed(Initializers::nextSeed);
        NdArray uniform = RandomArrays.uniform(input.dtype(), input.shape(), 0, 1, seed);
        NdArray keep = Elementwise.greaterEqual(uniform, NdArray.scalar(input.dtype(), probability));
        uniform.close();
        Elementwise.scaleInPlace(keep, 1 / (1 - probability));
        return ElementwiseOps.mul(input, Tensor.of(keep)); // dx = g * mask / (1 - p)
    }
}
