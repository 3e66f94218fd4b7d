package dev.cotangent.bench;

import java.util.Map;

/** The report of each group: medians turned into rates, ratios and target checks. */
final class Reports {
    private Reports() {}

    /** The elementwise operators held to the transcendental target (float32 polynomials, not memory moves). */
    private static final java.util.Set<String> TRANSCENDENTAL = java.util.Set.of("exp", "log", "tanh", "sigmoid");

    static void matmul(Results r, Report out) {
        // The peak is measured here, in the same run, on 1 and 2 threads: a loaded machine lowers it too.
        double[] peak = {Double.NaN, FmaPeak.gflops(1, 5), FmaPeak.gflops(2, 5)};
        out.line("  FMA peak (512-bit Vector API FMAs, 12 accumulators): %.1f GFLOP/s on 1 thread, %.1f on 2",
                peak[1], peak[2]);
        double minRatio = Double.POSITIVE_INFINITY;
        double minRatioOneThread = Double.POSITIVE_INFINITY;
        double minPeakRatio = Double.POSITIVE_INFINITY;
        for (int n : new int[] {128, 256, 512, 1024, 2048}) {
            for (int t : new int[] {1, 2}) {
                Results.Series pair = r.get("pair", "n=" + n, "threads=" + t);
                double flops = 2.0 * n * n * n;
                double lib = flops / pair.sideMedian("a") / 1e9;
                double blas = flops / pair.sideMedian("b") / 1e9;
                // rate ratio library/cblas = time ratio cblas/library, taken per iteration (on more than one
                // thread the sides take alternate iterations: see MatmulBench.pair)
                double ratio = t == 1 ? pair.ratioMedian("b", "a") : pair.alternateRatioMedian("b", "a");
                String quartiles = t == 1 ? pair.ratioQuartiles("b", "a") : pair.alternateRatioQuartiles("b", "a");
                minRatio = Math.min(minRatio, ratio);
                if (t == 1) {
                    minRatioOneThread = Math.min(minRatioOneThread, ratio);
                }
                double ofPeak = lib / peak[t];
                if (n == 256 || n == 1024 || n == 2048) {
                    minPeakRatio = Math.min(minPeakRatio, ofPeak);
                }
                out.line("  n=%-4d threads=%d  library %7.1f GFLOP/s (spread %5.1f%%, %.2f of peak)  cblas %7.1f"
                        + " GFLOP/s (spread %5.1f%%)  ratio %.3f %s", n, t, lib, 100 * pair.sideSpread("a"), ofPeak,
                        blas, 100 * pair.sideSpread("b"), ratio, quartiles);
                String key = "n" + n + "_t" + t;
                out.put(key + "_lib_gflops", lib, 1);
                out.put(key + "_cblas_gflops", blas, 1);
                out.put(key + "_ratio", ratio, 3);
            }
        }
        out.put("min_ratio_t1", minRatioOneThread, 3);
        out.put("min_ratio", minRatio, 3);
        out.target("target_ge_0.97", minRatio, minRatio >= 0.97);
        out.put("peak_t1_gflops", peak[1], 1);
        out.put("peak_t2_gflops", peak[2], 1);
        out.put("peak_ratio_min", minPeakRatio, 3);
        out.target("peak_target_ge_0.75", minPeakRatio, minPeakRatio >= 0.75);
        out.target("no_slower_than_cblas", minRatio, minRatio >= 1);
        for (int t : new int[] {1, 2}) {
            Map<String, String> w = MatmulWarmup.inFreshJvm(128, t);
            out.line("  fresh JVM, n=128, %d thread%s: first product after %s ms, first 20 at %s GFLOP/s, steady %s"
                    + " GFLOP/s reached after %s ms (%s products)", t, t == 1 ? "" : "s", w.get("first_product_ms"),
                    w.get("first20_gflops"), w.get("steady_gflops"), w.get("steady_after_ms"),
                    w.get("steady_after_calls"));
            out.put("t" + t + "_first20_gflops", w.getOrDefault("first20_gflops", "na"));
            out.put("t" + t + "_steady_after_ms", w.getOrDefault("steady_after_ms", "na"));
        }
    }

    static void elementwise(Results r, Report out) {
        double minRatio = Double.POSITIVE_INFINITY;
        double[] minTranscendental16m = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
        for (int t : new int[] {1, 2}) {
            for (int size : new int[] {1 << 20, 1 << 24}) {
                String label = (size >> 20) + "M";
                for (String op : new String[] {"add", "mul", "exp", "log", "tanh", "sigmoid", "relu"}) {
                    Results.Series pair = r.get(op, "size=" + size, "threads=" + t);
                    // bytes moved: every input read once, the output written once
                    int bytesPerElement = op.equals("add") || op.equals("mul") ? 12 : 8;
                    double gbps = (double) bytesPerElement * size / pair.sideMedian("a") / 1e9;
                    // the reference: the faster of the one-thread copy (B) and, with two threads, the split one (C)
                    double copy = 8.0 * size / pair.fasterSideMedian("b", "c") / 1e9;
                    // bandwidth ratio = (bytes_op / t_op) / (bytes_copy / t_copy), taken per iteration
                    double scale = bytesPerElement / 8.0;
                    double ratio = scale * pair.fasterRatioMedian("a", "b", "c");
                    boolean transcendental = TRANSCENDENTAL.contains(op);
                    if (!transcendental) {
                        minRatio = Math.min(minRatio, ratio);
                    } else if (size == 1 << 24) {
                        minTranscendental16m[t - 1] = Math.min(minTranscendental16m[t - 1], ratio);
                    }
                    out.line("  t%d %-3s %-7s %6.2f GB/s (spread %5.1f%%)  copy %6.2f GB/s  ratio %.3f %s", t, label, op,
                            gbps, 100 * pair.sideSpread("a"), copy, ratio, pair.fasterRatioQuartiles("a", scale, "b", "c"));
                    String key = "t" + t + "_" + op + "_" + label;
                    out.put(key + "_gbps", gbps, 2);
                    out.put(key + "_copy_gbps", copy, 2);
                    out.put(key + "_ratio", ratio, 3);
                }
            }
        }
        out.put("min_ratio_add_mul_relu", minRatio, 3);
        out.target("target_ge_0.8", minRatio, minRatio >= 0.8);
        // The summary key is at two threads, the library's default on this 2-core machine, against the faster of
        // a one- and a two-thread copy; the one-thread figure is printed beside it.
        out.put("min_transcendental_bw_ratio_16m_t1", minTranscendental16m[0], 3);
        out.put("min_transcendental_bw_ratio_16m", minTranscendental16m[1], 3);
        out.target("transcendental_target_ge_0.8", minTranscendental16m[1], minTranscendental16m[1] >= 0.8);
    }

    static void conv2d(Results r, Report out) {
        Peer.info(out);
        double maxRatio = Double.NEGATIVE_INFINITY;
        for (String gemm : new String[] {"default", "backend"}) {
            String strategy = gemm;
            double worst = Double.NEGATIVE_INFINITY;
            for (int t : new int[] {1, 2}) {
                String key = strategy + "_t" + t + "_";
                double total = 0;
                double torchTotal = 0;
                double torchPaired = 0;
                for (String[] op : new String[][] {{"forward", "fwd"}, {"backwardInput", "bwd_input"},
                        {"backwardFilter", "bwd_filter"}}) {
                    Results.Series pair = r.get(op[0], "threads=" + t, "gemm=" + gemm);
                    double ms = pair.sideMedian("a") * 1e3;
                    double tms = pair.sideMedian("b") * 1e3;
                    // the sides ran in alternate iterations (see Conv2dBench): ours over torch's next iteration
                    double ratio = pair.alternateRatioMedian("a", "b");
                    total += ms;
                    torchTotal += tms;
                    torchPaired += ms / ratio;
                    out.line("  gemm=%-7s threads=%d %-10s ours %8.3f ms (spread %5.1f%%)  torch %8.3f ms"
                            + " (spread %5.1f%%)  ratio %.2f %s", gemm, t, op[1], ms, 100 * pair.sideSpread("a"),
                            tms, 100 * pair.sideSpread("b"), ratio, pair.alternateRatioQuartiles("a", "b"));
                    out.put(key + op[1] + "_ms", ms, 3);
                    out.put(key + "torch_" + op[1] + "_ms", tms, 3);
                    out.put(key + op[1] + "_ratio", ratio, 3);
                }
                // torch's time per product as implied by the paired ratio, so that one noisy stretch on one side
                // does not decide the total
                double ratio = total / torchPaired;
                worst = Double.isNaN(ratio) || Double.isNaN(worst) ? Double.NaN : Math.max(worst, ratio);
                out.line("  gemm=%-7s threads=%d total      ours %8.3f ms                 torch %8.3f ms"
                        + "                 ratio %.2f (sum of ours / sum of ours per paired ratio)", gemm, t,
                        total, torchTotal, ratio);
                out.put(key + "total_ms", total, 3);
                out.put(key + "torch_total_ms", torchTotal, 3);
                out.put(key + "ratio", ratio, 3);
            }
            out.put("max_ratio_" + strategy, worst, 3);
            if (gemm.equals("default")) {
                maxRatio = worst; // what users get
            }
        }
        out.put("max_ratio", maxRatio, 3);
        out.target("target_le_1.5", maxRatio, maxRatio <= 1.5);
        convShapes(r, out);
    }

    /**
     * The per-layer table: every {@link ConvShape}, 1 and 2 threads, each product's time on both sides and its
     * paired ratio, and the total; then the worst product and the worst total over all of them.
     */
    private static void convShapes(Results r, Report out) {
        out.line("  per layer, library default (ms; ratio = ours / torch, median of paired iterations):");
        out.line("  %-9s %-2s  %-26s %-26s %-26s %s", "layer", "t", "forward  ours/torch/ratio",
                "input grad", "filter grad", "total ratio");
        double worstDirection = Double.NEGATIVE_INFINITY;
        double worstTotal = Double.NEGATIVE_INFINITY;
        String[][] ops = {{"forward", "fwd"}, {"backwardInput", "bwd_input"}, {"backwardFilter", "bwd_filter"}};
        for (ConvShape shape : ConvShape.values()) {
            for (int t : new int[] {1, 2}) {
                String key = shape.key() + "_t" + t + "_";
                StringBuilder row = new StringBuilder();
                double total = 0;
                double torchPaired = 0;
                for (String[] op : ops) {
                    Results.Series pair = shape == ConvShape.BENCH
                            ? r.get(op[0], "threads=" + t, "gemm=default")
                            : r.get(op[0], "threads=" + t, "shape=" + shape.key());
                    double ms = pair.sideMedian("a") * 1e3;
                    double tms = pair.sideMedian("b") * 1e3;
                    double ratio = pair.alternateRatioMedian("a", "b");
                    total += ms;
                    torchPaired += ms / ratio;
                    worstDirection = worse(worstDirection, ratio);
                    row.append(String.format(java.util.Locale.ROOT, " %8.3f/%8.3f/%5.2f   ", ms, tms, ratio));
                    out.put(key + op[1] + "_ms", ms, 3);
                    out.put(key + "torch_" + op[1] + "_ms", tms, 3);
                    out.put(key + op[1] + "_ratio", ratio, 3);
                }
                double ratio = total / torchPaired;
                worstTotal = worse(worstTotal, ratio);
                out.line("  %-9s %-2d %s %5.2f", shape.key(), t, row, ratio);
                out.put(key + "total_ratio", ratio, 3);
            }
        }
        out.put("worst_direction_ratio", worstDirection, 3);
        out.put("worst_total_ratio", worstTotal, 3);
        out.target("target_direction_le_1", worstDirection, worstDirection <= 1);
        out.target("target_total_le_0.8", worstTotal, worstTotal <= 0.8);
    }

    /** The larger of two ratios, NaN (a side not measured) winning. */
    private static double worse(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b);
    }

    static void pool(Results r, Report out) {
        double minRatio = Double.POSITIVE_INFINITY;
        for (ConvShape shape : ConvShape.values()) {
            double in = shape.output().size() * 4.0;
            double pooled = PoolBench.outputOf(shape.output()).size() * 4.0;
            // bytes each op must move: max and avg read the input and write the output; the max gradient reads
            // the input and the output gradient and writes the input gradient; the average gradient does not
            // need the input
            double[] bytes = {in + pooled, in + pooled, 2 * in + pooled, in + pooled};
            String[] ops = {"max", "avg", "maxBackward", "avgBackward"};
            for (int i = 0; i < ops.length; i++) {
                Results.Series pair = r.get(ops[i], "shape=" + shape.key());
                double gbps = bytes[i] / pair.sideMedian("a") / 1e9;
                double copy = 2 * in / pair.sideMedian("b") / 1e9;
                double scale = bytes[i] / (2 * in);
                double ratio = scale * pair.ratioMedian("b", "a");
                minRatio = Math.min(minRatio, ratio);
                out.line("  %-9s %-12s %7.2f GB/s (spread %5.1f%%)  copy %7.2f GB/s  ratio %.3f %s  (input %s)",
                        shape.key(), ops[i], gbps, 100 * pair.sideSpread("a"), copy, ratio,
                        pair.ratioQuartiles("b", "a", scale), shape.output());
                out.put(shape.key() + "_" + ops[i] + "_gbps", gbps, 2);
                out.put(shape.key() + "_" + ops[i] + "_ratio", ratio, 3);
            }
        }
        out.put("min_bw_ratio", minRatio, 3);
        out.target("target_ge_0.8", minRatio, minRatio >= 0.8);
    }

    static void alloc(Results r, Report out) {
        Results.Series cycles = r.get("cycles");
        double scope = cycles.sideMedian("a") * 1e9;
        double close = cycles.sideMedian("b") * 1e9;
        double arena = cycles.sideMedian("c") * 1e9;
        out.line("  NdArray.empty in a Scope, released at close  %7.1f ns/cycle (spread %5.1f%%)", scope,
                100 * cycles.sideSpread("a"));
        out.line("  NdArray.empty + close() without a scope      %7.1f ns/cycle (spread %5.1f%%)", close,
                100 * cycles.sideSpread("b"));
        out.line("  Arena.ofConfined().allocate(1024) + close    %7.1f ns/cycle (spread %5.1f%%)", arena,
                100 * cycles.sideSpread("c"));
        out.put("scope_ns", scope, 1);
        out.put("close_ns", close, 1);
        out.put("arena_ns", arena, 1);
        out.line("  scope/arena ratio %.3f %s", cycles.ratioMedian("a", "c"), cycles.ratioQuartiles("a", "c"));
        out.put("ratio", cycles.ratioMedian("a", "c"), 3);
        out.put("close_ratio", cycles.ratioMedian("b", "c"), 3);
    }

    static void tape(Results r, Report out) {
        int steps = TapeOverheadBench.STEPS;
        int ops = steps * TapeOverheadBench.OPS_PER_STEP;
        Results.Series grad = r.get("gradient");
        Results.Series fwd = r.get("forward");
        double ours = grad.sideMedian("a") * 1e6;
        double torch = grad.sideMedian("b") * 1e6;
        double oursFwd = fwd.sideMedian("a") * 1e6;
        double torchFwd = fwd.sideMedian("b") * 1e6;
        out.line("  %d steps of x = sin(x)*1.0001+0.1 = %d ops (sin, times and plus count one op each), 1 thread",
                steps, ops);
        out.line("  gradient (forward+backward): ours %9.1f us (spread %5.1f%%) = %.3f us/op, %.3f us/step;"
                + "  torch %9.1f us (spread %5.1f%%) = %.3f us/op", ours, 100 * grad.sideSpread("a"), ours / ops,
                ours / steps, torch, 100 * grad.sideSpread("b"), torch / ops);
        out.line("  forward alone:               ours %9.1f us = %.3f us/op;  torch %9.1f us = %.3f us/op", oursFwd,
                oursFwd / ops, torchFwd, torchFwd / ops);
        out.put("ops", String.valueOf(ops));
        out.put("us_per_op", ours / ops, 3);
        out.put("us_per_step", ours / steps, 3);
        out.put("forward_us_per_op", oursFwd / ops, 3);
        out.put("torch_us_per_op", torch / ops, 3);
        out.put("torch_us_per_step", torch / steps, 3);
        out.put("torch_forward_us_per_op", torchFwd / ops, 3);
        out.line("  ratio ours/torch %.3f %s", grad.ratioMedian("a", "b"), grad.ratioQuartiles("a", "b"));
        out.put("ratio", grad.ratioMedian("a", "b"), 3);
        out.target("target_le_1us_per_op", ours / ops, ours / ops <= 1.0);
    }

    static void matmulGrad(Results r, Report out) {
        double maxRatio = Double.NEGATIVE_INFINITY;
        for (int t : new int[] {1, 2}) {
            Results.Series pair = r.get("pair", "threads=" + t);
            double grad = pair.sideMedian("a") * 1e3;
            double kernels = pair.sideMedian("b") * 1e3;
            double ratio = pair.ratioMedian("a", "b");
            maxRatio = Math.max(maxRatio, ratio);
            out.line("  threads=%d  gradient %8.2f ms (spread %5.1f%%)  3 GEMMs + relu %8.2f ms (spread %5.1f%%)"
                    + "  ratio %.3f %s", t, grad, 100 * pair.sideSpread("a"), kernels, 100 * pair.sideSpread("b"),
                    ratio, pair.ratioQuartiles("a", "b"));
            out.put("t" + t + "_grad_ms", grad, 2);
            out.put("t" + t + "_kernels_ms", kernels, 2);
            out.put("t" + t + "_ratio", ratio, 3);
        }
        out.put("max_ratio", maxRatio, 3);
        out.target("target_le_1.1", maxRatio, maxRatio <= 1.1);
    }

    /**
     * A training-step group: per thread count (and variant) the three sides' median step times and the ratio of
     * ours to the faster peer; {@code ratio} is the worst of them, checked against {@code target}.
     */
    static void trainingStep(Results r, Report out, double target, String... variants) {
        Peer.info(out);
        double worst = Double.NEGATIVE_INFINITY;
        double worstTorch = Double.NEGATIVE_INFINITY;
        for (String variant : variants) {
            for (int t : new int[] {1, 2}) {
                Results.Series s = variant.isEmpty() ? r.get("step", "threads=" + t)
                        : r.get("step", "threads=" + t, variant);
                double ours = s.sideMedian("a") * 1e3;
                double torch = s.sideMedian("b") * 1e3;
                double djl = s.sideMedian("c") * 1e3;
                double faster = Double.isNaN(djl) ? torch : Double.isNaN(torch) ? djl : Math.min(torch, djl);
                double ratio = ours / faster;
                worst = Double.isNaN(ratio) || Double.isNaN(worst) ? Double.NaN : Math.max(worst, ratio);
                worstTorch = Math.max(worstTorch, ours / torch);
                String key = (variant.isEmpty() ? "" : variant.substring(variant.indexOf('=') + 1) + "_") + "t" + t;
                out.line("  %-14s threads=%d  ours %9.4f ms (spread %5.1f%%)  torch %9.4f ms (spread %5.1f%%)  djl %9.4f"
                        + " ms (spread %5.1f%%)  ours/faster peer %.3f", variant, t, ours, 100 * s.sideSpread("a"),
                        torch, 100 * s.sideSpread("b"), djl, 100 * s.sideSpread("c"), ratio);
                out.put(key + "_ms", ours, 4);
                out.put(key + "_torch_ms", torch, 4);
                out.put(key + "_djl_ms", djl, 4);
                out.put(key + "_ratio", ratio, 3);
                double[] bytes = s.counters().get("systemBytes");
                double[] steps = s.counters().get("steps");
                double maxPerStep = 0;
                for (int i = 0; i < bytes.length; i++) {
                    if (steps[i] > 0) {
                        maxPerStep = Math.max(maxPerStep, bytes[i] / steps[i]);
                    }
                }
                out.line("  %-14s threads=%d  bytes allocated from the system per step after warm-up: %.0f (worst"
                        + " iteration)", variant, t, maxPerStep);
                out.put(key + "_os_bytes_per_step", maxPerStep, 0);
            }
        }
        out.put("torch_ratio", worstTorch, 3);
        out.put("ratio", worst, 3);
        out.target("target_le_" + target, worst, worst <= target);
    }

    static void checkpoint(Results r, Report out) {
        double worstMemory = Double.POSITIVE_INFINITY;
        double worstTime = Double.NEGATIVE_INFINITY;
        for (int t : new int[] {1, 2}) {
            Results.Series s = r.get("step", "threads=" + t);
            double plain = s.sideMedian("a") * 1e3;
            double recomputed = s.sideMedian("b") * 1e3;
            double timeRatio = s.ratioMedian("b", "a");
            double plainPeak = Stats.median(perStep(s, "plainPeakBytes", "plainSteps")) / (1 << 20);
            double recomputedPeak = Stats.median(perStep(s, "recomputedPeakBytes", "recomputedSteps")) / (1 << 20);
            double memoryRatio = plainPeak / recomputedPeak;
            worstMemory = Math.min(worstMemory, memoryRatio);
            worstTime = Math.max(worstTime, timeRatio);
            out.line("  threads=%d  plain %8.2f ms, peak activations %7.1f MiB   recomputed in segments of %d %8.2f ms,"
                    + " peak activations %7.1f MiB   memory ratio %.2f  time ratio %.3f %s", t, plain, plainPeak,
                    CheckpointBench.SEGMENT, recomputed, recomputedPeak, memoryRatio, timeRatio,
                    s.ratioQuartiles("b", "a"));
            out.put("t" + t + "_plain_ms", plain, 2);
            out.put("t" + t + "_recomputed_ms", recomputed, 2);
            out.put("t" + t + "_plain_peak_mib", plainPeak, 1);
            out.put("t" + t + "_recomputed_peak_mib", recomputedPeak, 1);
        }
        out.put("memory_ratio", worstMemory, 2);
        out.put("time_ratio", worstTime, 3);
        out.target("target_memory_ge_2.5", worstMemory, worstMemory >= 2.5);
        out.target("target_time_le_1.4", worstTime, worstTime <= 1.4);
    }

    private static double[] perStep(Results.Series s, String sum, String count) {
        double[] total = s.counters().get(sum);
        double[] n = s.counters().get(count);
        double[] out = new double[total.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = total[i] / n[i];
        }
        return out;
    }
}
