package dev.cotangent.nn;

import dev.cotangent.autodiff.Diff;
import dev.cotangent.autodiff.DifferentiableFunction;
import dev.cotangent.autodiff.Gradients2;
import dev.cotangent.autodiff.Tangents;
import dev.cotangent.autodiff.Tensor;
import dev.cotangent.autodiff.ValueWithPullback2;
import java.util.Map;

/**
 * A differentiable function with parameters, and a differentiable structure whose tensors are those
 * parameters: {@code Diff.gradient(model, m -> loss(m.apply(x), y))} returns a gradient of the model's own type
 * {@code L}. Kotlin calls it as {@code model(x)}.
 *
 * {@snippet :
 * record Model(Dense hidden, Dense out) implements Layer<Model> {
 *     public Tensor apply(Tensor x) { return x.sequenced(hidden, out); }
 * }
 * }
 *
 * @param <L> the layer's own type, which is also the type of its gradient
 */
public interface Layer<L extends Layer<L>> extends DifferentiableFunction<Tensor> {
    /** The layer applied to {@code input}. */
    @Override
    Tensor apply(Tensor input);

    /**
     * The output and a backpropagator that maps the output's cotangent to the layer's gradient and the input's
     * ({@code appliedForBackpropagation(to:)} in Swift). The backpropagator may be called more than once.
     */
    default AppliedLayer<L> appliedForBackpropagation(Tensor input) {
        ValueWithPullback2<L, Tensor> vp = Diff.valueWithPullback(self(), input, Layer::apply);
        return new AppliedLayer<>(vp.value(), cotangent -> {
            Gradients2<L, Tensor> g = vp.pullback().apply(cotangent);
            return new LayerGradients<>(g.first(), g.second());
        });
    }

    /**
     * This layer, except that when differentiated it keeps none of its activations: they are recomputed during
     * backpropagation. Gradients are bit-identical to this layer's.
     */
    default ActivationDiscarding<L> discardingActivations() {
        return new ActivationDiscarding<>(self());
    }

    /** The parameters under their paths ({@code layers.0.weight}), in the order optimizers visit them. */
    default Map<String, Tensor> parameters() {
        return Tangents.named(this);
    }

    @SuppressWarnings("unchecked")
    private L self() {
        return (L) this;
    }
}
