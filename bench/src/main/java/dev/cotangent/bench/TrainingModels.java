package dev.cotangent.bench;

import dev.cotangent.autodiff.Tensor;
import dev.cotangent.core.DType;
import dev.cotangent.core.RandomArrays;
import dev.cotangent.core.Shape;
import dev.cotangent.nn.Activation;
import dev.cotangent.nn.Conv2D;
import dev.cotangent.nn.Dense;
import dev.cotangent.nn.Flatten;
import dev.cotangent.nn.Initializers;
import dev.cotangent.nn.Layer;
import dev.cotangent.nn.Losses;
import dev.cotangent.nn.MaxPool2D;
import dev.cotangent.nn.SGD;
import dev.cotangent.nn.SavePolicy;
import dev.cotangent.nn.Sequential;
import java.util.ArrayList;
import java.util.List;

/**
 * The library's side of the training-step benchmarks: each model, its fixed batch and one SGD step (forward,
 * loss, backward, in-place update) in a scope that returns everything the step allocated to the pool. The
 * peers (scripts/bench-peers) build the same models.
 */
final class TrainingModels {
    private TrainingModels() {}

    /** One training step; returns the loss. */
    @FunctionalInterface
    interface Step {
        double run();
    }

    /** Steps run before measuring, unless {@value #WARM_CAP_SECONDS} s pass first. */
    static final int WARM_STEPS = 3000;
    static final double WARM_CAP_SECONDS = 30;

    /**
     * The step after checking that it trains (over a few steps on its fixed batch the loss must fall) and then
     * running it for at least {@code warmSeconds} more and until {@value #WARM_STEPS} steps (at most
     * {@value #WARM_CAP_SECONDS} s): on a loaded machine the JIT compiles slowly, and the tutorial MLP's step ran
     * tens of times slower after 3 s than once compiled. No warm-up when {@code warmSeconds} is 0 (steps of seconds).
     */
    static Step checked(String name, Step step, double warmSeconds) {
        double first = step.run();
        double last = first;
        for (int i = 1; i < 8; i++) {
            last = step.run();
        }
        if (!(last < first)) {
            throw new IllegalStateException("bench: " + name + " does not train: loss " + first + " -> " + last);
        }
        System.err.printf("bench: %s loss %.4f -> %.4f over 8 steps%n", name, first, last);
        if (warmSeconds <= 0) {
            return step;
        }
        long start = System.nanoTime();
        long minimum = start + (long) (warmSeconds * 1e9);
        long cap = start + (long) (Math.max(warmSeconds, WARM_CAP_SECONDS) * 1e9);
        for (int i = 0; System.nanoTime() < minimum || (i < WARM_STEPS && System.nanoTime() < cap); i++) {
            step.run();
        }
        return step;
    }

    /** Labels 0..9 repeating, one per row (the peers use the same). */
    static int[] labels(int n) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 10;
        }
        return y;
    }

    static Tensor normal(long seed, int... shape) {
        return Tensor.of(RandomArrays.normal(DType.F32, Shape.of(shape), 0, 1, seed));
    }

    /** A softmax cross-entropy classifier step on {@code x} with labels 0..9 repeating, SGD at lr 0.01. */
    static <M extends Layer<M>> Step classifier(M model, Tensor x) {
        int[] y = labels(x.shape().dim(0));
        SGD<M> sgd = new SGD<>(model, 0.01);
        return () -> sgd.step(model, m -> Losses.softmaxCrossEntropy(m.apply(x), y));
    }

    /** 784-512-512-10 relu MLP, batch 256. */
    static Step mlp() {
        Initializers.setGlobalSeed(1);
        var model = new Sequential(new Dense(784, 512, Activation.RELU), new Dense(512, 512, Activation.RELU),
                new Dense(512, 10));
        return classifier(model, normal(2, 256, 784));
    }

    /** LeNet-like CNN on NHWC [64, 32, 32, 3]. */
    static Step lenet() {
        Initializers.setGlobalSeed(1);
        var model = new Sequential(new Conv2D(5, 5, 3, 32, Activation.RELU), new MaxPool2D(2, 2, 2, 2),
                new Conv2D(5, 5, 32, 64, Activation.RELU), new MaxPool2D(2, 2, 2, 2), new Flatten(),
                new Dense(1600, 256, Activation.RELU), new Dense(256, 10));
        return classifier(model, normal(2, 64, 32, 32, 3));
    }

    /** The tutorial's XOR MLP without its printing: mean((ŷ - y)²) with [4, 1] - [4] broadcasting to [4, 4]. */
    record SeedMlp(Dense layer1, Dense layer2) implements Layer<SeedMlp> {
        @Override
        public Tensor apply(Tensor input) {
            return layer2.apply(layer1.apply(input));
        }
    }

    static Step seedMlp() {
        Initializers.setGlobalSeed(20); // the tutorial's seed, with which the loss falls
        var model = new SeedMlp(new Dense(2, 10, Activation.RELU), new Dense(10, 1, Activation.RELU));
        var sgd = new SGD<>(model, 0.02);
        Tensor x = Tensor.of(new float[][] {{0, 0}, {0, 1}, {1, 0}, {1, 1}});
        Tensor y = Tensor.of(new float[] {0, 1, 1, 0});
        return () -> sgd.step(model, m -> m.apply(x).minus(y).squared().mean());
    }

    /** The tutorial's CNN; its convolution plain or discarding activations (recomputed in backpropagation). */
    record SeedCnn(Layer<?> conv, MaxPool2D maxPool, Flatten flatten, Dense dense) implements Layer<SeedCnn> {
        @Override
        public Tensor apply(Tensor input) {
            return input.sequenced(conv, maxPool, flatten, dense);
        }
    }

    /**
     * The tutorial's CNN trained as the peers do: one SGD step on the parameters' gradient. (The tutorial's
     * appliedForBackpropagation also returns the input's gradient, a convolution's input product the peers,
     * whose data does not require a gradient, never compute.)
     */
    static Step seedCnn(boolean recomputed) {
        Initializers.setGlobalSeed(7);
        Conv2D conv = new Conv2D(5, 5, 3, 6);
        var model = new SeedCnn(recomputed ? conv.discardingActivations() : conv, new MaxPool2D(2, 2, 2, 2),
                new Flatten(), new Dense(36 * 6, 10));
        return classifier(model, normal(7, 10, 16, 16, 3));
    }

    /** The checkpoint model: {@value #DEEP_LAYERS} relu Dense layers 1024 wide; batch 512. */
    static final int DEEP_LAYERS = 16;
    static final int DEEP_WIDTH = 1024;
    static final int DEEP_BATCH = 512;

    static Sequential deepMlp() {
        Initializers.setGlobalSeed(1);
        List<Layer<?>> layers = new ArrayList<>();
        for (int i = 0; i < DEEP_LAYERS; i++) {
            layers.add(new Dense(DEEP_WIDTH, DEEP_WIDTH, Activation.RELU));
        }
        return new Sequential(layers);
    }

    /** A classifier step on the deep MLP, recomputed in segments of {@code segment} layers when positive. */
    static Step deepMlp(Sequential model, int segment) {
        Sequential run = segment > 0 ? model.recomputingSegments(segment, SavePolicy.NOTHING) : model;
        Tensor x = normal(2, DEEP_BATCH, DEEP_WIDTH);
        int[] y = labels(DEEP_BATCH);
        SGD<Sequential> sgd = new SGD<>(run, 0.01);
        return () -> sgd.step(run, m -> Losses.softmaxCrossEntropy(m.apply(x), y));
    }
}
