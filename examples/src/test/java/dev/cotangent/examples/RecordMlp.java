package dev.cotangent.examples;

import dev.cotangent.autodiff.Tensor;
import dev.cotangent.nn.Activation;
import dev.cotangent.nn.Dense;
import dev.cotangent.nn.Layer;

/**
 * The tutorial's XOR classifier as a Java record: the twin that the Kotlin data class and Scala case class
 * versions are compared with, gradient for gradient, bit for bit.
 */
public record RecordMlp(Dense layer1, Dense layer2) implements Layer<RecordMlp> {
    /** The layers the tutorial's classifier starts with, drawn from the global seed in the same order. */
    public RecordMlp() {
        this(new Dense(2, 10, Activation.RELU), new Dense(10, 1, Activation.RELU));
    }

    @Override
    public Tensor apply(Tensor input) {
        return layer2.apply(layer1.apply(input));
    }
}
