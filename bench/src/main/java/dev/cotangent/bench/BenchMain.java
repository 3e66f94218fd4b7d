package dev.cotangent.bench;

import dev.cotangent.core.Backend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs benchmark groups with JMH and prints, per group, a few readable lines and one
 * {@code RESULT <group> key=value ...} line built from the medians of the measurement iterations.
 *
 * <p>Usage: {@code java <flags> -jar benchmarks.jar [--list] [GROUP ...]}; no group means all of them.
 * {@code java -jar benchmarks.jar jmh <JMH options>} hands over to JMH's own command line. System properties:
 * {@code bench.quick=true} (short iterations, for smoke tests; numbers are then not meaningful),
 * {@code bench.logs} (folder for the full JMH logs), and those read by {@link Peer}.
 */
public final class BenchMain {
    private BenchMain() {}

    public static void main(String[] args) throws RunnerException, IOException {
        if (args.length > 0 && args[0].equals("jmh")) {
            org.openjdk.jmh.Main.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        Map<String, Group> known = new LinkedHashMap<>();
        Group.all().forEach(g -> known.put(g.name(), g));
        if (Arrays.asList(args).contains("--list")) {
            known.values().forEach(g -> System.out.printf("%-14s %s%n", g.name(), g.about()));
            return;
        }
        List<Group> selected = new ArrayList<>();
        for (String name : args) {
            Group g = known.get(name);
            if (g == null) {
                System.err.println("bench: unknown group '" + name + "'; expected one of " + known.keySet());
                System.exit(2);
            }
            selected.add(g);
        }
        if (selected.isEmpty()) {
            selected.addAll(known.values());
        }
        Path logs = Path.of(System.getProperty("bench.logs", "bench/target/jmh-logs"));
        Files.createDirectories(logs);
        printHeader();
        Map<String, Double> seconds = new LinkedHashMap<>();
        for (Group g : selected) {
            long start = System.nanoTime();
            Path log = logs.resolve(g.name() + ".log");
            String loadBefore = loadAverage();
            System.out.printf("== %s: %s (JMH log: %s)%n", g.name(), g.about(), log);
            System.out.flush();
            Collection<RunResult> runs = new Runner(options(g, log).build()).run();
            Report report = new Report(g.name());
            g.reporter().report(Results.of(runs), report);
            double took = (System.nanoTime() - start) / 1e9;
            seconds.put(g.name(), took);
            // The machine may be shared: the load average says how much the numbers can be trusted.
            report.line("  %s took %.0f s; load average before %s, after %s (on %d CPUs)", g.name(), took, loadBefore,
                    loadAverage(), Runtime.getRuntime().availableProcessors());
            report.print(System.out);
        }
        StringBuilder sb = new StringBuilder("== wall time per group:");
        seconds.forEach((k, v) -> sb.append(String.format(Locale.ROOT, " %s %.0fs", k, v)));
        sb.append(String.format(Locale.ROOT, "; total %.0fs",
                seconds.values().stream().mapToDouble(Double::doubleValue).sum()));
        System.out.println(sb);
    }

    private static ChainedOptionsBuilder options(Group g, Path log) {
        ChainedOptionsBuilder b = new OptionsBuilder();
        for (Class<?> benchmark : g.benchmarks()) {
            b.include("^" + Pattern.quote(benchmark.getName()) + "\\.");
        }
        b.forks(1)
                .jvmArgsAppend(BenchSupport.JVM_FLAGS.toArray(String[]::new))
                .shouldFailOnError(true)
                .output(log.toString());
        if (Boolean.getBoolean("bench.quick")) {
            b.warmupIterations(1).warmupTime(TimeValue.milliseconds(300))
                    .measurementIterations(3).measurementTime(TimeValue.milliseconds(300));
        }
        return b;
    }

    private static void printHeader() {
        System.out.printf("bench: Java %s (%s), %d CPUs: %s%n", Runtime.version(), System.getProperty("java.vm.name"),
                Runtime.getRuntime().availableProcessors(), cpuModel());
        System.out.printf("bench: %s%n", Backend.describe());
        StringBuilder env = new StringBuilder();
        for (String k : List.of("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")) {
            String v = System.getenv(k);
            if (v != null) {
                env.append(' ').append(k).append('=').append(v);
            }
        }
        System.out.printf("bench: environment:%s%n", env.isEmpty() ? " (no OPENBLAS_*/OMP_* variables)" : env);
        System.out.printf("bench: medians over JMH measurement iterations, 1 fork%s%n",
                Boolean.getBoolean("bench.quick") ? " (QUICK MODE: short iterations, numbers are rough)" : "");
        System.out.flush();
    }

    /** The 1-minute load average, or "?" where /proc/loadavg is missing. */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split("\\s+")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the architecture is the best we have
        }
        return System.getProperty("os.arch");
    }
}
