package dev.cotangent.core;

import dev.cotangent.bindings.openblas.OpenBlas;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Which GEMM backend runs matmul and convolution: OpenBLAS when it loads, else the pure-Java Vector API one.
 *
 * <p>The choice is made once, on first use, from system property {@value #PROPERTY}: {@code java} asks for
 * the Java backend outright (silently); {@code auto} (or unset, or blank) tries OpenBLAS, and if it cannot
 * load, one notice line goes to {@code System.err} and the Java backend takes over; {@code openblas} requires
 * OpenBLAS. Any other value, or {@code openblas} without a loadable OpenBLAS, makes every call that needs the
 * backend throw an {@link IllegalStateException} saying why. {@link #describe()} tells what was chosen and why.
 *
 * <p>With OpenBLAS, each GEMM shape class runs on OpenBLAS or on the Java kernel, whichever a short calibration
 * (cached per machine) found faster; {@value #GEMM_PROPERTY}{@code =blas|java} forces one of them. Either way
 * the product is split over the library's own threads ({@link #setThreads}); OpenBLAS runs single-threaded.
 */
public final class Backend {
    /** A GEMM backend. */
    public enum Kind {
        /** OpenBLAS through the generated bindings. */
        OPENBLAS,
        /** Pure-Java Vector API kernels. */
        JAVA
    }

    /** The system property that picks the backend. */
    public static final String PROPERTY = "cotangent.backend";
    /** The values {@value #PROPERTY} accepts (unset or blank means {@code auto}). */
    public static final List<String> PROPERTY_VALUES = List.of("auto", "openblas", "java");
    /**
     * The system property that forces the GEMM kernel of the OpenBLAS backend: {@code blas} or {@code java};
     * {@code auto} (or unset, or blank) takes, per shape class, whichever measured faster on this machine.
     */
    public static final String GEMM_PROPERTY = GemmSelection.PROPERTY;
    /** The values {@value #GEMM_PROPERTY} accepts (unset or blank means {@code auto}). */
    public static final List<String> GEMM_PROPERTY_VALUES = GemmSelection.PROPERTY_VALUES;
    /** Most threads {@link #setThreads} accepts. */
    public static final int MAX_THREADS = 1024;

    // Lets tests run a block under either backend on their own thread, without touching the global choice.
    private static final ThreadLocal<Kind> OVERRIDE = new ThreadLocal<>();

    private Backend() {}

    /** The one decision of this JVM; a holder so that merely naming Backend loads nothing. */
    private static final class Choice {
        static final String REQUESTED = System.getProperty(PROPERTY, "").strip().toLowerCase(Locale.ROOT);
        static final boolean JAVA_REQUESTED = "java".equals(REQUESTED);
        /** Why no backend can be used, or null; kept rather than thrown, so that class initialization succeeds. */
        static final @Nullable String ERROR = validate();
        static final @Nullable Kind KIND = ERROR == null ? decide() : null;

        private static @Nullable String validate() {
            if (!REQUESTED.isEmpty() && !PROPERTY_VALUES.contains(REQUESTED)) {
                return "system property " + PROPERTY + "=" + System.getProperty(PROPERTY) + " is not a backend;"
                        + " expected one of " + String.join(", ", PROPERTY_VALUES) + " (or unset)";
            }
            if (REQUESTED.equals("openblas") && !OpenBlas.isAvailable()) {
                return "system property " + PROPERTY + "=openblas requires OpenBLAS, which did not load: "
                        + OpenBlas.describe();
            }
            return GemmSelection.validate(!JAVA_REQUESTED && OpenBlas.isAvailable());
        }

        private static Kind decide() {
            if (JAVA_REQUESTED) {
                return Kind.JAVA;
            }
            if (OpenBlas.isAvailable()) {
                // One pool for both kernels (GemmSplit): OpenBLAS's own workers would spin against it.
                OpenBlas.setThreads(1);
                return Kind.OPENBLAS;
            }
            System.err.println("cotangent: OpenBLAS unavailable (" + shortReason()
                    + "; attempts in Backend.describe()); using the pure-Java backend");
            return Kind.JAVA;
        }

        /** The first real failure, without its exception class, kept short; the full list is in describe(). */
        private static String shortReason() {
            List<String> attempts = OpenBlas.loadReport().attempts();
            for (String a : attempts) {
                int at = a.indexOf("failed: ");
                if (at >= 0) {
                    String why = a.substring(at + "failed: ".length()).replaceFirst("^[\\w.$]+(Exception|Error): ", "");
                    // Name the source ("system property cotangent.blas.library=/x: no such file").
                    String line = a.substring(0, at).replaceFirst(":\\s*$", "") + ": " + why;
                    return line.length() > 140 ? line.substring(0, 137) + "..." : line;
                }
            }
            return "not found in " + attempts.size() + " places";
        }
    }

    /**
     * The backend in use on this thread (the JVM-wide choice unless a test switched it).
     *
     * @throws IllegalStateException if {@value #PROPERTY} has a value that names no usable backend
     */
    public static Kind kind() {
        Kind k = OVERRIDE.get();
        return k != null ? k : chosen();
    }

    private static Kind chosen() {
        Kind k = Choice.KIND;
        if (k == null) {
            throw new IllegalStateException("Backend: " + Choice.ERROR);
        }
        return k;
    }

    /**
     * One line saying which backend runs and, for the Java backend, why OpenBLAS does not; with OpenBLAS, also
     * which GEMM kernel each shape class uses (see {@link #GEMM_PROPERTY}).
     */
    public static String describe() {
        if (kind() == Kind.OPENBLAS) {
            int n = Parallel.threads();
            return OpenBlas.describe() + "; products split over " + n + (n == 1 ? " thread" : " threads")
                    + " of Cotangent's; " + (OVERRIDE.get() != null ? "GEMM: OpenBLAS (selected for this thread)"
                    : GemmSelection.describe());
        }
        String reason = Choice.JAVA_REQUESTED ? "cotangent.backend=java was requested"
                : OpenBlas.isAvailable() ? "selected for this thread" : OpenBlas.describe();
        int n = Parallel.threads();
        return "pure-Java backend (Vector API GEMM, " + n + (n == 1 ? " thread" : " threads") + "): " + reason;
    }

    /** Number of threads the kernels use, OpenBLAS's and the Java ones alike. */
    public static int threads() {
        chosen();
        return Parallel.threads();
    }

    /**
     * Sets the number of threads the kernels use. Both GEMM kernels split a product over these threads, with
     * OpenBLAS itself kept single-threaded: its own worker threads keep spinning for a while after each call and
     * would take the cores from the Java kernels' threads.
     *
     * @param n from 1 to {@link #MAX_THREADS}
     * @throws IllegalArgumentException if {@code n} is out of that range
     */
    public static void setThreads(int n) {
        if (n < 1 || n > MAX_THREADS) {
            throw new IllegalArgumentException("Backend.setThreads: " + n + " threads; expected 1 to " + MAX_THREADS);
        }
        chosen();
        Parallel.setThreads(n);
    }

    /**
     * The GEMM of the current thread's backend: with OpenBLAS, the kernel {@value #GEMM_PROPERTY} forces, or else
     * per shape class the faster one here; a test's {@link #runWith} gets exactly the backend it named.
     */
    static Gemm gemm() {
        Kind k = OVERRIDE.get();
        if (k != null) {
            return k == Kind.OPENBLAS ? BlasGemm.INSTANCE : JavaGemm.INSTANCE;
        }
        if (chosen() == Kind.JAVA) {
            return JavaGemm.INSTANCE;
        }
        return switch (GemmSelection.mode()) {
            case BLAS -> BlasGemm.INSTANCE;
            case JAVA -> JavaGemm.INSTANCE;
            case AUTO -> GemmSelection.AUTO;
        };
    }

    /** Whether {@code kind} can run here (OpenBLAS loaded and not disabled by the property). */
    static boolean isAvailable(Kind kind) {
        return kind == Kind.JAVA || (!Choice.JAVA_REQUESTED && OpenBlas.isAvailable());
    }

    /** Runs {@code body} with {@code kind} as this thread's backend (for tests comparing backends). */
    static void runWith(Kind kind, Runnable body) {
        if (!isAvailable(kind)) {
            throw new IllegalStateException("Backend.runWith: " + kind + " is not available here: " + describe());
        }
        Kind previous = OVERRIDE.get();
        OVERRIDE.set(kind);
        try {
            body.run();
        } finally {
            OVERRIDE.set(previous);
        }
    }
}
