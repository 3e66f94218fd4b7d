package dev.cotangent.bench;

import org.jspecify.annotations.Nullable;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One training step of a model, by the library (side A), PyTorch (side B, torch_peer.py) and DJL on its PyTorch
 * engine (side C, the DJL peer), each with {@code threads} threads. The three take whole iterations in turn:
 * their worker threads would slow each other back to back (see {@link Conv2dBench}). Each side first checks
 * that its step trains (the loss falls over a few steps). Subclasses give the model, its names and how long to run.
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
public abstract class TrainingStepBench {
    @Param({"1", "2"})
    public int threads;

    private TrainingModels.Step ours;
    private @Nullable TorchPeer torch;
    private @Nullable TorchPeer djl;
    private final String name;
    private final String peerOp;

    /** A step called {@code name} here and {@code peerOp} by the peers. */
    TrainingStepBench(String name, String peerOp) {
        this.name = name;
        this.peerOp = peerOp;
    }

    /** The library's step. */
    abstract TrainingModels.Step step();

    /** The PyTorch peer's name of the same step; null when it has none. */
    @Nullable String torchOp() {
        return peerOp;
    }

    /** The DJL peer's name of the same step; null when it has none. */
    @Nullable String djlOp() {
        return peerOp;
    }

    @Setup
    public void setUp() {
        BenchSupport.setThreads(threads);
        ours = TrainingModels.checked(name, step(), 3);
        torch = torchOp() == null ? null : TorchPeer.startOrNull(threads);
        djl = djlOp() == null ? null : TorchPeer.startOrNull("djl", () -> Peer.djlProcessBuilder(threads));
    }

    @TearDown
    public void tearDown() {
        if (torch != null) {
            torch.close();
        }
        if (djl != null) {
            djl.close();
        }
    }

    @Benchmark
    public double step(Clocks clocks, StepMemory memory) {
        switch (clocks.iterationSide(3)) {
            case 0 -> {
                long system = NativeMemory.systemBytes();
                long t = System.nanoTime();
                double loss = ours.run();
                clocks.a(t, 1);
                memory.add(NativeMemory.systemBytes() - system);
                return loss;
            }
            case 1 -> {
                if (torch != null) {
                    clocks.bMeasured(torch.run(torchOp()), 1);
                }
            }
            default -> {
                if (djl != null) {
                    clocks.cMeasured(djl.run(djlOp()), 1);
                }
            }
        }
        return 0;
    }
}
