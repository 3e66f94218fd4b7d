package dev.cotangent.bindings.openblas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Extraction into the cache happens once and repairs files of the wrong size. */
class BundledNativesTest {

    @TempDir
    Path cache;

    private LibraryResolution.Bundled bundled() {
        var r = new LibraryResolution(Map.of("os.name", System.getProperty("os.name"),
                "os.arch", System.getProperty("os.arch"), "cotangent.cache.dir", cache.toString()), Map.of());
        assumeTrue(r.platform() != null, "no natives jar for this platform");
        return r.candidates().stream().filter(c -> c instanceof LibraryResolution.Bundled)
                .map(c -> (LibraryResolution.Bundled) c).findFirst().orElseThrow();
    }

    @Test
    void extractsOnceThenReusesAndRepairsWrongSize() throws Exception {
        LibraryResolution.Bundled b = bundled();
        ClassLoader cl = getClass().getClassLoader();

        BundledNatives.Extracted first = BundledNatives.extract(b, cl);
        assertEquals("0.3.31-1.5.13", first.version());
        assertEquals(b.files(), first.files().stream().map(p -> p.getFileName().toString()).toList());
        Path lib = first.files().getLast();
        long size = Files.size(lib);
        FileTime old = FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(lib, old);

        BundledNatives.extract(b, cl);
        assertEquals(old, Files.getLastModifiedTime(lib), "same size: not rewritten");

        Files.write(lib, new byte[] {1, 2, 3});
        BundledNatives.extract(b, cl);
        assertEquals(size, Files.size(lib), "wrong size: replaced");
        assertNotEquals(old, Files.getLastModifiedTime(lib));
        // no temp files left behind
        try (var files = Files.list(lib.getParent())) {
            assertEquals(List.of(), files.filter(p -> p.toString().endsWith(".tmp")).toList());
        }
    }
}
