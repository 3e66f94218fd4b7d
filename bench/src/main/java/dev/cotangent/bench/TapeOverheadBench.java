package dev.cotangent.bench;

import dev.cotangent.autodiff.Diff;
import dev.cotangent.autodiff.ElementwiseOps;
import dev.cotangent.autodiff.Tensor;
import dev.cotangent.core.Scope;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Per-op cost of the tape on scalars, where the arithmetic is free: {@value #STEPS} steps of
 * {@code x = sin(x) * 1.0001 + 0.1} (three ops each), forward and backward through {@link Diff#gradient},
 * beside the same chain in PyTorch on a scalar tensor, run by the peer process in the same invocation.
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class TapeOverheadBench {
    static final int STEPS = TorchPeer.TAPE_STEPS;
    static final int OPS_PER_STEP = 3;

    private Tensor x;
    private TorchPeer torch;

    @Setup
    public void setUp() {
        BenchSupport.setThreads(1);
        x = Tensor.scalar(0.5f);
        torch = TorchPeer.startOrNull(1);
    }

    @TearDown
    public void tearDown() {
        if (torch != null) {
            torch.close();
        }
    }

    static Tensor chain(Tensor x) {
        Tensor y = x;
        for (int i = 0; i < STEPS; i++) {
            y = ElementwiseOps.sin(y).times(1.0001).plus(0.1);
        }
        return y;
    }

    /** Forward and backward of the whole chain (side A) beside the same in PyTorch (side B). */
    @Benchmark
    public void gradient(Clocks clocks, Blackhole bh) {
        if (clocks.aFirst()) {
            timeGradient(clocks, bh);
            torch(clocks, "tape_grad");
        } else {
            torch(clocks, "tape_grad");
            timeGradient(clocks, bh);
        }
    }

    /** The same chain without a derivative: what the forward pass alone costs, on both sides. */
    @Benchmark
    public void forward(Clocks clocks, Blackhole bh) {
        if (clocks.aFirst()) {
            timeForward(clocks, bh);
            torch(clocks, "tape_fwd");
        } else {
            torch(clocks, "tape_fwd");
            timeForward(clocks, bh);
        }
    }

    // A scope per step of training releases the tape's arrays, as a training loop would.
    private void timeGradient(Clocks clocks, Blackhole bh) {
        long t = System.nanoTime();
        try (Scope s = Scope.open()) {
            bh.consume(Diff.gradient(x, TapeOverheadBench::chain));
        }
        clocks.a(t, 1);
    }

    private void timeForward(Clocks clocks, Blackhole bh) {
        long t = System.nanoTime();
        try (Scope s = Scope.open()) {
            bh.consume(chain(x));
        }
        clocks.a(t, 1);
    }

    private void torch(Clocks clocks, String op) {
        if (torch != null) {
            clocks.bMeasured(torch.run(op), 1);
        }
    }
}
