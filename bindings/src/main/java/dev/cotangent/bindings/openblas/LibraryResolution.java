package dev.cotangent.bindings.openblas;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The ordered list of places to look for OpenBLAS, computed from explicit inputs only.
 *
 * <p>Properties and environment come in as maps (instead of being read from {@link System})
 * so the order can be tested without starting a new JVM. Order:
 * <ol>
 *   <li>system property {@value #LIBRARY_PROPERTY}, then environment variable {@value #LIBRARY_ENV}
 *       (an explicit path that does not load ends resolution: the failure is reported, the later
 *       sources are listed as skipped, and the pure-Java backend takes over with its notice, rather
 *       than another library being used quietly in place of the one asked for);</li>
 *   <li>the natives jar {@code org.bytedeco:openblas:<version>:<platform>} on the classpath;</li>
 *   <li>a system-wide OpenBLAS in the usual distribution directories, then
 *       {@code System.loadLibrary("openblas")}.</li>
 * </ol>
 * Blank values count as unset, because the build passes empty properties through by default.
 */
final class LibraryResolution {

    static final String BACKEND_PROPERTY = "cotangent.backend";
    static final String LIBRARY_PROPERTY = "cotangent.blas.library";
    static final String LIBRARY_ENV = "COTANGENT_BLAS_LIBRARY";
    static final String CACHE_PROPERTY = "cotangent.cache.dir";

    /** One place to try; {@code source} names it in the load report. */
    sealed interface Candidate {
        String source();
    }

    /** An explicit source that was not set; kept so the report shows the whole order. */
    record Unset(String source) implements Candidate {}

    /** A path given by the user. */
    record ExplicitPath(String source, String path) implements Candidate {}

    /** The natives jar: {@code files} are resource names in load order, dependencies first. */
    record Bundled(String source, String platform, List<String> files, Path cacheRoot) implements Candidate {
        /** Resource folder inside the natives jar. */
        String resourceDir() {
            return "org/bytedeco/openblas/" + platform + "/";
        }
    }

    /** A library file where a distribution usually installs OpenBLAS. */
    record SystemPath(String source, Path path) implements Candidate {}

    /** {@code System.loadLibrary(name)}, searching {@code java.library.path}. */
    record SystemLibrary(String source, String name) implements Candidate {}

    private final Map<String, String> properties;
    private final Map<String, String> environment;

    LibraryResolution(Map<String, String> properties, Map<String, String> environment) {
        this.properties = Map.copyOf(properties);
        this.environment = Map.copyOf(environment);
    }

    /** Inputs of the running JVM. */
    static LibraryResolution fromSystem() {
        Map<String, String> props = new java.util.HashMap<>();
        System.getProperties().forEach((k, v) -> props.put(String.valueOf(k), String.valueOf(v)));
        return new LibraryResolution(props, System.getenv());
    }

    /** Why native loading is switched off, if it is. */
    Optional<String> disabledReason() {
        return value(properties, BACKEND_PROPERTY)
                .filter(b -> b.equalsIgnoreCase("java"))
                .map(b -> "pure-Java backend requested (" + BACKEND_PROPERTY + "=java)");
    }

    /** JavaCPP platform name (e.g. {@code linux-x86_64}), or null when no natives jar exists for it. */
    String platform() {
        String os = properties.getOrDefault("os.name", "").toLowerCase(Locale.ROOT);
        String arch = switch (properties.getOrDefault("os.arch", "").toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "arm64";
            default -> null;
        };
        String family = os.startsWith("linux") ? "linux"
                : os.startsWith("mac") || os.startsWith("darwin") ? "macosx"
                : os.startsWith("windows") ? "windows" : null;
        if (arch == null || family == null || (family.equals("windows") && arch.equals("arm64"))) {
            return null;
        }
        return family + "-" + arch;
    }

    List<Candidate> candidates() {
        List<Candidate> out = new ArrayList<>();
        String propSource = "system property " + LIBRARY_PROPERTY;
        String envSource = "environment variable " + LIBRARY_ENV;
        out.add(value(properties, LIBRARY_PROPERTY).<Candidate>map(p -> new ExplicitPath(propSource, p))
                .orElse(new Unset(propSource)));
        out.add(value(environment, LIBRARY_ENV).<Candidate>map(p -> new ExplicitPath(envSource, p))
                .orElse(new Unset(envSource)));

        String platform = platform();
        if (platform != null) {
            out.add(new Bundled("Maven natives org.bytedeco:openblas:" + platform, platform,
                    bundledFiles(platform), cacheRoot()));
        }
        for (Path p : systemPaths(platform)) {
            out.add(new SystemPath("system library " + p, p));
        }
        out.add(new SystemLibrary("System.loadLibrary(\"openblas\")", "openblas"));
        return out;
    }

    /** Root of Cotangent's per-user cache; the natives go to {@code <root>/openblas/<version>/<platform>}. */
    Path cacheRoot() {
        return value(properties, CACHE_PROPERTY).map(Path::of)
                .orElseGet(() -> Path.of(properties.getOrDefault("user.home", "."), ".cache", "cotangent"));
    }

    // Found by inspecting the 0.3.31-1.5.13 jars (readelf / llvm-objdump): each list is what
    // libopenblas needs that the OS may not have, in dependency order, so that every NEEDED /
    // @rpath entry is already loaded by absolute path when libopenblas itself is loaded.
    private static List<String> bundledFiles(String platform) {
        return switch (platform) {
            case "linux-x86_64" -> List.of("libquadmath.so.0", "libgcc_s.so.1", "libgfortran.so.5", "libopenblas.so.0");
            case "linux-arm64" -> List.of("libgcc_s.so.1", "libgfortran.so.5", "libopenblas.so.0");
            case "macosx-x86_64", "macosx-arm64" ->
                    List.of("libquadmath.0.dylib", "libgcc_s.1.1.dylib", "libgfortran.5.dylib", "libopenblas.0.dylib");
            case "windows-x86_64" -> List.of("libopenblas.dll"); // imports only KERNEL32 and msvcrt
            default -> throw new IllegalArgumentException(platform);
        };
    }

    private static List<Path> systemPaths(String platform) {
        if (platform == null) {
            return List.of();
        }
        return switch (platform) {
            case "linux-x86_64", "linux-arm64" -> {
                String dir = "/usr/lib/" + (platform.endsWith("x86_64") ? "x86_64" : "aarch64") + "-linux-gnu/";
                yield List.of(Path.of(dir + "libopenblas.so.0"), Path.of(dir + "openblas-pthread/libopenblas.so.0"));
            }
            case "macosx-arm64", "macosx-x86_64" -> List.of(
                    Path.of("/opt/homebrew/opt/openblas/lib/libopenblas.dylib"),
                    Path.of("/usr/local/opt/openblas/lib/libopenblas.dylib"));
            default -> List.of();
        };
    }

    private static Optional<String> value(Map<String, String> map, String key) {
        return Optional.ofNullable(map.get(key)).map(String::strip).filter(s -> !s.isEmpty());
    }
}
