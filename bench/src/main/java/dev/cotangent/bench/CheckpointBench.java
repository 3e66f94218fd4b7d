package dev.cotangent.bench;

import dev.cotangent.autodiff.Tensor;
import dev.cotangent.nn.Sequential;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A deep MLP's training step ({@value TrainingModels#DEEP_LAYERS} relu Dense layers
 * {@value TrainingModels#DEEP_WIDTH} wide, batch {@value TrainingModels#DEEP_BATCH}) plain (side A) and
 * recomputed in segments of {@value #SEGMENT} layers keeping nothing (side B), alternating: step time and peak
 * activation memory, that is the most native bytes in use during the step minus those in use before it and
 * minus the gradient's own bytes (the parameters' size, the same for both).
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(1)
public class CheckpointBench {
    /** Layers per recomputed segment: 4 segments of 4, about √16. */
    static final int SEGMENT = 4;

    @Param({"1", "2"})
    public int threads;

    private TrainingModels.Step plain;
    private TrainingModels.Step recomputed;
    private long gradientBytes;

    /** Per iteration: summed peak activation bytes and steps, per side. */
    @State(org.openjdk.jmh.annotations.Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Peaks {
        public long plainPeakBytes;
        public long plainSteps;
        public long recomputedPeakBytes;
        public long recomputedSteps;

        @Setup(Level.Iteration)
        public void reset() {
            plainPeakBytes = plainSteps = recomputedPeakBytes = recomputedSteps = 0;
        }
    }

    @Setup
    public void setUp() {
        BenchSupport.setThreads(threads);
        Sequential model = TrainingModels.deepMlp();
        for (Tensor p : model.parameters().values()) {
            gradientBytes += p.size() * p.dtype().byteSize();
        }
        plain = TrainingModels.checked("checkpoint plain", TrainingModels.deepMlp(model, 0), 0);
        recomputed = TrainingModels.checked("checkpoint recomputed", TrainingModels.deepMlp(model, SEGMENT), 0);
    }

    @Benchmark
    public void step(Clocks clocks, Peaks peaks) {
        if (clocks.aFirst()) {
            peaks.plainPeakBytes += timed(clocks, plain, true);
            peaks.recomputedPeakBytes += timed(clocks, recomputed, false);
        } else {
            peaks.recomputedPeakBytes += timed(clocks, recomputed, false);
            peaks.plainPeakBytes += timed(clocks, plain, true);
        }
        peaks.plainSteps++;
        peaks.recomputedSteps++;
    }

    /** Runs one step on side A or B; returns its peak activation bytes. */
    private long timed(Clocks clocks, TrainingModels.Step step, boolean sideA) {
        long before = NativeMemory.liveBytes();
        NativeMemory.resetPeak();
        long t = System.nanoTime();
        step.run();
        if (sideA) {
            clocks.a(t, 1);
        } else {
            clocks.b(t, 1);
        }
        return NativeMemory.peakBytes() - before - gradientBytes;
    }
}
