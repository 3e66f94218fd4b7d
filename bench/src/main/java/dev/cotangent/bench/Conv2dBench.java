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
 * The CIFAR-sized layer ({@link ConvShape#BENCH}: [64,32,32,3] * [5,5,3,32], SAME): forward and both backward
 * products beside PyTorch's ({@link ConvPair}), for both placements of the library's convolution GEMMs. The other
 * layers run in {@link Conv2dShapesBench}, with the library's default placement only.
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 6, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 20, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class Conv2dBench {
    @Param({"1", "2"})
    int threads;

    /**
     * Where the convolution's GEMMs run: {@code default}, the library's choice (with 2 threads each thread takes
     * whole chunks and calls a single-threaded GEMM); or {@code backend} ({@code cotangent.conv.gemm=backend}),
     * every GEMM on the backend's own threading, chunk after chunk, with im2col split over the Java threads.
     */
    @Param({"default", "backend"})
    String gemm;

    private ConvPair pair;

    @Setup
    public void setUp() {
        // NOTE: read when Convolution is initialised, which in this fresh fork happens after these lines.
        if (gemm.equals("default")) {
            System.clearProperty("cotangent.conv.gemm");
        } else {
            System.setProperty("cotangent.conv.gemm", gemm);
        }
        pair = new ConvPair(ConvShape.BENCH, threads);
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
