package dev.cotangent.nn;

import dev.cotangent.autodiff.ElementwiseOps;
import dev.cotangent.autodiff.NoDerivative;
import dev.cotangent.autodiff.Tensor;
import dev.cotangent.core.Elementwise;

/**
 * Batch normalization over the last axis (channels), Swift's defaults (momentum 0.99, ε 0.001): in training it
 * normalizes with the batch's statistics (a fused primitive) and moves the running averages toward them in
 * place; in inference it uses the running averages.
 */
public record BatchNorm(Tensor scale, Tensor offset, @NoDerivative Tensor runningMean,
        @NoDerivative Tensor runningVariance, @NoDerivative double momentum, @NoDerivative double epsilon)
        implements Layer<BatchNorm> {
    public BatchNorm {
        if (scale.rank() != 1 || !offset.shape().equals(scale.shape()) || !runningMean.shape().equals(scale.shape())
                || !runningVariance.shape().equals(scale.shape())) {
            throw new IllegalArgumentException("BatchNorm: scale " + scale.shape() + ", offset " + offset.shape()
                    + ", running mean " + runningMean.shape() + ", running variance " + runningVariance.shape()
                    + "; expected all [features]");
        }
        if (!(momentum >= 0 && momentum <= 1) || !(epsilon > 0)) {
            throw new IllegalArgumentException("BatchNorm: momentum " + momentum + ", epsilon " + epsilon
                    + "; expected momentum in [0, 1] and epsilon > 0");
        }
    }

    /** Scale 1, offset 0, running mean 0 and variance 1, momentum 0.99, ε 0.001 (float32). */
    public BatchNorm(int featureCount) {
        this(Initializers.ones(featureCount), Initializers.zeros(featureCount), Initializers.zeros(featureCount),
                Initializers.ones(featureCount), 0.99, 0.001);
    }

    @Override
    public Tensor apply(Tensor input) {
        int features = scale.shape().dim(0);
        if (input.rank() < 2 || input.shape().dim(input.rank() - 1) != features || input.dtype() != scale.dtype()) {
            throw new IllegalArgumentException("BatchNorm(" + features + "): input " + input.dtype() + input.shape()
                    + "; expected " + scale.dtype() + "[batch, ..., " + features + "]");
        }
        if (LearningPhase.current() == LearningPhase.INFERENCE) {
            Tensor factor = scale.times(ElementwiseOps.pow(ElementwiseOps.sqrt(runningVariance.plus(epsilon)), -1.0));
            return input.minus(runningMean).times(factor).plus(offset); // (x - μ) γ / √(σ² + ε) + β
        }
        return BatchNormOps.batchNorm(input, scale, offset, epsilon, (mean, variance) -> {
            if (!Recomputation.replaying()) { // a recomputed forward pass must not count the batch twice
                Elementwise.scaleInPlace(runningMean.value(), momentum);
                Elementwise.axpyInPlace(runningMean.value(), 1 - momentum, mean.value());
                Elementwise.scaleInPlace(runningVariance.value(), momentum);
                Elementwise.axpyInPlace(runningVariance.value(), 1 - momentum, variance.value());
            }
        });
    }
}
