package dev.cotangent.bindings.openblas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The real load in this JVM: by default the OpenBLAS that Maven delivers; nothing when the
 * build runs the suite again with {@code -Dcotangent.backend=java}.
 */
class OpenBlasTest {

    private static boolean javaBackend() {
        return LibraryResolution.fromSystem().disabledReason().isPresent();
    }

    private static void assumeNativeBackend() {
        assumeTrue(!javaBackend(), "pure-Java backend requested");
        assumeTrue(OpenBlas.isAvailable(), OpenBlas.loadReport().failureMessage());
    }

    @Test
    void javaBackendLoadsNothing() {
        assumeTrue(javaBackend(), "native backend run");
        LoadReport report = OpenBlas.loadReport();

        assertFalse(OpenBlas.isAvailable());
        assertNull(report.libraryPath());
        assertEquals("OpenBLAS unavailable: pure-Java backend requested (cotangent.backend=java)", OpenBlas.describe());
        assertTrue(report.failureMessage().contains("pure-Java backend requested"), report.failureMessage());
        assertThrows(IllegalStateException.class, OpenBlas::threads);
        assertThrows(IllegalStateException.class, OpenBlas::coreName);
        assertThrows(IllegalStateException.class, () -> OpenBlas.setThreads(2));
    }

    @Test
    void loadsMavenDeliveredOpenBlasByDefault() {
        assumeTrue(!javaBackend(), "pure-Java backend requested");
        assumeTrue(noExplicitOverride(), "an explicit cotangent.blas.library / COTANGENT_BLAS_LIBRARY is set");
        LoadReport report = OpenBlas.loadReport();

        assertTrue(OpenBlas.isAvailable(), report.failureMessage());
        assertTrue(report.source().startsWith("Maven natives org.bytedeco:openblas:0.3.31-1.5.13:"), report.source());
        Path lib = Path.of(report.libraryPath());
        assertTrue(lib.isAbsolute() && Files.isRegularFile(lib), lib.toString());
        assertTrue(lib.getFileName().toString().startsWith("libopenblas"), lib.toString());
        assertTrue(lib.toString().contains("openblas/0.3.31-1.5.13/"), lib.toString());
        // the two explicit sources come first and say they were not set
        assertEquals(List.of(
                "system property cotangent.blas.library: not set",
                "environment variable COTANGENT_BLAS_LIBRARY: not set",
                report.source() + ": loaded " + report.libraryPath()), report.attempts());
        assertEquals("", report.failureMessage());
    }

    @Test
    void describeNamesVersionCoreThreadsAndPath() {
        assumeNativeBackend();
        String d = OpenBlas.describe();

        assertTrue(d.startsWith("OpenBLAS 0.3.31 "), d);
        assertTrue(d.contains(OpenBlas.coreName() + ", "), d);
        assertTrue(d.endsWith("(" + OpenBlas.loadReport().libraryPath() + ")"), d);
        assertEquals("0.3.31", OpenBlas.version());
        assertTrue(OpenBlas.config().startsWith("OpenBLAS 0.3.31"), OpenBlas.config());
        assertFalse(OpenBlas.coreName().isBlank());
    }

    @Test
    void setThreadsRoundTrips() {
        assumeNativeBackend();
        int original = OpenBlas.threads();
        try {
            OpenBlas.setThreads(1);
            assertEquals(1, OpenBlas.threads());
            assertTrue(OpenBlas.describe().contains(", 1 thread ("), OpenBlas.describe());
            OpenBlas.setThreads(original);
            assertEquals(original, OpenBlas.threads());
        } finally {
            OpenBlas.setThreads(original);
        }
    }

    @Test
    void setThreadsRejectsLessThanOne() {
        assertThrows(IllegalArgumentException.class, () -> OpenBlas.setThreads(0));
        assertThrows(IllegalArgumentException.class, () -> OpenBlas.setThreads(-3));
    }

    private static boolean noExplicitOverride() {
        var props = System.getProperty("cotangent.blas.library", "");
        var env = System.getenv().getOrDefault("COTANGENT_BLAS_LIBRARY", "");
        return props.isBlank() && env.isBlank();
    }
}
