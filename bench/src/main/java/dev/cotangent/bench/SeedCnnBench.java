package dev.cotangent.bench;

import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The tutorial's CNN step (conv 5x5 3->6, maxpool 2, flatten, dense 216->10, softmax cross-entropy on
 * [10, 16, 16, 3], SGD), with the convolution plain or recomputed in backpropagation (PyTorch:
 * torch.utils.checkpoint; DJL has no recomputation, so it runs only the plain step).
 */
@Warmup(iterations = 6, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 15, time = 500, timeUnit = TimeUnit.MILLISECONDS)
public class SeedCnnBench extends TrainingStepBench {
    @Param({"plain", "recomputed"})
    public String conv;

    public SeedCnnBench() {
        super("seed-cnn", "seed_cnn_step");
    }

    @Override
    TrainingModels.Step step() {
        return TrainingModels.seedCnn(conv.equals("recomputed"));
    }

    @Override
    String torchOp() {
        return conv.equals("recomputed") ? "seed_cnn_recomputed_step" : super.torchOp();
    }

    @Override
    @Nullable String djlOp() {
        return conv.equals("recomputed") ? null : super.djlOp();
    }
}
