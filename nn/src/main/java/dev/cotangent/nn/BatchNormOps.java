package dev.cotangent.nn;

import static dev.cotangent.autodiff.Domain.REAL;

import dev.cotangent.autodiff.CaseGenerator;
import dev.cotangent.autodiff.Diff;
import dev.cotangent.autodiff.ElementwiseOps;
import dev.cotangent.autodiff.OpDefinition;
import dev.cotangent.autodiff.OpParams;
import dev.cotangent.autodiff.OpRegistry;
import dev.cotangent.autodiff.Signature;
import dev.cotangent.autodiff.Tensor;
import dev.cotangent.core.NdArray;
import dev.cotangent.core.Shape;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Batch normalization with batch statistics as one primitive over the last axis (channels): the forward keeps
 * the normalized input and the inverse deviation, the pullback is the closed form. First-order only.
 */
final class BatchNormOps {
    private BatchNormOps() {}

    static final String OP = "batchNorm";

    /** The variance offset. */
    record Epsilon(double epsilon) implements OpParams.Custom {}

    static void register(OpRegistry r) {
        r.add(new OpDefinition(OP, Signature.CUSTOM, List.of(REAL, REAL, REAL), false,
                (in, p) -> batchNorm(in.get(0), in.get(1), in.get(2), NnOps.params(OP, p, Epsilon.class).epsilon(), (m, v) -> {}),
                random -> {
                    int c = 1 + random.nextInt(4);
                    Shape x = random.nextBoolean() ? Shape.of(2 + random.nextInt(6), c)
                            : Shape.of(1 + random.nextInt(2), 1 + random.nextInt(3), 2 + random.nextInt(3), c);
                    return new CaseGenerator.Layout(List.of(x, Shape.of(c), Shape.of(c)), new Epsilon(1e-3));
                }));
    }

    /**
     * scale · (x - mean) / √(var + ε) + offset with mean and (biased) variance over every axis but the last;
     * {@code statistics} receives the batch mean and variance [channels].
     */
    static Tensor batchNorm(Tensor x, Tensor scale, Tensor offset, double epsilon, BiConsumer<Tensor, Tensor> statistics) {
        // Any other shape would broadcast into a result shaped unlike x, whose pullback cannot fit x.
        Shape channels = x.rank() < 2 ? null : Shape.of(x.shape().dim(-1));
        if (channels == null || !scale.shape().equals(channels) || !offset.shape().equals(channels)) {
            throw new IllegalArgumentException(OP + ": input " + x.dtype() + x.shape() + ", scale " + scale.dtype()
                    + scale.shape() + ", offset " + offset.dtype() + offset.shape() + "; expected an input of rank >= 2,"
                    + " [..., channels], and scale and offset [channels]");
        }
        int[] axes = new int[x.rank() - 1];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = i;
        }
        Tensor xc = Tensor.of(x.value());
        Tensor mean = xc.mean(axes, true);
        Tensor centered = xc.minus(mean);
        Tensor variance = centered.squared().mean(axes, true);
        Tensor inverse = ElementwiseOps.pow(ElementwiseOps.sqrt(variance.plus(epsilon)), -1.0);
        Tensor normalized = centered.times(inverse);
        NdArray y = normalized.times(Tensor.of(scale.value())).plus(Tensor.of(offset.value())).value();
        statistics.accept(mean.reshape(-1), variance.reshape(-1));
        double n = (double) x.size() / Math.max(1, x.shape().dim(x.rank() - 1));
        return Tensor.record(OP, y, new Tensor[] {x, scale, offset}, (g, out, need) -> {
            if (g.isTracked() || (Diff.isRecording() && x.isTracked())) {
                throw new UnsupportedOperationException("batchNorm: second derivatives through batch normalization"
                        + " are not supported (its pullback is first-order only)");
            }
            Tensor dNormalized = g.times(Tensor.of(scale.value()));
            Tensor dx = dNormalized.minus(dNormalized.mean(axes, true))
                    .minus(normalized.times(dNormalized.times(normalized).mean(axes, true))).times(inverse);
            return new Tensor[] {
                need[0] ? dx : null, // dx = inv (dn - mean(dn) - n̂ mean(dn n̂)), dn = g scale
                need[1] ? g.times(normalized).sum(axes) : null, // dscale = Σ g n̂
                need[2] ? g.sum(axes) : null}; // doffset = Σ g
        });
    }
}
