package dev.cotangent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/** The backend choice, its description, the per-thread switch and the thread count. */
class BackendTest {

    @Test
    void choiceFollowsPropertyAndAvailability() {
        boolean javaRequested = "java".equals(System.getProperty("cotangent.backend"));
        Backend.Kind kind = Backend.kind();
        if (javaRequested) {
            assertEquals(Backend.Kind.JAVA, kind);
            assertTrue(Backend.describe().startsWith("pure-Java backend"), Backend.describe());
            assertTrue(Backend.describe().contains("cotangent.backend=java"), Backend.describe());
        } else if (Backend.isAvailable(Backend.Kind.OPENBLAS)) {
            assertEquals(Backend.Kind.OPENBLAS, kind);
            assertTrue(Backend.describe().startsWith("OpenBLAS "), Backend.describe());
        } else {
            assertEquals(Backend.Kind.JAVA, kind);
            assertTrue(Backend.describe().contains("OpenBLAS unavailable"), Backend.describe());
        }
    }

    @Test
    void runWithSwitchesOnlyThisThreadAndRestores() {
        Backend.Kind before = Backend.kind();
        Backend.runWith(Backend.Kind.JAVA, () -> {
            assertEquals(Backend.Kind.JAVA, Backend.kind());
            assertSame(JavaGemm.INSTANCE, Backend.gemm());
            assertTrue(Backend.describe().startsWith("pure-Java backend"), Backend.describe());
        });
        assertEquals(before, Backend.kind());
        if (Backend.isAvailable(Backend.Kind.OPENBLAS)) {
            Backend.runWith(Backend.Kind.OPENBLAS, () -> assertSame(BlasGemm.INSTANCE, Backend.gemm()));
        } else {
            assertThrows(IllegalStateException.class, () -> Backend.runWith(Backend.Kind.OPENBLAS, () -> {}));
        }
    }

    @Test
    void setThreadsReachesBothBackends() {
        assertThrows(IllegalArgumentException.class, () -> Backend.setThreads(0));
        for (int n : new int[] {-1, 0, Backend.MAX_THREADS + 1, 40000, Integer.MAX_VALUE}) {
            var e = assertThrows(IllegalArgumentException.class, () -> Backend.setThreads(n));
            assertTrue(e.getMessage().contains("Backend.setThreads: " + n + " threads; expected 1 to 1024"),
                    e.getMessage());
        }
        int java = Parallel.threads();
        try {
            Backend.setThreads(1);
            Backend.runWith(Backend.Kind.JAVA, () -> assertEquals(1, Backend.threads()));
            Backend.setThreads(2);
            Backend.runWith(Backend.Kind.JAVA, () -> assertEquals(2, Backend.threads()));
            assumeTrue(Backend.isAvailable(Backend.Kind.OPENBLAS), "OpenBLAS unavailable: " + Backend.describe());
            Backend.runWith(Backend.Kind.OPENBLAS, () -> {
                assertEquals(2, Backend.threads());
                assertTrue(Backend.describe().contains("split over 2 threads"), Backend.describe());
                // One pool runs both kernels: OpenBLAS's own threads would spin against it.
                assertEquals(1, dev.cotangent.bindings.openblas.OpenBlas.threads());
            });
        } finally {
            Backend.setThreads(java);
        }
    }
}
