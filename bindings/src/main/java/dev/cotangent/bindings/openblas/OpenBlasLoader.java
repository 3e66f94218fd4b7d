package dev.cotangent.bindings.openblas;

import dev.cotangent.bindings.openblas.LibraryResolution.Bundled;
import dev.cotangent.bindings.openblas.LibraryResolution.Candidate;
import dev.cotangent.bindings.openblas.LibraryResolution.ExplicitPath;
import dev.cotangent.bindings.openblas.LibraryResolution.SystemLibrary;
import dev.cotangent.bindings.openblas.LibraryResolution.SystemPath;
import dev.cotangent.bindings.openblas.LibraryResolution.Unset;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.SymbolLookup;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Tries the candidates of a {@link LibraryResolution} in order and loads the first working OpenBLAS.
 *
 * <p>Libraries are loaded with {@code System.load} so they land in this class loader, which is
 * exactly where the generated {@code cblas_h} looks them up ({@code SymbolLookup.loaderLookup()}).
 */
final class OpenBlasLoader {

    /** The process-wide effects of loading, behind an interface so tests can record instead of load. */
    interface Natives {
        void load(Path absolutePath);

        void loadLibrary(String name);

        boolean exports(String symbol);
    }

    /** The real thing. */
    static final Natives SYSTEM = new SystemNatives();

    private static final class SystemNatives implements Natives {
        @Override
        public void load(Path absolutePath) {
            System.load(absolutePath.toString());
        }

        @Override
        public void loadLibrary(String name) {
            System.loadLibrary(name);
        }

        @Override
        public boolean exports(String symbol) {
            // Caller-sensitive: must run in this class loader, the one cblas_h uses.
            return SymbolLookup.loaderLookup().find(symbol).isPresent();
        }
    }

    // A library that loads but lacks these is not an OpenBLAS we can use (e.g. reference BLAS).
    private static final List<String> REQUIRED_SYMBOLS = List.of("cblas_sgemm", "openblas_get_config");

    private OpenBlasLoader() {}

    static LoadReport load(LibraryResolution resolution, Natives natives, ClassLoader resources) {
        var disabled = resolution.disabledReason();
        if (disabled.isPresent()) {
            return new LoadReport(false, null, null, List.of(disabled.get()));
        }
        List<String> attempts = new ArrayList<>();
        List<Candidate> candidates = resolution.candidates();
        for (int i = 0; i < candidates.size(); i++) {
            Candidate candidate = candidates.get(i);
            try {
                LoadReport done = attempt(candidate, natives, resources, attempts);
                if (done != null) {
                    return done;
                }
            } catch (IOException | RuntimeException | LinkageError e) {
                // UnsatisfiedLinkError (LinkageError) for unloadable files, IllegalCallerException
                // when native access is denied, IOException from extraction: all end this attempt only.
                attempts.add(candidate.source() + describeTarget(candidate) + ": failed: "
                        + describeFailure(e, namedPath(candidate)));
            }
            if (candidate instanceof ExplicitPath) {
                // A library named explicitly that does not load is an error to report, not a reason to
                // quietly use another one: the pure-Java backend takes over with its notice instead.
                for (Candidate rest : candidates.subList(i + 1, candidates.size())) {
                    attempts.add(rest.source() + describeTarget(rest) + ": skipped: an explicit library was requested");
                }
                break;
            }
        }
        return new LoadReport(false, null, null, attempts);
    }

    /** Returns the success report, or null after recording why this candidate did not work. */
    private static LoadReport attempt(Candidate candidate, Natives natives, ClassLoader resources,
                                      List<String> attempts) throws IOException {
        String label = candidate.source() + describeTarget(candidate);
        switch (candidate) {
            case Unset u -> {
                attempts.add(label + ": not set");
                return null;
            }
            case ExplicitPath e -> {
                Path path = Path.of(e.path()).toAbsolutePath();
                String problem = notLoadable(path);
                if (problem != null) {
                    attempts.add(label + ": failed: " + problem);
                    return null;
                }
                natives.load(path);
                return verified(label, e.source(), path.toString(), natives, attempts);
            }
            case Bundled b -> {
                BundledNatives.Extracted extracted = BundledNatives.extract(b, resources);
                // Dependencies first, so libopenblas's NEEDED entries resolve to these copies.
                for (Path file : extracted.files()) {
                    natives.load(file);
                }
                String source = "Maven natives org.bytedeco:openblas:" + extracted.version() + ":" + b.platform();
                return verified(source, source, extracted.files().getLast().toString(), natives, attempts);
            }
            case SystemPath s -> {
                if (!Files.exists(s.path())) {
                    attempts.add(label + ": not present");
                    return null;
                }
                String problem = notLoadable(s.path());
                if (problem != null) {
                    attempts.add(label + ": failed: " + problem);
                    return null;
                }
                natives.load(s.path());
                return verified(label, s.source(), s.path().toString(), natives, attempts);
            }
            case SystemLibrary l -> {
                natives.loadLibrary(l.name());
                String where = System.mapLibraryName(l.name()) + " from java.library.path";
                return verified(label, l.source(), where, natives, attempts);
            }
        }
    }

    private static LoadReport verified(String label, String source, String path, Natives natives,
                                       List<String> attempts) {
        for (String symbol : REQUIRED_SYMBOLS) {
            if (!natives.exports(symbol)) {
                attempts.add(label + ": failed: loaded " + path + " but it does not export " + symbol);
                return null;
            }
        }
        attempts.add(label + ": loaded " + path);
        return new LoadReport(true, path, source, attempts);
    }

    private static String describeTarget(Candidate candidate) {
        return candidate instanceof ExplicitPath e ? "=" + e.path() : "";
    }

    /** The file a candidate's label already names, so that failure messages need not repeat it. */
    private static Path namedPath(Candidate candidate) {
        return switch (candidate) {
            case ExplicitPath e -> Path.of(e.path()).toAbsolutePath();
            case SystemPath s -> s.path();
            default -> null;
        };
    }

    /**
     * Why {@code path} cannot be a shared library, or null if it may be one. Checked before loading: the JVM
     * would otherwise hand any file to the dynamic loader (and warn about the stack guard of a non-library).
     */
    static String notLoadable(Path path) {
        if (!Files.exists(path)) {
            return "no such file";
        }
        if (Files.isDirectory(path)) {
            return "not a regular file (a directory)";
        }
        if (!Files.isRegularFile(path)) {
            return "not a regular file";
        }
        byte[] head = new byte[4];
        int n;
        try (InputStream in = Files.newInputStream(path)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (IOException e) {
            return "not readable (" + e.getClass().getSimpleName() + ")";
        }
        String format = libraryFormat();
        boolean matches = n == head.length && switch (format) {
            case "Mach-O" -> MACH_O_MAGICS.contains(ByteBuffer.wrap(head).getInt());
            case "PE" -> head[0] == 'M' && head[1] == 'Z';
            default -> head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F';
        };
        return matches ? null : "not a shared library (no " + format + " header)";
    }

    // Big- and little-endian 32- and 64-bit Mach-O, and universal (fat) binaries.
    private static final Set<Integer> MACH_O_MAGICS = Set.of(0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe);

    private static String libraryFormat() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        return os.startsWith("mac") || os.startsWith("darwin") ? "Mach-O" : os.startsWith("windows") ? "PE" : "ELF";
    }

    /** The failure, without the path the label already shows (the JVM and dlerror each repeat it). */
    static String describeFailure(Throwable e, Path named) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (named != null) {
            String p = named.toString();
            while (message.startsWith(p + ": ")) {
                message = message.substring(p.length() + 2);
            }
            message = message.replace("Can't load library: " + p, "cannot load the library");
        }
        return e.getClass().getName() + (message.isEmpty() ? "" : ": " + message);
    }
}
