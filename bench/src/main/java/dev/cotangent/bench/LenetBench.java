package dev.cotangent.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Warmup;

/**
 * LeNet-like CNN (conv 5x5 3->32 relu, maxpool 2, conv 5x5 32->64 relu, maxpool 2, dense 1600->256 relu, 256->10),
 * batch 64 of 32x32x3, softmax cross-entropy, one SGD step; beside PyTorch and DJL.
 */
@Warmup(iterations = 6, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 15, time = 1, timeUnit = TimeUnit.SECONDS)
public class LenetBench extends TrainingStepBench {
    public LenetBench() {
        super("lenet", "lenet_step");
    }

    @Override
    TrainingModels.Step step() {
        return TrainingModels.lenet();
    }
}
