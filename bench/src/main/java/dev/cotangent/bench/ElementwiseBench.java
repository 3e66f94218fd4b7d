package dev.cotangent.bench;

import dev.cotangent.core.DType;
import dev.cotangent.core.Elementwise;
import dev.cotangent.core.NdArray;
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
 * Elementwise kernels (result allocated in a scope per call) beside {@link MemorySegment#copyFrom} of the same
 * element count, the bandwidth ceiling a streaming kernel can approach. Each benchmark runs its kernel and the
 * copy back to back (see {@link Clocks}).
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ElementwiseBench {
    /** 1 Mi floats (4 MiB, cache-sized) and 16 Mi floats (64 MiB, memory-bound). */
    @Param({"1048576", "16777216"})
    int size;

    /** Library threads; the elementwise kernels and the copy reference are single-threaded anyway. */
    @Param({"1"})
    int threads;

    private NdArray x;
    /** |x|: log's domain, so that it measures logarithms rather than NaNs. */
    private NdArray positive;
    private NdArray y;
    private NdArray dst;
    private MemorySegment xSeg;
    private MemorySegment dstSeg;

    @Setup
    public void setUp() {
        BenchSupport.setThreads(threads);
        Shape shape = Shape.of(size);
        x = RandomArrays.normal(DType.F32, shape, 0, 1, 1);
        positive = Elementwise.abs(x);
        y = RandomArrays.normal(DType.F32, shape, 0, 1, 2);
        dst = NdArray.empty(DType.F32, shape);
        xSeg = BenchSupport.elements(x);
        dstSeg = BenchSupport.elements(dst);
    }

    @TearDown
    public void tearDown() {
        x.close();
        positive.close();
        y.close();
        dst.close();
    }

    // Each benchmark pairs one kernel (side A) with the copy (side B), back to back in alternating order.

    @Benchmark
    public void add(Clocks clocks, Blackhole bh) {
        pair(clocks, bh, () -> Elementwise.add(x, y));
    }

    @Benchmark
    public void mul(Clocks clocks, Blackhole bh) {
        pair(clocks, bh, () -> Elementwise.mul(x, y));
    }

    @Benchmark
    public void exp(Clocks clocks, Blackhole bh) {
        pair(clocks, bh, () -> Elementwise.exp(x));
    }

    @Benchmark
    public void log(Clocks clocks, Blackhole bh) {
        pair(clocks, bh, () -> Elementwise.log(positive));
    }

    @Benchmark
    public void tanh(Clocks clocks, Blackhole bh) {
        pair(clocks, bh, () -> Elementwise.tanh(x));
    }

    @Benchmark
    public void sigmoid(Clocks clocks, Blackhole bh) {
        pair(clocks, bh, () -> Elementwise.sigmoid(x));
    }

    @Benchmark
    public void relu(Clocks clocks, Blackhole bh) {
        pair(clocks, bh, () -> Elementwise.relu(x));
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

    /** The kernel with its result allocated in a scope, as a user would call it. */
    private static void kernel(Clocks clocks, Blackhole bh, Supplier<NdArray> kernel) {
        long t = System.nanoTime();
        try (Scope s = Scope.open()) {
            bh.consume(kernel.get());
        }
        clocks.a(t, 1);
    }

    /** Reads and writes {@code size} floats: 8 bytes moved per element. */
    private void copy(Clocks clocks, Blackhole bh) {
        long t = System.nanoTime();
        dstSeg.copyFrom(xSeg);
        bh.consume(dstSeg);
        clocks.b(t, 1);
    }
}
