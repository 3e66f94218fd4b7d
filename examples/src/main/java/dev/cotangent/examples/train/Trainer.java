package dev.cotangent.examples.train;

import dev.cotangent.autodiff.Tensor;
import dev.cotangent.core.NdArray;
import dev.cotangent.core.Reductions;
import dev.cotangent.core.Scope;
import dev.cotangent.nn.LearningPhase;
import dev.cotangent.nn.Losses;
import dev.cotangent.nn.Optimizer;
import dev.cotangent.nn.Sequential;
import dev.cotangent.nn.data.Batch;
import dev.cotangent.nn.data.BatchIterator;
import dev.cotangent.nn.data.Batches;
import dev.cotangent.nn.data.Dataset;
import java.io.PrintStream;

/** The training loop: epochs of shuffled mini-batch steps, each followed by a pass over the test set. */
final class Trainer {
    /** Points per epoch on the training curves (and the length of the running-loss window, in steps, at most). */
    private static final int CURVE_POINTS_PER_EPOCH = 50;
    /** Samples per batch when measuring the test set: forward passes only, so larger than for training. */
    private static final int TEST_BATCH = 500;

    /** What one epoch gave. */
    record EpochResult(int epoch, double trainLoss, double seconds, double samplesPerSecond, double testLoss,
            double testAccuracy) {}

    private final Sequential model;
    private final Optimizer<Sequential> optimizer;
    private final int batchSize;
    private final long seed;
    private final PrintStream out;
    private final boolean terminal;
    /** The training pixels' mean and standard deviation: inputs are standardized with them. */
    private final double[] pixelStats;
    final Curves curves = new Curves();

    Trainer(Sequential model, Optimizer<Sequential> optimizer, int batchSize, long seed, PrintStream out,
            boolean terminal, Dataset train) {
        this.pixelStats = train.pixelMeanAndStd();
        this.model = model;
        this.optimizer = optimizer;
        this.batchSize = batchSize;
        this.seed = seed;
        this.out = out;
        this.terminal = terminal;
    }

    /** Epoch {@code epoch} (from 1) of {@code epochs} over {@code train}, then the test accuracy on {@code test}. */
    EpochResult epoch(int epoch, int epochs, Dataset train, Dataset test) {
        // Each epoch its own order, all of them fixed by the one seed.
        Batches batches = train.batches(batchSize).shuffled(seed * 1_000_003L + epoch)
                .normalized(pixelStats[0], pixelStats[1]);
        int steps = batches.count();
        int window = Math.max(1, steps / CURVE_POINTS_PER_EPOCH);
        double windowLoss = 0;
        long windowCorrect = 0;
        long windowSamples = 0;
        int windowSteps = 0;
        double epochLoss = 0;
        long start = System.nanoTime();
        String task = "epoch " + epoch + "/" + epochs;
        try (BatchIterator it = batches.open(); Progress progress = Progress.start(out, terminal, task, train.size())) {
            for (int step = 1; it.hasNext(); step++) {
                try (Batch batch = it.next()) {
                    long[] correct = new long[1];
                    double loss = optimizer.step(model, m -> {
                        Tensor logits = m.apply(batch.images());
                        correct[0] = countCorrect(logits.value(), batch.labels());
                        return Losses.softmaxCrossEntropy(logits, batch.labels());
                    });
                    if (!Double.isFinite(loss)) {
                        throw new IllegalStateException("training diverged: loss " + loss + " at step " + step
                                + " of epoch " + epoch + "; expected a finite loss (try a smaller --lr)");
                    }
                    epochLoss += loss;
                    windowLoss += loss;
                    windowCorrect += correct[0];
                    windowSamples += batch.size();
                    windowSteps++;
                    progress.advance(batch.size(), windowLoss / windowSteps);
                    if (windowSteps == window || !it.hasNext()) {
                        curves.addTraining(epoch - 1 + (double) step / steps, windowLoss / windowSteps,
                                (double) windowCorrect / windowSamples);
                        windowLoss = 0;
                        windowCorrect = 0;
                        windowSamples = 0;
                        windowSteps = 0;
                    }
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double[] testLossAndAccuracy = evaluate(test);
        curves.addTest(epoch, testLossAndAccuracy[0], testLossAndAccuracy[1]);
        return new EpochResult(epoch, epochLoss / Math.max(1, steps), seconds, train.size() / seconds,
                testLossAndAccuracy[0], testLossAndAccuracy[1]);
    }

    /** The mean loss and the accuracy of the model on every sample of {@code data}. */
    double[] evaluate(Dataset data) {
        double lossSum = 0;
        long correct = 0;
        try (BatchIterator it = data.batches(TEST_BATCH).normalized(pixelStats[0], pixelStats[1]).open()) {
            while (it.hasNext()) {
                try (Batch batch = it.next(); Scope scope = Scope.open()) {
                    Tensor logits = LearningPhase.during(LearningPhase.INFERENCE, () -> model.apply(batch.images()));
                    lossSum += Losses.softmaxCrossEntropy(logits, batch.labels()).value().item() * batch.size();
                    correct += countCorrect(logits.value(), batch.labels());
                }
            }
        }
        return new double[] {lossSum / data.size(), (double) correct / data.size()};
    }

    /** How many rows of {@code logits} [batch, classes] have their largest value at the label. */
    static long countCorrect(NdArray logits, int[] labels) {
        try (NdArray predicted = Reductions.argmax(logits, 1, false)) {
            long correct = 0;
            for (int i = 0; i < labels.length; i++) {
                if ((int) predicted.getFlat(i) == labels[i]) {
                    correct++;
                }
            }
            return correct;
        }
    }
}
