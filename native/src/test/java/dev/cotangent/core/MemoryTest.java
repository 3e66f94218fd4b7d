package dev.cotangent.core;

import static dev.cotangent.core.ElementwiseTest.assertMentions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MemoryTest {

    @Test
    void sizesParseWithBinarySuffixes() {
        assertEquals(512L << 20, MemoryBudget.parseSize("512m"));
        assertEquals(2L << 30, MemoryBudget.parseSize(" 2G "));
        assertEquals(1024, MemoryBudget.parseSize("1k"));
        assertEquals(123, MemoryBudget.parseSize("123"));
        assertEquals(3L << 40, MemoryBudget.parseSize("3t"));
        for (String bad : new String[] {"", "m", "-5m", "1.5g", "2gb", "lots", "99999999999999999999", "9999999t"}) {
            assertEquals(-1, MemoryBudget.parseSize(bad), bad);
        }
    }

    @Test
    void statsCountAllocationsAndTheBytesHeld() {
        Memory.Stats before = Memory.stats();
        try (Scope _ = Scope.open()) {
            NdArray.zeros(DType.F64, 3, 1 << 16); // 1.5 MiB: a class of its own
            Memory.Stats during = Memory.stats();
            assertTrue(during.allocations() >= before.allocations() + 1, during.toString());
            assertTrue(during.liveBytes() >= (3L << 19), during.toString());
            assertTrue(during.peakBytes() >= during.heldBytes() - (64L << 20), during.toString());
            assertTrue(during.budgetBytes() > 0 && during.heldBytes() <= during.budgetBytes(), during.toString());
        }
    }

    @Test
    void arraysClosedOutsideAScopeForceNoCollection() {
        long forced = Memory.stats().forcedGcs();
        // 512 MiB in all, eight times the growth floor: counted as growth, this forced a collection every 64 MiB.
        for (int i = 0; i < 512; i++) {
            NdArray a = NdArray.empty(DType.F32, 1 << 18);
            a.close();
        }
        assertEquals(forced, Memory.stats().forcedGcs());
    }

    @Test
    void arraysTouchedByKernelWorkersGoBackToThePool() {
        int threads = Parallel.threads();
        Parallel.setThreads(2);
        try {
            NdArray x = KernelChecks.random(new java.util.Random(3), DType.F32, 16, 32, 32, 16);
            NdArray w = KernelChecks.random(new java.util.Random(4), DType.F32, 5, 5, 16, 32);
            Conv2dParams p = Conv2dParams.of(1, Padding.SAME);
            Runnable step = () -> {
                try (Scope _ = Scope.open()) {
                    // Split over both threads: the workers read and write these arrays.
                    NdArray y = Convolution.conv2d(x, w, p);
                    Convolution.conv2dBackwardInput(y, w, x.shape(), p);
                    Convolution.conv2dBackwardFilter(x, y, w.shape(), p);
                }
            };
            for (int i = 0; i < 3; i++) {
                step.run();
            }
            long before = Memory.stats().systemAllocations();
            for (int i = 0; i < 10; i++) {
                step.run();
            }
            // Freed instead of pooled, every step took its arrays from the system again.
            assertEquals(before, Memory.stats().systemAllocations());
        } finally {
            Parallel.setThreads(threads);
        }
    }

    @Test
    void aFinishedThreadsCacheGoesToTheSharedPool() throws InterruptedException {
        long bytes = BufferPool.classBytes(BufferPool.sizeClass(5L << 20));
        Thread worker = Thread.ofPlatform().start(() -> {
            try (Scope _ = Scope.open()) {
                NdArray.zeros(DType.F32, 5 << 18); // 5 MiB, into this thread's cache when the scope closes
            }
        });
        worker.join();
        long sharedBefore = BufferPool.idleBytes();
        BufferPool.reapFinishedThreads();
        assertTrue(BufferPool.idleBytes() >= sharedBefore + bytes, "the finished thread's buffer was not taken back");
    }

    /** Child-JVM entry point: allocates 16 MiB arrays and keeps them until the budget says no. */
    public static final class OverBudget {
        public static void main(String[] args) {
            List<NdArray> kept = new ArrayList<>();
            try {
                for (int i = 0; i < 64; i++) {
                    kept.add(NdArray.zeros(DType.F32, 1 << 22));
                }
                System.out.println("no error after " + kept.size() + " arrays");
            } catch (OutOfMemoryError | IllegalStateException e) {
                System.out.println("kept=" + kept.size());
                System.out.println(e);
            }
        }
    }

    private static String child(String... properties) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(List.of(properties));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), OverBudget.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM timed out");
        return out;
    }

    @Test
    void anAllocationPastTheBudgetFailsNamingTheBudgetTheLiveBytesAndTheProperty() throws Exception {
        String out = child("-Dcotangent.memory.budget=100m");
        assertTrue(out.contains("kept=6\n"), out); // 6 x 16 MiB fit in 100 MiB, the 7th does not
        assertTrue(out.contains("java.lang.OutOfMemoryError: zeros: a float32 array of shape [4194304]"), out);
        assertTrue(out.contains("the budget is 104,857,600 bytes (system property cotangent.memory.budget)"), out);
        assertTrue(out.contains("100,663,296 bytes are live"), out);
        assertTrue(out.contains("-Dcotangent.memory.budget=<size>"), out);
    }

    @Test
    void theBudgetDefaultsToMaxDirectMemorySize() throws Exception {
        String out = child("-XX:MaxDirectMemorySize=40m");
        assertTrue(out.contains("kept=2\n"), out);
        assertTrue(out.contains("(-XX:MaxDirectMemorySize)"), out);
    }

    @Test
    void aBudgetThatIsNotASizeIsAnError() throws Exception {
        String out = child("-Dcotangent.memory.budget=lots");
        assertTrue(out.contains("kept=0\n"), out);
        assertMentions(new IllegalStateException(out), "cotangent.memory.budget=lots is not a size", "512m");
    }
}
