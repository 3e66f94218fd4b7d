package dev.cotangent.bench;

import dev.cotangent.core.DType;
import dev.cotangent.core.Elementwise;
import dev.cotangent.core.NdArray;
import dev.cotangent.core.RandomArrays;
import dev.cotangent.core.Scope;
import dev.cotangent.core.Shape;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
 * copy back to back (see {@link Clocks}): side A the kernel, side B the copy on one thread, and with two library
 * threads side C the copy split in halves over two threads, so that the kernel's extra thread is measured
 * against a copy that may use one too. The reports take the faster copy of each invocation.
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

    /** Library threads: runs of 64K elements or more split over them. */
    @Param({"1", "2"})
    int threads;

    private NdArray x;
    /** |x|: log's domain, so that it measures logarithms rather than NaNs. */
    private NdArray positive;
    private NdArray y;
    private NdArray dst;
    private MemorySegment xSeg;
    private MemorySegment dstSeg;
    /** The second thread of the two-thread copy (side C). */
    private ExecutorService copyHelper;

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
        if (threads == 2) {
            copyHelper = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "bench-copy-helper");
                t.setDaemon(true);
                return t;
            });
        }
    }

    @TearDown
    public void tearDown() {
        x.close();
        positive.close();
        y.close();
        dst.close();
        if (copyHelper != null) {
            copyHelper.shutdownNow();
        }
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

    /** Reads and writes {@code size} floats: 8 bytes moved per element; with two threads, also split in halves. */
    private void copy(Clocks clocks, Blackhole bh) {
        long t = System.nanoTime();
        dstSeg.copyFrom(xSeg);
        bh.consume(dstSeg);
        clocks.b(t, 1);
        if (copyHelper != null) {
            long half = xSeg.byteSize() / 2;
            t = System.nanoTime();
            Future<?> second = copyHelper.submit(() -> dstSeg.asSlice(half).copyFrom(xSeg.asSlice(half)));
            dstSeg.asSlice(0, half).copyFrom(xSeg.asSlice(0, half));
            try {
                second.get();
            } catch (InterruptedException | ExecutionException e) {
                throw new IllegalStateException("bench: the two-thread copy failed", e);
            }
            bh.consume(dstSeg);
            clocks.c(t, 1);
        }
    }
}
