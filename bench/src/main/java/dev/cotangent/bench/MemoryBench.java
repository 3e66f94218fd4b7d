package dev.cotangent.bench;

import dev.cotangent.examples.MemoryWorkloads;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code memory} group: the example programs of {@code MemoryWorkloads}, each in a fresh JVM that reports
 * its own RSS, and the cost of the collections the library forced. Not JMH: what is measured is memory over a
 * whole run, not the time of an operation.
 *
 * <p>Prints {@code RESULT memory readme_loop_rss_growth=<RSS at step 10,000 / at step 1,000>
 * virtual_threads_rss_ratio=<RSS after 10,000 gradients on virtual threads / on one thread>
 * dropped_tensors_peak_mib=<RSS high-water mark above the start while dropping 4,000 arrays of 1 MiB>} and the
 * forced collections' count and total time. {@code bench.quick=true} runs 2,000 steps and 1,000 gradients.
 */
public final class MemoryBench {
    private MemoryBench() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        boolean quick = Boolean.getBoolean("bench.quick");
        int steps = quick ? 2000 : 10_000;
        int every = steps / 10;
        int gradients = quick ? 1000 : 10_000;
        String loadBefore = loadAverage();
        long start = System.nanoTime();
        System.out.printf(Locale.ROOT, "== memory: README loop (%,d steps), %,d gradients on virtual threads vs one thread,"
                + " 4,000 dropped 1 MiB arrays; each in a fresh JVM%s%n", steps, gradients,
                quick ? " (QUICK MODE: fewer steps and gradients)" : "");
        System.out.flush();

        Map<String, Long> loop = run("readme-loop", String.valueOf(steps), String.valueOf(every));
        StringBuilder samples = new StringBuilder();
        for (int s = every; s <= steps; s += every) {
            samples.append(' ').append(loop.get("rss_kib_at_" + s) >> 10);
        }
        double growth = (double) loop.get("rss_kib_at_" + steps) / loop.get("rss_kib_at_" + every);
        Map<String, Long> virtual = run("gradients", "virtual", String.valueOf(gradients));
        Map<String, Long> one = run("gradients", "one", String.valueOf(gradients));
        double threadRatio = (double) virtual.get("rss_kib") / one.get("rss_kib");
        Map<String, Long> dropped = run("dropped", "4000");
        long droppedPeakMib = (dropped.get("peak_rss_kib") - dropped.get("baseline_rss_kib")) >> 10;

        Report report = new Report("memory");
        report.line("  README loop RSS (MiB) every %,d steps:%s; ratio step %,d / step %,d = %.3f", every, samples,
                steps, every, growth);
        report.line("  %,d gradients: RSS %d MiB on virtual threads, %d MiB on one thread: ratio %.3f", gradients,
                virtual.get("rss_kib") >> 10, one.get("rss_kib") >> 10, threadRatio);
        report.line("  4,000 dropped 1 MiB arrays: RSS peak %d MiB above the start (library peak %d MiB held)",
                droppedPeakMib, dropped.get("peak_bytes") >> 20);
        long gcs = 0;
        double ms = 0;
        for (Map.Entry<String, Map<String, Long>> e : Map.of("readme-loop", loop, "virtual", virtual, "one-thread",
                one, "dropped", dropped).entrySet()) {
            gcs += e.getValue().get("forced_gcs");
            ms += e.getValue().get("reclamation_us") / 1e3;
        }
        report.line("  forced collections: README loop %d in %.0f ms (of %.0f s), virtual %d, one thread %d,"
                + " dropped %d", loop.get("forced_gcs"), loop.get("reclamation_us") / 1e3,
                loop.get("run_ms") / 1e3, virtual.get("forced_gcs"), one.get("forced_gcs"), dropped.get("forced_gcs"));
        report.line("  memory took %.0f s; load average before %s, after %s (on %d CPUs)",
                (System.nanoTime() - start) / 1e9, loadBefore, loadAverage(), Runtime.getRuntime().availableProcessors());
        report.put("readme_loop_rss_growth", growth, 3);
        report.put("virtual_threads_rss_ratio", threadRatio, 3);
        report.put("dropped_tensors_peak_mib", String.valueOf(droppedPeakMib));
        report.put("forced_gcs", String.valueOf(gcs));
        report.put("forced_gc_ms", ms, 0);
        report.print(System.out);
    }

    /** Runs one program of the workloads in a fresh JVM and returns its {@code key=value} lines that are integers. */
    private static Map<String, Long> run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(BenchSupport.JVM_FLAGS);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), MemoryWorkloads.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("bench memory: " + String.join(" ", args) + " failed:\n" + out);
        }
        return MemoryWorkloads.parseOutput(out);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split("\\s+")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }
}
