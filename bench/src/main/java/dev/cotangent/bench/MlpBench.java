package dev.cotangent.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Warmup;

/** 784-512-512-10 relu MLP, batch 256, softmax cross-entropy, one SGD step; beside PyTorch and DJL. */
@Warmup(iterations = 6, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 15, time = 1, timeUnit = TimeUnit.SECONDS)
public class MlpBench extends TrainingStepBench {
    public MlpBench() {
        super("mlp", "mlp_step");
    }

    @Override
    TrainingModels.Step step() {
        return TrainingModels.mlp();
    }
}
