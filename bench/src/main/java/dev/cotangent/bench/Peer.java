package dev.cotangent.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How to start the peers: the PyTorch one, scripts/bench-peers/torch_peer.py, by {@link TorchPeer} inside a
 * benchmark fork and here for its {@code info} lines; and the DJL one, scripts/bench-peers/djl.
 *
 * <p>System properties (the forks inherit them from the host JVM): {@code bench.python} (interpreter, default
 * {@code python3}), {@code bench.peers} (folder of the script, default {@code scripts/bench-peers}) and
 * {@code bench.torch.blas} (a folder holding the libblas.so.3 torch should load, put first on its
 * LD_LIBRARY_PATH).
 */
final class Peer {
    /** glibc settings the peer runs with, also printed in the report. */
    static final String MALLOC_MMAP_THRESHOLD = "33554432";
    static final String MALLOC_TRIM_THRESHOLD = "1073741824";

    private Peer() {}

    static Path script() {
        return Path.of(System.getProperty("bench.peers", "scripts/bench-peers"), "torch_peer.py");
    }

    /** A process builder for the peer with {@code args}; throws naming the script when it is missing. */
    static ProcessBuilder processBuilder(String... args) {
        Path script = script();
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException("bench: PyTorch peer " + script.toAbsolutePath()
                    + " not found; set -Dbench.peers to the folder holding torch_peer.py");
        }
        List<String> command = new ArrayList<>(List.of(System.getProperty("bench.python", "python3"),
                script.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        // NOTE: glibc hands each large tensor fresh mmap'd pages, and first touches are very slow in some VMs
        // (this one: ~12 us per 4 KiB page, 24 ms per 8 MiB output). Our arrays come from a pool, so to compare
        // kernels and not page faults torch gets a heap that keeps its pages (32 MiB is glibc's largest
        // mmap threshold).
        pb.environment().putIfAbsent("MALLOC_MMAP_THRESHOLD_", MALLOC_MMAP_THRESHOLD);
        pb.environment().putIfAbsent("MALLOC_TRIM_THRESHOLD_", MALLOC_TRIM_THRESHOLD);
        String blas = System.getProperty("bench.torch.blas", "");
        if (!blas.isEmpty()) {
            // NOTE: Debian's torch calls BLAS through libblas.so.3; with the pthread OpenBLAS its thread pool and
            // torch's OpenMP pool fight, so only this process is pointed at the OpenMP build.
            String old = pb.environment().get("LD_LIBRARY_PATH");
            pb.environment().put("LD_LIBRARY_PATH", old == null || old.isEmpty() ? blas : blas + ":" + old);
        }
        return pb;
    }

    /**
     * The DJL peer (scripts/bench-peers/djl, built by scripts/bench) with {@code threads} libtorch threads, from
     * the classpath in {@code bench.djl.classpath}; throws when that is not set.
     */
    static ProcessBuilder djlProcessBuilder(int threads) {
        String classpath = System.getProperty("bench.djl.classpath", "");
        if (classpath.isEmpty()) {
            throw new IllegalStateException("bench: DJL peer not built; set -Dbench.djl.classpath (scripts/bench"
                    + " builds scripts/bench-peers/djl and sets it)");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Dai.djl.offline=true",
                "-cp", classpath, "dev.cotangent.benchpeer.DjlPeer", "--threads", String.valueOf(threads));
        pb.environment().put("OMP_NUM_THREADS", String.valueOf(threads));
        return pb;
    }

    /** Adds the peer's {@code info} lines (torch build, convolution kernels) to the report. */
    static void info(Report report) {
        report.line("  torch peer: %s with MALLOC_MMAP_THRESHOLD_=%s MALLOC_TRIM_THRESHOLD_=%s, BLAS %s",
                System.getProperty("bench.python", "python3"), MALLOC_MMAP_THRESHOLD, MALLOC_TRIM_THRESHOLD,
                System.getProperty("bench.torch.blas", "").isEmpty() ? "the system's libblas.so.3"
                        : "from " + System.getProperty("bench.torch.blas"));
        try {
            Process p = processBuilder("info").redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("INFO ")) {
                        report.line("  torch: %s", line.substring(5));
                    }
                }
            }
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                report.line("  torch peer info timed out");
            } else if (p.exitValue() != 0) {
                report.line("  torch peer info failed (exit %d)", p.exitValue());
            }
        } catch (IOException | RuntimeException e) {
            report.line("  torch peer not run: %s", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
