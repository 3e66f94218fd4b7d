package dev.cotangent.examples;

import dev.cotangent.autodiff.Diff;
import dev.cotangent.autodiff.NoDerivative;
import dev.cotangent.autodiff.Tensor;
import dev.cotangent.nn.Activation;
import dev.cotangent.nn.Dense;
import dev.cotangent.nn.Initializers;
import dev.cotangent.nn.Layer;
import dev.cotangent.nn.SGD;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The tutorial's XOR classifier: two Dense layers, derivative surgery printing ∂L/∂ŷ and ∂L/∂layer1, and ten SGD
 * steps. As in the original, ŷ [4, 1] minus y [4] broadcasts to [4, 4].
 */
public final class TutorialMlp {
    /** The seed of the initial weights; with it the loss falls at every step. */
    static final long SEED = 20;

    private final PrintStream out;

    TutorialMlp(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        new TutorialMlp(new PrintStream(System.out, true, StandardCharsets.UTF_8)).run();
    }

    /** The classifier; {@code print} is where its derivative-surgery lines go. */
    record Classifier(Dense layer1, Dense layer2, @NoDerivative PrintStream print) implements Layer<Classifier> {
        Classifier(PrintStream print) {
            this(new Dense(2, 10, Activation.RELU), new Dense(10, 1, Activation.RELU), print);
        }

        @Override
        public Tensor apply(Tensor input) {
            Tensor h1 = layer1.apply(input).withDerivative(d -> print.println("∂L/∂layer1 = " + d));
            return layer2.apply(h1);
        }
    }

    void run() {
        Initializers.setGlobalSeed(SEED);
        var classifier = new Classifier(out);
        var optimizer = new SGD<>(classifier, 0.02);
        Tensor x = Tensor.of(new float[][] {{0, 0}, {0, 1}, {1, 0}, {1, 1}});
        Tensor y = Tensor.of(new float[] {0, 1, 1, 0});
        for (int step = 0; step < 10; step++) {
            Classifier gradient = Diff.gradient(classifier, c -> {
                Tensor yHat = c.apply(x).withDerivative(d -> out.println("∂L/∂ŷ = " + d));
                Tensor loss = yHat.minus(y).squared().mean();
                out.println("Loss: " + loss);
                return loss;
            });
            optimizer.update(classifier, gradient);
        }
    }
}
