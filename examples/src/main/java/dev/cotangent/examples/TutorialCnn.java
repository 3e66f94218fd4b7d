package dev.cotangent.examples;

import dev.cotangent.autodiff.Diff;
import dev.cotangent.autodiff.DifferentiableFunction2;
import dev.cotangent.autodiff.NoDerivative;
import dev.cotangent.autodiff.Tensor;
import dev.cotangent.core.DType;
import dev.cotangent.core.RandomArrays;
import dev.cotangent.core.Shape;
import dev.cotangent.nn.Conv2D;
import dev.cotangent.nn.Dense;
import dev.cotangent.nn.Flatten;
import dev.cotangent.nn.Initializers;
import dev.cotangent.nn.Layer;
import dev.cotangent.nn.LayerGradients;
import dev.cotangent.nn.Losses;
import dev.cotangent.nn.MaxPool2D;
import dev.cotangent.nn.SGD;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The tutorial's convolutional network with a user-written activation-discarding wrapper around the
 * convolution: each training step applies the convolution twice, once forward and once again during
 * backpropagation. (The library's own {@code conv.discardingActivations()} does the same without the printing.)
 */
public final class TutorialCnn {
    /** The seed of the initial weights and the random input. */
    static final long SEED = 7;

    private final PrintStream out;

    TutorialCnn(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        new TutorialCnn(new PrintStream(System.out, true, StandardCharsets.UTF_8)).run();
    }

    /** A layer wrapper whose layer's activations are discarded during application and recomputed in backpropagation. */
    record ActivationDiscarding<W extends Layer<W>>(W wrapped, @NoDerivative PrintStream print)
            implements Layer<ActivationDiscarding<W>> {
        @Override
        public Tensor apply(Tensor input) {
            DifferentiableFunction2<W, Tensor> apply = CustomDifferentiation.makeRecomputedInGradient((layer, x) -> {
                print.println("    Applying " + swiftName(layer, x) + " layer...");
                return layer.apply(x);
            });
            return apply.apply(wrapped, input);
        }

        private static String swiftName(Object layer, Tensor x) {
            return layer.getClass().getSimpleName() + (x.dtype() == DType.F32 ? "<Float>" : "<Double>");
        }
    }

    record Model(ActivationDiscarding<Conv2D> conv, MaxPool2D maxPool, Flatten flatten, Dense dense)
            implements Layer<Model> {
        Model(PrintStream print) {
            this(new ActivationDiscarding<>(new Conv2D(5, 5, 3, 6), print), new MaxPool2D(2, 2, 2, 2), new Flatten(),
                    new Dense(36 * 6, 10));
        }

        @Override
        public Tensor apply(Tensor input) {
            return input.sequenced(conv, maxPool, flatten, dense);
        }
    }

    void run() {
        Initializers.setGlobalSeed(SEED);
        // Use random training data.
        Tensor x = Tensor.of(RandomArrays.normal(DType.F32, Shape.of(10, 16, 16, 3), 0, 1, SEED));
        int[] y = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        var model = new Model(out);
        var optimizer = new SGD<>(model);
        for (int i = 1; i <= 5; i++) {
            out.println("Starting training step " + i);
            out.println("  Running original computation...");
            var applied = model.appliedForBackpropagation(x);
            var lossAndGradient = Diff.valueWithGradient(applied.output(), logits -> Losses.softmaxCrossEntropy(logits, y));
            out.println("  Loss: " + lossAndGradient.value());
            out.println("  Running backpropagation...");
            LayerGradients<Model> gradients = applied.backpropagator().apply(lossAndGradient.gradient());
            optimizer.update(model, gradients.layer());
        }
    }
}
