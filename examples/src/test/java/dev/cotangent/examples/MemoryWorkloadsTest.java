package dev.cotangent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Native memory held to a bound under real use, each program in a fresh JVM that reports its own RSS.
 *
 * <p>The README loop runs its full 10,000 steps here (about a minute on a quiet machine); the thread comparison
 * runs 300 gradients, to keep the suite's cost down, and {@code scripts/bench memory} the full 10,000.
 */
class MemoryWorkloadsTest {

    /** Runs a {@link MemoryWorkloads} program in a child JVM and returns its {@code key=value} lines. */
    static Map<String, Long> run(List<String> jvmFlags, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"));
        String backend = System.getProperty("cotangent.backend", "");
        if (!backend.isBlank()) {
            cmd.add("-Dcotangent.backend=" + backend);
        }
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), MemoryWorkloads.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "child JVM timed out");
        assertEquals(0, p.exitValue(), out);
        return MemoryWorkloads.parseOutput(out);
    }

    @Test
    void theReadmeLoopHoldsItsRssSteady() throws Exception {
        Map<String, Long> out = run(List.of(), "readme-loop", "10000", "1000");
        long reference = out.get("rss_kib_at_1000");
        for (int step = 2000; step <= 10000; step += 1000) {
            long rss = out.get("rss_kib_at_" + step);
            assertTrue(Math.abs(rss - reference) <= reference / 10, "RSS at step " + step + " is " + rss
                    + " KiB, more than 10% from " + reference + " KiB at step 1,000: " + out);
        }
        assertTrue(out.get("forced_gcs") > 0, "dropped parameters are only freed by a collection: " + out);
    }

    @Test
    void droppedArraysStayUnderTheBudget() throws Exception {
        long budgetMib = 256;
        Map<String, Long> out = run(List.of("-Dcotangent.memory.budget=" + budgetMib + "m"), "dropped", "4000");
        assertEquals(budgetMib << 20, out.get("budget_bytes"));
        assertTrue(out.get("peak_bytes") <= budgetMib << 20, out.toString());
        long growthMib = (out.get("peak_rss_kib") - out.get("baseline_rss_kib")) >> 10;
        assertTrue(growthMib <= budgetMib, "4,000 dropped 1 MiB arrays grew RSS by " + growthMib + " MiB: " + out);
    }

    @Test
    void virtualThreadsGiveTheirMemoryBack() throws Exception {
        int gradients = 300;
        // NOTE: both children get the same fixed, pre-touched heap. With a default heap, G1 sizes its young
        // generation from the run's allocation rate and GC time, and the heap pages it happens to touch in a run
        // this short vary by 100 MiB between identical runs: that noise is the collector's, not memory that
        // finished threads keep. scripts/bench memory measures the full 10,000 gradients with the default heap.
        List<String> heap = List.of("-Xms128m", "-Xmx128m", "-XX:+AlwaysPreTouch");
        Map<String, Long> virtual = run(heap, "gradients", "virtual", String.valueOf(gradients));
        Map<String, Long> oneThread = run(heap, "gradients", "one", String.valueOf(gradients));
        assertEquals(oneThread.get("checksum_x1e3"), virtual.get("checksum_x1e3"));
        assertTrue(virtual.get("rss_kib") <= oneThread.get("rss_kib") * 3 / 2, gradients + " gradients on virtual"
                + " threads end at " + virtual + ", on one thread at " + oneThread);
    }
}
