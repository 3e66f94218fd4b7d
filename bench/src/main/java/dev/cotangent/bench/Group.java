package dev.cotangent.bench;

import java.util.List;

/**
 * A named set of benchmarks measured together with their reference, and how to turn the medians into a report.
 *
 * @param name      what {@code scripts/bench NAME} selects
 * @param about     one line for {@code --list}
 * @param benchmarks the JMH classes whose benchmarks the group runs
 * @param reporter   builds the human lines and the RESULT line from the medians
 */
record Group(String name, String about, List<Class<?>> benchmarks, Reporter reporter) {
    /** A group of one JMH class. */
    Group(String name, String about, Class<?> benchmark, Reporter reporter) {
        this(name, about, List.of(benchmark), reporter);
    }

    /** Turns one group's results into a report (and may run the PyTorch peer). */
    @FunctionalInterface
    interface Reporter {
        void report(Results results, Report report);
    }

    /** Every group, in the order {@code scripts/bench} runs them. */
    static List<Group> all() {
        return List.of(
                new Group("matmul", "float32 n=128..2048, 1 and 2 threads: library vs direct cblas_sgemm and the FMA peak (GFLOP/s)",
                        MatmulBench.class, Reports::matmul),
                new Group("elementwise", "add, mul, exp, log, tanh, sigmoid, relu on 1M and 16M floats, 1 and 2 threads, vs MemorySegment.copyFrom (GB/s)",
                        ElementwiseBench.class, Reports::elementwise),
                new Group("conv2d", "NHWC [64,32,32,3] * [5,5,3,32] SAME and the lenet, tutorial and ResNet layers:"
                        + " forward + both backwards vs PyTorch (ms)", List.of(Conv2dBench.class,
                        Conv2dShapesBench.class), Reports::conv2d),
                new Group("pool", "2x2 max and average pooling, forward and backward, on the conv2d layers' outputs"
                        + " vs MemorySegment.copyFrom (bandwidth ratio)", PoolBench.class, Reports::pool),
                new Group("alloc", "allocate and release a 1 KiB array in a Scope vs Arena.ofConfined (ns)",
                        AllocBench.class, Reports::alloc),
                new Group("tape-overhead", "1000 steps of x = sin(x)*1.0001+0.1, gradient, vs PyTorch (us/op)",
                        TapeOverheadBench.class, Reports::tape),
                new Group("matmul-grad", "grad of sum(relu(A.B)), 1024^2, vs its three GEMMs + relu (ratio)",
                        MatmulGradBench.class, Reports::matmulGrad),
                new Group("mlp", "784-512-512-10 MLP, batch 256, SGD step, 1 and 2 threads, vs PyTorch and DJL (ms)",
                        MlpBench.class, (r, out) -> Reports.trainingStep(r, out, 0.8, "")),
                new Group("lenet", "LeNet-like CNN, batch 64 of 32x32x3, SGD step, vs PyTorch and DJL (ms)",
                        LenetBench.class, (r, out) -> Reports.trainingStep(r, out, 1.0, "")),
                new Group("seed-mlp", "the tutorial's XOR MLP step vs PyTorch and DJL (ms)",
                        SeedMlpBench.class, (r, out) -> Reports.trainingStep(r, out, 0.5, "")),
                new Group("seed-cnn", "the tutorial's CNN step, conv plain and recomputed, vs PyTorch and DJL (ms)",
                        SeedCnnBench.class,
                        (r, out) -> Reports.trainingStep(r, out, 0.5, "conv=plain", "conv=recomputed")),
                new Group("checkpoint", "16x1024 relu MLP, batch 512: peak activation memory and step time,"
                        + " plain vs recomputed in segments", CheckpointBench.class, Reports::checkpoint));
    }
}
