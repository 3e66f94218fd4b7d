package dev.cotangent.examples;

import dev.cotangent.autodiff.Diff;
import dev.cotangent.autodiff.Tangents;
import dev.cotangent.autodiff.Tensor;
import dev.cotangent.core.DType;
import dev.cotangent.core.Memory;
import dev.cotangent.core.NdArray;
import dev.cotangent.core.RandomArrays;
import dev.cotangent.core.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.cotangent.autodiff.ElementwiseOps.relu;

/**
 * Programs that allocate the way users do, each printing its resident set size (RSS) as {@code key=value}
 * lines, so that a test or a benchmark running it in a fresh JVM can hold memory to a bound.
 *
 * <pre>
 *   readme-loop STEPS EVERY   an MLP 784-256-10, batch 64, trained by replacing its parameters through
 *                             Tangents.move and closing nothing; prints rss_kib_at_STEP every EVERY steps
 *   gradients THREADS COUNT   COUNT gradients of that MLP, each on its own virtual thread (THREADS=virtual)
 *                             or all on this thread (THREADS=one); prints rss_kib at the end
 *   dropped COUNT             COUNT float32 arrays of 1 MiB, filled and dropped outside any scope; prints
 *                             baseline_rss_kib, peak_rss_kib (the high-water mark) and the library's peak
 * </pre>
 * Every program ends with the library's counters ({@link Memory#stats()}).
 */
public final class MemoryWorkloads {
    static final int BATCH = 64;
    static final int IN = 784;
    static final int HIDDEN = 256;
    static final int OUT = 10;

    private static final long STARTED = System.nanoTime();

    private MemoryWorkloads() {}

    /** The MLP's parameters: a record, so its gradient and Tangents.move come for free. */
    record Mlp(Tensor w1, Tensor b1, Tensor w2, Tensor b2) {
        static Mlp initial() {
            return new Mlp(normal(0.05, 1, IN, HIDDEN), Tensor.zeros(DType.F32, HIDDEN), normal(0.05, 2, HIDDEN, OUT),
                    Tensor.zeros(DType.F32, OUT));
        }

        Tensor loss(Tensor x, Tensor target) {
            Tensor hidden = relu(x.matmul(w1).plus(b1));
            return hidden.matmul(w2).plus(b2).minus(target).squared().mean();
        }
    }

    static Tensor normal(double std, long seed, int... dims) {
        return Tensor.of(RandomArrays.normal(DType.F32, Shape.of(dims), 0, std, seed));
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            throw new IllegalArgumentException("MemoryWorkloads: expected readme-loop STEPS EVERY | gradients"
                    + " virtual|one COUNT | dropped COUNT");
        }
        switch (args[0]) {
            case "readme-loop" -> readmeLoop(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            case "gradients" -> gradients(args[1], Integer.parseInt(args[2]));
            case "dropped" -> dropped(Integer.parseInt(args[1]));
            default -> throw new IllegalArgumentException("MemoryWorkloads: unknown program " + args[0]);
        }
        Memory.Stats s = Memory.stats();
        print("budget_bytes", s.budgetBytes());
        print("live_bytes", s.liveBytes());
        print("pooled_bytes", s.pooledBytes());
        print("peak_bytes", s.peakBytes());
        print("allocations", s.allocations());
        print("system_allocations", s.systemAllocations());
        print("reclamations", s.reclamations());
        print("forced_gcs", s.forcedGcs());
        print("reclamation_us", Math.round(s.reclamationMillis() * 1e3));
        print("run_ms", (System.nanoTime() - STARTED) / 1_000_000);
    }

    /** The README's training loop: nothing is closed, the old parameters are simply dropped. */
    static void readmeLoop(int steps, int every) {
        Mlp mlp = Mlp.initial();
        Tensor x = normal(1, 3, BATCH, IN);
        Tensor target = normal(1, 4, BATCH, OUT);
        long start = System.nanoTime();
        for (int step = 1; step <= steps; step++) {
            Mlp gradient = Diff.gradient(mlp, m -> m.loss(x, target));
            mlp = Tangents.move(mlp, Tangents.scale(gradient, -0.01));
            if (step % every == 0) {
                print("rss_kib_at_" + step, rssKib("VmRSS"));
            }
        }
        System.out.printf(Locale.ROOT, "seconds=%.1f%n", (System.nanoTime() - start) / 1e9);
        System.out.printf(Locale.ROOT, "loss=%.6g%n", mlp.loss(x, target).doubleValue());
    }

    /** {@code count} independent gradients, each on a virtual thread of its own, or all on this one. */
    static void gradients(String threads, int count) throws Exception {
        Mlp mlp = Mlp.initial();
        Tensor x = normal(1, 3, BATCH, IN);
        Tensor target = normal(1, 4, BATCH, OUT);
        // NOTE: one gradient first, on this thread, in both modes: the first products wait for the Java GEMM's
        // one-time warm-up, and virtual threads parked in that wait would all hold their arrays at once.
        double checksum = Diff.gradient(mlp, m -> m.loss(x, target)).b2().sum().doubleValue();
        switch (threads) {
            case "one" -> {
                for (int i = 0; i < count; i++) {
                    checksum += Diff.gradient(mlp, m -> m.loss(x, target)).b2().sum().doubleValue();
                }
            }
            case "virtual" -> {
                List<Future<Double>> results = new ArrayList<>();
                try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                    for (int i = 0; i < count; i++) {
                        results.add(pool.submit(
                                () -> Diff.gradient(mlp, m -> m.loss(x, target)).b2().sum().doubleValue()));
                    }
                    for (Future<Double> r : results) {
                        checksum += r.get();
                    }
                }
            }
            default -> throw new IllegalArgumentException("gradients: threads must be virtual or one, not " + threads);
        }
        print("checksum_x1e3", Math.round(checksum * 1e3));
        print("rss_kib", rssKib("VmRSS"));
        print("heap_committed_kib", Runtime.getRuntime().totalMemory() >> 10);
    }

    /** Arrays of 1 MiB dropped as soon as they are filled: only the library's reclamation frees them. */
    static void dropped(int count) {
        NdArray.zeros(DType.F32, 1).close(); // loads the library before the baseline
        print("baseline_rss_kib", rssKib("VmRSS"));
        double sum = 0;
        for (int i = 0; i < count; i++) {
            NdArray a = NdArray.zeros(DType.F32, 1 << 18);
            a.fill(i);
            sum += a.getDouble(i % (1 << 18));
        }
        print("checksum", Math.round(sum));
        print("peak_rss_kib", rssKib("VmHWM"));
    }

    /** The integer {@code key=value} lines of a program's output, in order: what a parent process reads. */
    public static Map<String, Long> parseOutput(String output) {
        Map<String, Long> values = new LinkedHashMap<>();
        for (String line : output.lines().toList()) {
            String[] kv = line.split("=", 2);
            if (kv.length == 2 && kv[1].matches("-?\\d+")) {
                values.put(kv[0], Long.parseLong(kv[1]));
            }
        }
        return values;
    }

    private static void print(String key, long value) {
        System.out.println(key + "=" + value);
    }

    /** A field of /proc/self/status in KiB: VmRSS (resident now) or VmHWM (the high-water mark). */
    static long rssKib(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").strip());
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("MemoryWorkloads: cannot read /proc/self/status (Linux only)", e);
        }
        throw new IllegalStateException("MemoryWorkloads: no " + field + " in /proc/self/status");
    }
}
