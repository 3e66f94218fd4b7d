package dev.cotangent.bindings.openblas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Behaviour that only a new JVM can show: the first load, system properties read at that moment, and JVM warnings. */
class FreshJvmTest {

    private record Run(int exit, String out, String err) {}

    private static Run run(String... jvmArgs) throws IOException, InterruptedException {
        return runWithLibraryVariable(null, jvmArgs);
    }

    /** A child JVM with environment variable COTANGENT_BLAS_LIBRARY set to {@code library} (or unset when null). */
    private static Run runWithLibraryVariable(String library, String... jvmArgs)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED"); // as the parent pom's cotangent.jvm.flags do
        cmd.addAll(List.of(jvmArgs));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), PrintDescribe.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("COTANGENT_BLAS_LIBRARY");
        if (library != null) {
            pb.environment().put("COTANGENT_BLAS_LIBRARY", library);
        }
        Process p = pb.start();
        p.getOutputStream().close();
        // outputs are a few lines, so reading them one after the other cannot dead-lock
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM timed out");
        return new Run(p.exitValue(), out, err);
    }

    @Test
    void javaBackendDisablesLoading() throws Exception {
        Run r = run("-Dcotangent.backend=java");

        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of(
                "OpenBLAS unavailable: pure-Java backend requested (cotangent.backend=java)",
                "available=false",
                "setThreads=IllegalStateException"), r.out().lines().toList());
    }

    @Test
    void defaultLoadFromUnnamedModulePrintsNoWarnings() throws Exception {
        assumeTrue(LibraryResolution.fromSystem().disabledReason().isEmpty(), "pure-Java backend requested");
        Run r = run();

        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("OpenBLAS 0.3.31 "), r.out());
        assertTrue(r.out().contains("available=true\nsetThreads=ok"), r.out());
        // restricted-method (JNI / FFM) warnings would go to stderr
        assertEquals("", r.err());
    }

    @Test
    void explicitPathThatDoesNotExistLeavesOpenBlasUnloaded() throws Exception {
        Run r = run("-Dcotangent.blas.library=/nonexistent/libopenblas.so");

        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("OpenBLAS unavailable: "), r.out());
        assertTrue(r.out().contains("/nonexistent/libopenblas.so: failed: no such file"), r.out());
        assertTrue(r.out().contains("available=false"), r.out());
    }

    @Test
    void aFileThatIsNoLibraryIsReportedOnceAndNeverLoaded(@TempDir Path dir) throws Exception {
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "ELF platforms");
        assumeTrue(LibraryResolution.fromSystem().disabledReason().isEmpty(), "pure-Java backend requested");
        Path text = Files.writeString(dir.resolve("hostname"), "a host name\n");
        Run r = runWithLibraryVariable(text.toString());

        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("COTANGENT_BLAS_LIBRARY=" + text + ": failed: not a shared library (no ELF header)"),
                r.out());
        assertEquals(1, r.out().lines().findFirst().orElseThrow().split(text.toString(), -1).length - 1,
                "the path is named once: " + r.out());
        // The JVM warns about the stack guard of a file it hands to dlopen that is no library.
        assertEquals("", r.err());
    }

    @Test
    void aBrokenLibraryIsReportedWithItsPathOnce(@TempDir Path dir) throws Exception {
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "ELF platforms");
        assumeTrue(LibraryResolution.fromSystem().disabledReason().isEmpty(), "pure-Java backend requested");
        byte[] elf = new byte[64];
        elf[0] = 0x7f;
        elf[1] = 'E';
        elf[2] = 'L';
        elf[3] = 'F';
        Path broken = Files.write(dir.resolve("libbroken.so"), elf);
        Run r = runWithLibraryVariable(broken.toString());

        assertEquals(0, r.exit(), r.err());
        String line = r.out().lines().findFirst().orElseThrow();
        assertTrue(line.contains("COTANGENT_BLAS_LIBRARY=" + broken + ": failed: java.lang.UnsatisfiedLinkError: "),
                line);
        assertEquals(1, line.split(broken.toString(), -1).length - 1, "the path is named once: " + line);
    }

    @Test
    void aDirectoryIsNotAFile(@TempDir Path dir) throws Exception {
        assumeTrue(LibraryResolution.fromSystem().disabledReason().isEmpty(), "pure-Java backend requested");
        Run r = run("-Dcotangent.blas.library=" + dir);

        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains(dir + ": failed: not a regular file (a directory)"), r.out());
    }
}
