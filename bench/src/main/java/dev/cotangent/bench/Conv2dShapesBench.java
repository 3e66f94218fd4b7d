package dev.cotangent.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The other layers of {@link ConvShape} (LeNet's two, the tutorial's, ResNet's 3x3): forward and both backward
 * products beside PyTorch's ({@link ConvPair}), with the library's default placement of its GEMMs. Shorter
 * iterations than {@link Conv2dBench}: there are four layers, and ResNet's takes about 0.1 s per call.
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 400, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 14, time = 400, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class Conv2dShapesBench {
    @Param({"1", "2"})
    int threads;

    @Param({"lenet1", "lenet2", "tutorial", "resnet"})
    String shape;

    private ConvPair pair;

    @Setup
    public void setUp() {
        pair = new ConvPair(ConvShape.of(shape), threads);
    }

    @TearDown
    public void tearDown() {
        pair.close();
    }

    @Benchmark
    public void forward(Clocks clocks, Blackhole bh) {
        pair.forward(clocks, bh);
    }

    @Benchmark
    public void backwardInput(Clocks clocks, Blackhole bh) {
        pair.backwardInput(clocks, bh);
    }

    @Benchmark
    public void backwardFilter(Clocks clocks, Blackhole bh) {
        pair.backwardFilter(clocks, bh);
    }
}
