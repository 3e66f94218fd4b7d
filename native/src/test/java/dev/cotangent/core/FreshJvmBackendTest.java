package dev.cotangent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings read once per JVM, each in a fresh one: the backend property and the array size limit. */
class FreshJvmBackendTest {

    /** Child-JVM entry point: one line per call, its result or its exception. */
    public static final class Probe {
        public static void main(String[] args) {
            report("kind", () -> Backend.kind());
            report("describe", Backend::describe);
            report("setThreads", () -> {
                Backend.setThreads(1);
                return "ok";
            });
            report("matmul", () -> LinearAlgebra.matmul(NdArray.ones(DType.F32, 2, 2), NdArray.ones(DType.F32, 2, 2)));
            report("zeros", () -> NdArray.zeros(DType.F32, 300).size());
            report("conv2d", () -> Convolution.conv2d(NdArray.ones(DType.F32, 1, 4, 4, 16),
                    NdArray.ones(DType.F32, 3, 3, 16, 16), Conv2dParams.of(1, Padding.SAME)).shape());
            report("describeAfter", Backend::describe);
        }

        private static void report(String what, java.util.function.Supplier<Object> call) {
            try {
                System.out.println(what + "=" + call.get().toString().replace('\n', ' '));
            } catch (RuntimeException e) {
                System.out.println(what + "=" + e);
            }
        }
    }

    private static List<String> probe(String... properties) throws IOException, InterruptedException {
        List<String> options = new ArrayList<>(List.of("--add-modules=jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED"));
        options.addAll(List.of(properties));
        return ChildJvm.run(Probe.class, options);
    }

    private static String line(List<String> lines, String what) {
        return lines.stream().filter(l -> l.startsWith(what + "=")).findFirst().orElseThrow(() -> new AssertionError(
                "no " + what + " in " + lines));
    }

    @Test
    void anUnknownBackendIsAnErrorListingTheValidOnes() throws Exception {
        List<String> out = probe("-Dcotangent.backend=jav");
        String expected = "java.lang.IllegalStateException: Backend: system property cotangent.backend=jav is not a"
                + " backend; expected one of auto, openblas, java (or unset)";
        for (String call : new String[] {"kind", "describe", "setThreads", "matmul"}) {
            assertEquals(call + "=" + expected, line(out, call));
        }
        assertEquals("zeros=300", line(out, "zeros"), "arrays without a GEMM still work");
    }

    @Test
    void anUnknownConvolutionSettingIsAnErrorNamingTheAcceptedValues() throws Exception {
        assertEquals("conv2d=java.lang.IllegalStateException: conv2d: system property cotangent.conv.winograd=no is"
                + " not understood; expected auto or off (or unset)", line(probe("-Dcotangent.conv.winograd=no"),
                        "conv2d"));
        assertEquals("conv2d=java.lang.IllegalStateException: conv2d: system property cotangent.conv.gemm=blas is not"
                + " understood; expected default or backend (or unset)", line(probe("-Dcotangent.conv.gemm=blas"),
                        "conv2d"));
        for (String ok : new String[] {"-Dcotangent.conv.winograd=off", "-Dcotangent.conv.winograd=AUTO",
            "-Dcotangent.conv.gemm=backend"}) {
            assertEquals("conv2d=[1, 4, 4, 16]", line(probe(ok), "conv2d"), ok);
        }
    }

    @Test
    void theNamedBackendsAndAutoAreAccepted() throws Exception {
        assertEquals("kind=JAVA", line(probe("-Dcotangent.backend= Java "), "kind"));
        String auto = line(probe("-Dcotangent.backend=auto"), "kind");
        assertTrue(auto.equals("kind=OPENBLAS") || auto.equals("kind=JAVA"), auto);
        assertEquals("matmul=[[2.0, 2.0],  [2.0, 2.0]]", line(probe("-Dcotangent.backend=auto"), "matmul"));
    }

    @Test
    void openblasRequiredButMissingIsAnError() throws Exception {
        List<String> out = probe("-Dcotangent.backend=openblas", "-Dcotangent.blas.library=/nonexistent/libopenblas.so");
        String kind = line(out, "kind");
        assertTrue(kind.startsWith("kind=java.lang.IllegalStateException: Backend: system property"
                + " cotangent.backend=openblas requires OpenBLAS, which did not load: "), kind);
        assertTrue(kind.contains("/nonexistent/libopenblas.so: failed: no such file"), kind);
    }

    @Test
    void anUnknownGemmKernelIsAnErrorListingTheValidOnes() throws Exception {
        List<String> out = probe("-Dcotangent.gemm=fast");
        String expected = "java.lang.IllegalStateException: Backend: system property cotangent.gemm=fast is not a"
                + " GEMM kernel; expected one of auto, blas, java (or unset)";
        for (String call : new String[] {"kind", "describe", "matmul"}) {
            assertEquals(call + "=" + expected, line(out, call));
        }
        assertEquals("zeros=300", line(out, "zeros"), "arrays without a GEMM still work");
    }

    @Test
    void blasGemmNeedsTheOpenBlasBackend() throws Exception {
        assertEquals("matmul=java.lang.IllegalStateException: Backend: system property cotangent.gemm=blas requires"
                + " the OpenBLAS backend, which is not in use",
                line(probe("-Dcotangent.backend=java", "-Dcotangent.gemm=blas"), "matmul"));
    }

    @Test
    void aForcedGemmKernelIsUsedAndDescribed() throws Exception {
        assumeTrue(Backend.isAvailable(Backend.Kind.OPENBLAS), "OpenBLAS unavailable");
        for (String forced : new String[] {"blas", "java"}) {
            List<String> out = probe("-Dcotangent.gemm=" + forced, "-Dcotangent.gemm.calibration=off");
            assertEquals("matmul=[[2.0, 2.0],  [2.0, 2.0]]", line(out, "matmul"));
            assertTrue(line(out, "describeAfter").endsWith("(cotangent.gemm=" + forced + ")"), out.toString());
        }
    }

    @Test
    void theCalibrationIsMeasuredOnceThenReadFromItsFile(@TempDir Path dir) throws Exception {
        assumeTrue(Backend.isAvailable(Backend.Kind.OPENBLAS), "OpenBLAS unavailable");
        Path file = dir.resolve("sub").resolve("gemm-calibration");
        String property = "-Dcotangent.gemm.calibration=" + file;
        List<String> first = probe(property);
        assertTrue(line(first, "describe").contains("f32 not measured yet"), first.toString());
        String measured = line(first, "describeAfter");
        assertTrue(measured.contains("tiny=") && measured.contains("large-thin="), measured);
        if (measured.contains("not cached (two measurements disagreed on ")) {
            // A machine too loaded for a stable answer: nothing may have been kept.
            assertTrue(!Files.exists(file), measured);
            assumeTrue(false, "calibration unstable on this machine now: " + measured);
        }
        assertTrue(measured.contains("[measured in this JVM, cached in " + file + "]"), measured);
        List<String> lines = Files.readAllLines(file);
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).contains("threads=1;") && lines.get(0).contains("dtype=f32"), lines.toString());
        String cached = line(probe(property), "describeAfter");
        assertTrue(cached.contains("[cached in " + file + "]"), cached);
        // Same decisions: the second JVM read them rather than measuring again.
        String decisions = measured.substring(measured.indexOf("f32 "), measured.indexOf(" [measured"));
        assertTrue(cached.contains(decisions), cached + " vs " + decisions);
    }

    @Test
    void theArraySizeLimitIsASystemProperty() throws Exception {
        String zeros = line(probe("-Dcotangent.maxArrayBytes=1000"), "zeros");
        assertTrue(zeros.startsWith("zeros=java.lang.IllegalArgumentException: zeros: a float32 array of shape [300]"
                + " has 300 elements (1200 bytes), more than the 1000-byte limit"), zeros);
        String bad = line(probe("-Dcotangent.maxArrayBytes=lots"), "zeros");
        assertEquals("zeros=java.lang.IllegalStateException: zeros: cannot allocate float32[300]: system property"
                + " cotangent.maxArrayBytes=lots is not a positive number of bytes; expected e.g."
                + " cotangent.maxArrayBytes=1073741824", bad);
    }
}
