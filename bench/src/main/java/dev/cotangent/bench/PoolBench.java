package dev.cotangent.bench;

import dev.cotangent.core.DType;
import dev.cotangent.core.NdArray;
import dev.cotangent.core.Padding;
import dev.cotangent.core.PoolParams;
import dev.cotangent.core.Pooling;
import dev.cotangent.core.RandomArrays;
import dev.cotangent.core.Scope;
import dev.cotangent.core.Shape;
import java.lang.foreign.MemorySegment;
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
 * 2x2 stride-2 max and average pooling, forward and backward, on the output of each {@link ConvShape} layer
 * (float32, 1 thread), beside {@link MemorySegment#copyFrom} of the pooling input's bytes: the bandwidth a
 * streaming kernel can approach. Each benchmark runs the pooling and the copy back to back (see {@link Clocks}).
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 10, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class PoolBench {
    static final PoolParams POOL = PoolParams.of(2, 2, Padding.VALID);

    @Param({"bench", "lenet1", "lenet2", "tutorial", "resnet"})
    String shape;

    private NdArray input;
    private NdArray gradOut;
    private NdArray dst;
    private MemorySegment inputSeg;
    private MemorySegment dstSeg;

    @Setup
    public void setUp() {
        BenchSupport.setThreads(1);
        Shape in = ConvShape.of(shape).output();
        input = RandomArrays.normal(DType.F32, in, 0, 1, 1);
        gradOut = RandomArrays.normal(DType.F32, outputOf(in), 0, 1, 2);
        dst = NdArray.empty(DType.F32, in);
        inputSeg = BenchSupport.elements(input);
        dstSeg = BenchSupport.elements(dst);
    }

    /** The pooled shape of {@code in}: 2x2 windows, stride 2, VALID. */
    static Shape outputOf(Shape in) {
        return Shape.of(in.dim(0), in.dim(1) / 2, in.dim(2) / 2, in.dim(3));
    }

    @TearDown
    public void tearDown() {
        input.close();
        gradOut.close();
        dst.close();
    }

    @Benchmark
    public void max(Clocks clocks, Blackhole bh) {
        pair(clocks, bh, () -> Pooling.maxPool2d(input, POOL));
    }

    @Benchmark
    public void avg(Clocks clocks, Blackhole bh) {
        pair(clocks, bh, () -> Pooling.avgPool2d(input, POOL));
    }

    @Benchmark
    public void maxBackward(Clocks clocks, Blackhole bh) {
        pair(clocks, bh, () -> Pooling.maxPool2dBackward(input, gradOut, POOL));
    }

    @Benchmark
    public void avgBackward(Clocks clocks, Blackhole bh) {
        pair(clocks, bh, () -> Pooling.avgPool2dBackward(gradOut, input.shape(), POOL));
    }

    // Every benchmark runs in its own fork, so the kernel call site sees a single lambda.
    private void pair(Clocks clocks, Blackhole bh, Supplier<NdArray> kernel) {
        if (clocks.aFirst()) {
            kernel(clocks, bh, kernel);
            copy(clocks, bh);
        } else {
            copy(clocks, bh);
            kernel(clocks, bh, kernel);
        }
    }

    private static void kernel(Clocks clocks, Blackhole bh, Supplier<NdArray> kernel) {
        long t = System.nanoTime();
        try (Scope s = Scope.open()) {
            bh.consume(kernel.get());
        }
        clocks.a(t, 1);
    }

    /** Reads and writes the pooling input's bytes. */
    private void copy(Clocks clocks, Blackhole bh) {
        long t = System.nanoTime();
        dstSeg.copyFrom(inputSeg);
        bh.consume(dstSeg);
        clocks.b(t, 1);
    }
}
