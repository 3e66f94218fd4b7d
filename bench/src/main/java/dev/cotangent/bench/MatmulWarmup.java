package dev.cotangent.bench;

import dev.cotangent.core.Backend;
import dev.cotangent.core.DType;
import dev.cotangent.core.LinearAlgebra;
import dev.cotangent.core.NdArray;
import dev.cotangent.core.RandomArrays;
import dev.cotangent.core.Scope;
import dev.cotangent.core.Shape;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Run in a fresh JVM by the matmul report: how a training run's first products go, from the first array on
 * (when the library starts warming its Java kernel) through the first product (which may wait for that, or
 * calibrate) to steady state. Prints one line of {@code key=value} pairs.
 *
 * <p>Usage: {@code MatmulWarmup N THREADS}; steady state is the median rate of the last quarter of the products
 * made in about four seconds, and is reached at the first product from which five in a row run at 90% of it.
 */
public final class MatmulWarmup {
    private static final long RUN_NANOS = 4_000_000_000L;
    private static final int FIRST = 20;

    private MatmulWarmup() {}

    /** Runs this class in a fresh JVM with the benchmarks' flags and returns its key=value pairs (empty on failure). */
    static Map<String, String> inFreshJvm(int n, int threads) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(BenchSupport.JVM_FLAGS);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), MatmulWarmup.class.getName(),
                Integer.toString(n), Integer.toString(threads)));
        Map<String, String> values = new LinkedHashMap<>();
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            for (String token : text.split("\\s+")) {
                int eq = token.indexOf('=');
                if (eq > 0) {
                    values.put(token.substring(0, eq), token.substring(eq + 1));
                }
            }
        } catch (IOException e) {
            System.err.println("bench: matmul warm-up run failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return values;
    }

    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        long start = System.nanoTime();
        NdArray a = RandomArrays.normal(DType.F32, Shape.of(n, n), 0, 1, 1);
        NdArray b = RandomArrays.normal(DType.F32, Shape.of(n, n), 0, 1, 2);
        Backend.setThreads(Integer.parseInt(args[1]));
        double flops = 2.0 * n * n * n;
        long[] ends = new long[1 << 20];
        double[] rates = new double[ends.length];
        int calls = 0;
        long t = System.nanoTime();
        while (calls < ends.length && (calls < FIRST + 100 || t - start < RUN_NANOS)) {
            try (Scope s = Scope.open()) {
                LinearAlgebra.matmul(a, b);
            }
            long now = System.nanoTime();
            rates[calls] = flops / (now - t);
            ends[calls++] = now - start;
            t = now;
        }
        double[] tail = Arrays.copyOfRange(rates, calls - calls / 4, calls);
        Arrays.sort(tail);
        double steady = tail[tail.length / 2];
        int reached = calls - 1;
        for (int i = 0; i + 5 <= calls; i++) {
            boolean ok = true;
            for (int j = i; j < i + 5 && ok; j++) {
                ok = rates[j] >= 0.9 * steady;
            }
            if (ok) {
                reached = i;
                break;
            }
        }
        double firstGflops = FIRST * flops / ends[FIRST - 1]; // flops per ns: GFLOP/s
        System.out.printf(Locale.ROOT, "first_product_ms=%.1f first%d_gflops=%.1f steady_gflops=%.1f"
                + " steady_after_ms=%.1f steady_after_calls=%d%n", ends[0] / 1e6, FIRST, firstGflops,
                steady, (reached == 0 ? 0 : ends[reached - 1]) / 1e6, reached);
        System.out.println("backend=" + Backend.describe().replace(' ', '_'));
        a.close();
        b.close();
    }
}
