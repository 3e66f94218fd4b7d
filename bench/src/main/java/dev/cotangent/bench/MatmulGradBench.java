package dev.cotangent.bench;

import dev.cotangent.autodiff.Diff;
import dev.cotangent.autodiff.ElementwiseOps;
import dev.cotangent.autodiff.ReductionOps;
import dev.cotangent.autodiff.Tensor;
import dev.cotangent.core.DType;
import dev.cotangent.core.Elementwise;
import dev.cotangent.core.LinearAlgebra;
import dev.cotangent.core.NdArray;
import dev.cotangent.core.RandomArrays;
import dev.cotangent.core.Scope;
import dev.cotangent.core.Shape;
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
 * Gradient of {@code sum(relu(A·B))} with respect to A and B (1024², float32) beside the work it cannot avoid:
 * the three GEMMs (A·B, G·Bᵀ, Aᵀ·G) and one relu, called directly on the kernels. Both sides run in each
 * invocation (see {@link Clocks}).
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MatmulGradBench {
    static final int N = 1024;

    @Param({"1", "2"})
    int threads;

    private NdArray a;
    private NdArray b;
    private NdArray g;
    private Tensor ta;
    private Tensor tb;

    @Setup
    public void setUp() {
        BenchSupport.setThreads(threads);
        Shape shape = Shape.of(N, N);
        a = RandomArrays.normal(DType.F32, shape, 0, 1, 1);
        b = RandomArrays.normal(DType.F32, shape, 0, 1, 2);
        g = RandomArrays.normal(DType.F32, shape, 0, 1, 3);
        ta = Tensor.of(a);
        tb = Tensor.of(b);
    }

    @TearDown
    public void tearDown() {
        a.close();
        b.close();
        g.close();
    }

    /** Side A, the gradient; side B, the kernels it cannot avoid; back to back in alternating order. */
    @Benchmark
    public void pair(Clocks clocks, Blackhole bh) {
        if (clocks.aFirst()) {
            gradient(clocks, bh);
            kernels(clocks, bh);
        } else {
            kernels(clocks, bh);
            gradient(clocks, bh);
        }
    }

    private void gradient(Clocks clocks, Blackhole bh) {
        long t = System.nanoTime();
        try (Scope s = Scope.open()) {
            bh.consume(Diff.gradient(ta, tb, (x, y) -> ReductionOps.sum(ElementwiseOps.relu(x.matmul(y)))));
        }
        clocks.a(t, 1);
    }

    private void kernels(Clocks clocks, Blackhole bh) {
        long t = System.nanoTime();
        try (Scope s = Scope.open()) {
            NdArray c = LinearAlgebra.matmul(a, b);
            bh.consume(Elementwise.relu(c));
            bh.consume(LinearAlgebra.matmul(g, b, false, true));
            bh.consume(LinearAlgebra.matmul(a, g, true, false));
        }
        clocks.b(t, 1);
    }
}
