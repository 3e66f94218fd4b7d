package dev.cotangent.bindings.openblas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resolution order and messages, from explicit inputs, without loading anything into this JVM. */
class LibraryResolutionTest {

    @TempDir
    Path cache;

    /** Records calls instead of loading; fails {@code load} for paths containing any of {@code failing}. */
    static final class FakeNatives implements OpenBlasLoader.Natives {
        final List<String> calls = new ArrayList<>();
        final Set<String> failing;
        boolean exportsOpenBlas = true;

        FakeNatives(String... failing) {
            this.failing = Set.of(failing);
        }

        @Override
        public void load(Path absolutePath) {
            calls.add("load " + absolutePath);
            if (failing.stream().anyMatch(f -> absolutePath.toString().contains(f))) {
                throw new UnsatisfiedLinkError("fake: cannot load " + absolutePath);
            }
        }

        @Override
        public void loadLibrary(String name) {
            calls.add("loadLibrary " + name);
            if (failing.contains("loadLibrary")) {
                throw new UnsatisfiedLinkError("fake: no " + name + " in java.library.path");
            }
        }

        @Override
        public boolean exports(String symbol) {
            return exportsOpenBlas;
        }
    }

    private Map<String, String> props(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("os.name", System.getProperty("os.name"));
        m.put("os.arch", System.getProperty("os.arch"));
        m.put("user.home", "/home/nobody");
        m.put("cotangent.cache.dir", cache.toString());
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static LoadReport load(Map<String, String> props, Map<String, String> env, OpenBlasLoader.Natives natives) {
        return OpenBlasLoader.load(new LibraryResolution(props, env), natives, LibraryResolutionTest.class.getClassLoader());
    }

    /** A file that starts like a shared library of this platform (the loader checks the header first). */
    static Path fakeLibrary(Path path) throws IOException {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        byte[] header = os.startsWith("mac") ? new byte[] {(byte) 0xcf, (byte) 0xfa, (byte) 0xed, (byte) 0xfe}
                : os.startsWith("windows") ? new byte[] {'M', 'Z', 0, 0} : new byte[] {0x7f, 'E', 'L', 'F'};
        return Files.write(path, Arrays.copyOf(header, 64));
    }

    @Test
    void anExplicitPathThatIsNoLibraryIsReportedWithoutLoadingIt() throws IOException {
        Path text = Files.writeString(cache.resolve("hostname"), "a host name\n");
        Path dir = Files.createDirectory(cache.resolve("libdir.so"));
        Path empty = Files.createFile(cache.resolve("empty.so"));
        FakeNatives natives = new FakeNatives();
        boolean linux = System.getProperty("os.name").startsWith("Linux");
        String noHeader = OpenBlasLoader.notLoadable(text);
        assertTrue(noHeader.startsWith("not a shared library (no ") && (!linux || noHeader.endsWith("ELF header)")),
                noHeader);

        assertEquals("system property cotangent.blas.library=" + text + ": failed: " + noHeader,
                load(props("cotangent.blas.library", text.toString()), Map.of(), natives).attempts().get(0));
        assertEquals("environment variable COTANGENT_BLAS_LIBRARY=" + dir + ": failed: not a regular file (a directory)",
                load(props(), Map.of("COTANGENT_BLAS_LIBRARY", dir.toString()), natives).attempts().get(1));
        assertEquals("environment variable COTANGENT_BLAS_LIBRARY=" + empty + ": failed: " + noHeader,
                load(props(), Map.of("COTANGENT_BLAS_LIBRARY", empty.toString()), natives).attempts().get(1));
        assertEquals(List.of(), natives.calls, "nothing that is no library may reach the dynamic loader");
    }

    @Test
    void aLoadFailureNamesThePathOnce() throws IOException {
        Path lib = fakeLibrary(cache.resolve("libbroken.so"));
        OpenBlasLoader.Natives natives = new OpenBlasLoader.Natives() {
            @Override
            public void load(Path absolutePath) {
                // what System.load reports for a file dlopen rejects: the path, then dlerror's message with it
                throw new UnsatisfiedLinkError(absolutePath + ": " + absolutePath + ": file too short");
            }

            @Override
            public void loadLibrary(String name) {}

            @Override
            public boolean exports(String symbol) {
                return true;
            }
        };

        LoadReport r = load(props("cotangent.blas.library", lib.toString()), Map.of(), natives);

        assertEquals("system property cotangent.blas.library=" + lib + ": failed: java.lang.UnsatisfiedLinkError: file"
                + " too short", r.attempts().get(0));
    }

    @Test
    void aFailedExplicitPathStopsResolution() {
        FakeNatives natives = new FakeNatives();

        LoadReport r = load(props("cotangent.blas.library", "/nonexistent"),
                Map.of("COTANGENT_BLAS_LIBRARY", "/also/missing.so"), natives);

        assertFalse(r.loaded());
        assertEquals("system property cotangent.blas.library=/nonexistent: failed: no such file", r.attempts().get(0));
        for (String later : r.attempts().subList(1, r.attempts().size())) {
            assertTrue(later.endsWith(": skipped: an explicit library was requested"), later);
        }
        assertTrue(r.attempts().get(1).startsWith("environment variable COTANGENT_BLAS_LIBRARY=/also/missing.so"),
                r.attempts().get(1));
        assertEquals(List.of(), natives.calls, "nothing else may be loaded");
    }

    @Test
    void theEnvironmentVariableIsUsedWhenThePropertyIsUnset() {
        FakeNatives natives = new FakeNatives();

        LoadReport r = load(props(), Map.of("COTANGENT_BLAS_LIBRARY", "/also/missing.so"), natives);

        assertFalse(r.loaded());
        assertEquals("system property cotangent.blas.library: not set", r.attempts().get(0));
        assertEquals("environment variable COTANGENT_BLAS_LIBRARY=/also/missing.so: failed: no such file",
                r.attempts().get(1));
    }

    @Test
    void explicitPropertyComesBeforeEnvironmentAndWins() throws IOException {
        Path lib = fakeLibrary(cache.resolve("libmyblas.so"));
        FakeNatives natives = new FakeNatives();

        LoadReport r = load(props("cotangent.blas.library", lib.toString()),
                Map.of("COTANGENT_BLAS_LIBRARY", "/other.so"), natives);

        assertTrue(r.loaded());
        assertEquals("system property cotangent.blas.library", r.source());
        assertEquals(lib.toString(), r.libraryPath());
        assertEquals(List.of("load " + lib), natives.calls);
        assertEquals(List.of("system property cotangent.blas.library=" + lib + ": loaded " + lib), r.attempts());
    }

    @Test
    void environmentVariableIsUsedWhenPropertyIsBlank() throws IOException {
        Path lib = fakeLibrary(cache.resolve("libenvblas.so"));

        LoadReport r = load(props("cotangent.blas.library", "   "), Map.of("COTANGENT_BLAS_LIBRARY", lib.toString()),
                new FakeNatives());

        assertEquals("environment variable COTANGENT_BLAS_LIBRARY", r.source());
        assertEquals(List.of("system property cotangent.blas.library: not set",
                "environment variable COTANGENT_BLAS_LIBRARY=" + lib + ": loaded " + lib), r.attempts());
    }

    @Test
    void libraryWithoutOpenBlasSymbolsIsRejected() throws IOException {
        Path lib = fakeLibrary(cache.resolve("libnotblas.so"));
        FakeNatives natives = new FakeNatives("loadLibrary", "openblas/");
        natives.exportsOpenBlas = false;

        LoadReport r = load(props("cotangent.blas.library", lib.toString()), Map.of(), natives);

        assertFalse(r.loaded());
        assertEquals("system property cotangent.blas.library=" + lib + ": failed: loaded " + lib
                + " but it does not export cblas_sgemm", r.attempts().get(0));
    }

    @Test
    void withoutMavenNativesTheSystemLocationsAreTriedInOrder() {
        FakeNatives natives = new FakeNatives("/usr/lib/");
        ClassLoader noNatives = new ClassLoader(null) {};

        LoadReport r = OpenBlasLoader.load(new LibraryResolution(props("os.name", "Linux", "os.arch", "amd64"), Map.of()),
                natives, noNatives);

        assertTrue(r.loaded(), r.failureMessage());
        assertEquals("System.loadLibrary(\"openblas\")", r.source());
        List<String> a = r.attempts();
        assertEquals(6, a.size(), a.toString());
        assertEquals("system property cotangent.blas.library: not set", a.get(0));
        assertEquals("environment variable COTANGENT_BLAS_LIBRARY: not set", a.get(1));
        assertEquals("Maven natives org.bytedeco:openblas:linux-x86_64: failed: java.io.FileNotFoundException: "
                + "natives jar for linux-x86_64 is not on the classpath "
                + "(no resource org/bytedeco/openblas/linux-x86_64/libquadmath.so.0)", a.get(2));
        // "not present" here, or "failed: ... fake" on a machine that has a system OpenBLAS
        assertTrue(a.get(3).startsWith("system library /usr/lib/x86_64-linux-gnu/libopenblas.so.0: "), a.get(3));
        assertTrue(a.get(4).startsWith("system library /usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0: "),
                a.get(4));
        assertTrue(a.get(5).startsWith("System.loadLibrary(\"openblas\"): loaded "), a.get(5));
    }

    @Test
    void failureMessageListsEveryAttemptAndWhy() {
        FakeNatives natives = new FakeNatives("loadLibrary");

        LoadReport r = load(props("os.arch", "sparcv9"), Map.of(), natives);

        assertFalse(r.loaded());
        assertNull(r.libraryPath());
        assertNull(r.source());
        assertEquals("""
                OpenBLAS not loaded:
                  1. system property cotangent.blas.library: not set
                  2. environment variable COTANGENT_BLAS_LIBRARY: not set
                  3. System.loadLibrary("openblas"): failed: java.lang.UnsatisfiedLinkError: \
                fake: no openblas in java.library.path""", r.failureMessage());
    }

    @Test
    void javaBackendLoadsNothing() {
        FakeNatives natives = new FakeNatives();

        LoadReport r = load(props("cotangent.backend", "java", "cotangent.blas.library", "/x.so"), Map.of(), natives);

        assertFalse(r.loaded());
        assertEquals(List.of("pure-Java backend requested (cotangent.backend=java)"), r.attempts());
        assertEquals(List.of(), natives.calls);
    }

    @Test
    void autoOrBlankBackendLoads() {
        for (String backend : new String[] {"auto", "", " "}) {
            assertTrue(new LibraryResolution(props("cotangent.backend", backend), Map.of()).disabledReason().isEmpty());
        }
    }

    @Test
    void platformNames() {
        Map<String, String> expected = Map.of(
                "Linux/amd64", "linux-x86_64", "Linux/aarch64", "linux-arm64",
                "Mac OS X/x86_64", "macosx-x86_64", "Mac OS X/aarch64", "macosx-arm64",
                "Windows 11/amd64", "windows-x86_64");
        expected.forEach((osArch, platform) -> {
            String[] p = osArch.split("/");
            assertEquals(platform, new LibraryResolution(props("os.name", p[0], "os.arch", p[1]), Map.of()).platform());
        });
        assertNull(new LibraryResolution(props("os.name", "Linux", "os.arch", "riscv64"), Map.of()).platform());
    }

    @Test
    void cacheRootDefaultsToUserHome() {
        Map<String, String> p = props();
        p.remove("cotangent.cache.dir");
        assertEquals(Path.of("/home/nobody/.cache/cotangent"), new LibraryResolution(p, Map.of()).cacheRoot());
        p.put("cotangent.cache.dir", " ");
        assertEquals(Path.of("/home/nobody/.cache/cotangent"), new LibraryResolution(p, Map.of()).cacheRoot());
    }

    /** The file list LibraryResolution uses for a platform, as paths. */
    static final class BundledNativesFiles {
        static List<Path> of(String platform) {
            var props = Map.of("os.name", platform.startsWith("linux") ? "Linux"
                            : platform.startsWith("mac") ? "Mac OS X" : "Windows",
                    "os.arch", platform.endsWith("arm64") ? "aarch64" : "amd64");
            return new LibraryResolution(props, Map.of()).candidates().stream()
                    .filter(c -> c instanceof LibraryResolution.Bundled)
                    .flatMap(c -> ((LibraryResolution.Bundled) c).files().stream())
                    .map(Path::of).toList();
        }
    }
}
