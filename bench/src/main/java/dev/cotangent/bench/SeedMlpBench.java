package dev.cotangent.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The tutorial's XOR MLP step (Dense 2->10 relu, 10->1 relu, broadcasting squared error, SGD at 0.02); beside
 * PyTorch and DJL.
 */
@Warmup(iterations = 6, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 15, time = 500, timeUnit = TimeUnit.MILLISECONDS)
public class SeedMlpBench extends TrainingStepBench {
    public SeedMlpBench() {
        super("seed-mlp", "seed_mlp_step");
    }

    @Override
    TrainingModels.Step step() {
        return TrainingModels.seedMlp();
    }
}
