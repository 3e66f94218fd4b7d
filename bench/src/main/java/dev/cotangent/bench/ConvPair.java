package dev.cotangent.bench;

import dev.cotangent.core.Convolution;
import dev.cotangent.core.DType;
import dev.cotangent.core.NdArray;
import dev.cotangent.core.RandomArrays;
import dev.cotangent.core.Scope;
import java.util.function.Supplier;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One convolution layer measured against PyTorch: the library's forward and both backward products (side A)
 * and the same product in the PyTorch peer (side B, NCHW, same thread count), in alternate iterations of one
 * run (see {@link Clocks}, {@link TorchPeer}). Used by the conv2d group's JMH classes.
 */
final class ConvPair implements AutoCloseable {
    private final ConvShape shape;
    private final NdArray input;
    private final NdArray filter;
    private final NdArray gradOut;
    private final TorchPeer torch;

    ConvPair(ConvShape shape, int threads) {
        BenchSupport.setThreads(threads);
        this.shape = shape;
        input = RandomArrays.normal(DType.F32, shape.input, 0, 1, 1);
        filter = RandomArrays.normal(DType.F32, shape.filter, 0, 0.1, 2);
        gradOut = RandomArrays.normal(DType.F32, shape.output(), 0, 1, 3);
        torch = TorchPeer.startOrNull(threads);
    }

    void forward(Clocks clocks, Blackhole bh) {
        pair(clocks, bh, () -> Convolution.conv2d(input, filter, shape.params), "conv_fwd");
    }

    void backwardInput(Clocks clocks, Blackhole bh) {
        pair(clocks, bh, () -> Convolution.conv2dBackwardInput(gradOut, filter, shape.input, shape.params),
                "conv_bwd_input");
    }

    void backwardFilter(Clocks clocks, Blackhole bh) {
        pair(clocks, bh, () -> Convolution.conv2dBackwardFilter(input, gradOut, shape.filter, shape.params),
                "conv_bwd_filter");
    }

    // NOTE: not back to back: after a call, OpenBLAS's and OpenMP's worker threads spin for a while, and on 2 cores
    // they would slow the other side's next call (torch took 3x longer at 2 threads that way). So whole
    // iterations alternate between the sides.
    private void pair(Clocks clocks, Blackhole bh, Supplier<NdArray> ours, String torchOp) {
        if (clocks.aIteration()) {
            long t = System.nanoTime();
            try (Scope s = Scope.open()) {
                bh.consume(ours.get());
            }
            clocks.a(t, 1);
        } else if (torch != null) {
            clocks.bMeasured(torch.run(torchOp + ":" + shape.key()), 1);
        }
    }

    @Override
    public void close() {
        input.close();
        filter.close();
        gradOut.close();
        if (torch != null) {
            torch.close();
        }
    }
}
