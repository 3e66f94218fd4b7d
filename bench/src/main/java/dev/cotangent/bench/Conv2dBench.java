package dev.cotangent.bench;

import dev.cotangent.core.Conv2dParams;
import dev.cotangent.core.Convolution;
import dev.cotangent.core.DType;
import dev.cotangent.core.NdArray;
import dev.cotangent.core.Padding;
import dev.cotangent.core.RandomArrays;
import dev.cotangent.core.Scope;
import dev.cotangent.core.Shape;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
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
 * A CIFAR-sized convolution layer (NHWC input [64,32,32,3], filter [5,5,3,32], stride 1, SAME): forward and both
 * backward products (side A), each beside the same product in PyTorch (side B, NCHW, same thread count) run by
 * the peer process in alternate iterations of the same run (see {@link Clocks}, {@link TorchPeer}); for both
 * placements of the library's convolution GEMMs.
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 6, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 20, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class Conv2dBench {
    static final Shape INPUT = Shape.of(64, 32, 32, 3);
    static final Shape FILTER = Shape.of(5, 5, 3, 32);
    static final Shape OUTPUT = Shape.of(64, 32, 32, 32);

    @Param({"1", "2"})
    int threads;

    /**
     * Where the convolution's GEMMs run: {@code default}, the library's choice (with 2 threads each thread takes
     * whole chunks and calls a single-threaded GEMM); or {@code backend} ({@code cotangent.conv.gemm=backend}),
     * every GEMM on the backend's own threading, chunk after chunk, with im2col split over the Java threads.
     */
    @Param({"default", "backend"})
    String gemm;

    private Conv2dParams params;
    private NdArray input;
    private NdArray filter;
    private NdArray gradOut;
    private TorchPeer torch;

    @Setup
    public void setUp() {
        // NOTE: read when Convolution is initialised, which in this fresh fork happens after these lines.
        if (gemm.equals("default")) {
            System.clearProperty("cotangent.conv.gemm");
        } else {
            System.setProperty("cotangent.conv.gemm", gemm);
        }
        BenchSupport.setThreads(threads);
        params = new Conv2dParams(1, 1, Padding.SAME, 1, 1);
        input = RandomArrays.normal(DType.F32, INPUT, 0, 1, 1);
        filter = RandomArrays.normal(DType.F32, FILTER, 0, 0.1, 2);
        gradOut = RandomArrays.normal(DType.F32, OUTPUT, 0, 1, 3);
        torch = TorchPeer.startOrNull(threads);
    }

    @TearDown
    public void tearDown() {
        input.close();
        filter.close();
        gradOut.close();
        if (torch != null) {
            torch.close();
        }
    }

    @Benchmark
    public void forward(Clocks clocks, Blackhole bh) {
        pair(clocks, bh, () -> Convolution.conv2d(input, filter, params), "conv_fwd");
    }

    @Benchmark
    public void backwardInput(Clocks clocks, Blackhole bh) {
        pair(clocks, bh, () -> Convolution.conv2dBackwardInput(gradOut, filter, INPUT, params), "conv_bwd_input");
    }

    @Benchmark
    public void backwardFilter(Clocks clocks, Blackhole bh) {
        pair(clocks, bh, () -> Convolution.conv2dBackwardFilter(input, gradOut, FILTER, params), "conv_bwd_filter");
    }

    // NOTE: not back to back: after a call, OpenBLAS's and OpenMP's worker threads spin for a while, and on 2 cores
    // they would slow the other side's next call (torch took 3x longer at 2 threads that way). So whole
    // iterations alternate between the sides. Every benchmark runs in its own fork: one lambda per call site.
    private void pair(Clocks clocks, Blackhole bh, Supplier<NdArray> ours, String torchOp) {
        if (clocks.aIteration()) {
            ours(clocks, bh, ours);
        } else {
            torch(clocks, torchOp);
        }
    }

    private static void ours(Clocks clocks, Blackhole bh, Supplier<NdArray> op) {
        long t = System.nanoTime();
        try (Scope s = Scope.open()) {
            bh.consume(op.get());
        }
        clocks.a(t, 1);
    }

    private void torch(Clocks clocks, String op) {
        if (torch != null) {
            clocks.bMeasured(torch.run(op), 1);
        }
    }
}
