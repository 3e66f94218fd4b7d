package dev.cotangent.bindings.openblas;

import java.lang.foreign.MemorySegment;

/**
 * Entry point to the native OpenBLAS: loads it once on first use and answers what was loaded.
 *
 * <p>Loading happens on the first call to any method, exactly once per JVM (class-initialisation
 * guarantees it, also across threads); after that the generated {@link cblas_h} functions can be
 * called directly. Resolution order and overrides are described in the report returned by
 * {@link #loadReport()}: system property {@code cotangent.blas.library}, environment variable
 * {@code COTANGENT_BLAS_LIBRARY}, the Maven-delivered {@code org.bytedeco:openblas} natives
 * (extracted to {@code ${user.home}/.cache/cotangent}, or {@code cotangent.cache.dir}), then a
 * system OpenBLAS. {@code -Dcotangent.backend=java} disables loading altogether.
 */
public final class OpenBlas {

    private OpenBlas() {}

    // Lazy holder: the JVM runs this initialiser once, under its own lock.
    private static final class Holder {
        static final LoadReport REPORT = loadOnce();

        private static LoadReport loadOnce() {
            try {
                return OpenBlasLoader.load(LibraryResolution.fromSystem(), OpenBlasLoader.SYSTEM,
                        OpenBlas.class.getClassLoader());
            } catch (RuntimeException | LinkageError e) {
                // isAvailable() promises never to throw; a bug here must not break class init.
                return new LoadReport(false, null, null, java.util.List.of("loader failed: " + e));
            }
        }
    }

    /**
     * Whether OpenBLAS is loaded; triggers loading on first call and never throws.
     *
     * @return true if the {@link cblas_h} functions can be called
     */
    public static boolean isAvailable() {
        return Holder.REPORT.loaded();
    }

    /**
     * What was loaded from where, or why nothing was.
     *
     * @return the report of the one load of this JVM
     */
    public static LoadReport loadReport() {
        return Holder.REPORT;
    }

    /**
     * One line for logs, e.g. {@code OpenBLAS 0.3.31 DYNAMIC_ARCH Haswell, 2 threads (/path/libopenblas.so.0)},
     * or {@code OpenBLAS unavailable: <reason>}.
     *
     * @return the description
     */
    public static String describe() {
        LoadReport report = Holder.REPORT;
        if (!report.loaded()) {
            return "OpenBLAS unavailable: " + String.join("; ", report.attempts());
        }
        int n = threads();
        return "OpenBLAS " + version() + (config().contains("DYNAMIC_ARCH") ? " DYNAMIC_ARCH " : " ")
                + coreName() + ", " + n + (n == 1 ? " thread" : " threads") + " (" + report.libraryPath() + ")";
    }

    /**
     * The OpenBLAS version, e.g. {@code 0.3.31}, taken from {@link #config()}.
     *
     * @return the version, or the whole config string if it has an unexpected shape
     * @throws IllegalStateException if OpenBLAS is not available
     */
    public static String version() {
        // openblas_get_config() starts with "OpenBLAS <version> ..."
        String[] words = config().split("\\s+");
        return words.length > 1 && words[0].equals("OpenBLAS") ? words[1] : config();
    }

    /**
     * The kernel family in use, as {@code openblas_get_corename()} reports it (honours {@code OPENBLAS_CORETYPE}).
     *
     * @return e.g. {@code Haswell}
     * @throws IllegalStateException if OpenBLAS is not available
     */
    public static String coreName() {
        requireAvailable();
        return string(cblas_h.openblas_get_corename());
    }

    /**
     * The build configuration string from {@code openblas_get_config()}.
     *
     * @return e.g. {@code OpenBLAS 0.3.31 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64}
     * @throws IllegalStateException if OpenBLAS is not available
     */
    public static String config() {
        requireAvailable();
        return string(cblas_h.openblas_get_config()).strip();
    }

    /**
     * The number of threads OpenBLAS uses.
     *
     * @return the value of {@code openblas_get_num_threads()}
     * @throws IllegalStateException if OpenBLAS is not available
     */
    public static int threads() {
        requireAvailable();
        return cblas_h.openblas_get_num_threads();
    }

    /**
     * Sets the number of threads OpenBLAS uses (OpenBLAS may cap it at its compiled maximum).
     *
     * @param n at least 1
     * @throws IllegalArgumentException if {@code n < 1}
     * @throws IllegalStateException    if OpenBLAS is not available
     */
    public static void setThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("OpenBlas.setThreads: " + n + " threads; expected >= 1");
        }
        requireAvailable();
        cblas_h.openblas_set_num_threads(n);
    }

    private static void requireAvailable() {
        if (!isAvailable()) {
            throw new IllegalStateException(Holder.REPORT.failureMessage());
        }
    }

    private static String string(MemorySegment cString) {
        // OpenBLAS returns pointers to static buffers: read them, never free them.
        return cString.equals(MemorySegment.NULL) ? "" : cString.getString(0);
    }
}
