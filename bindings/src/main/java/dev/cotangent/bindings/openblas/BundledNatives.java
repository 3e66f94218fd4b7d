package dev.cotangent.bindings.openblas;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Copies the OpenBLAS natives out of the {@code org.bytedeco:openblas} jar into the per-user cache.
 *
 * <p>Shared libraries cannot be loaded from inside a jar, so they are extracted once per
 * version and platform and reused by every later JVM.
 */
final class BundledNatives {

    private static final String POM_PROPERTIES = "META-INF/maven/org.bytedeco/openblas/pom.properties";

    /** The extracted files, in load order, and the artifact version they came from. */
    record Extracted(String version, List<Path> files) {}

    private BundledNatives() {}

    static Extracted extract(LibraryResolution.Bundled bundled, ClassLoader resources) throws IOException {
        List<URL> urls = new ArrayList<>();
        for (String file : bundled.files()) {
            URL url = resources.getResource(bundled.resourceDir() + file);
            if (url == null) {
                throw new FileNotFoundException("natives jar for " + bundled.platform()
                        + " is not on the classpath (no resource " + bundled.resourceDir() + file + ")");
            }
            urls.add(url);
        }
        // The version decides the cache folder; read it from the jar that holds the library
        // itself, because the plain openblas jar (if present) has the same pom.properties path.
        String version = versionOf(urls.getLast());
        Path dir = bundled.cacheRoot().resolve("openblas").resolve(version).resolve(bundled.platform());
        Files.createDirectories(dir);
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < urls.size(); i++) {
            out.add(copyIfNeeded(urls.get(i), dir.resolve(bundled.files().get(i))));
        }
        return new Extracted(version, out);
    }

    // Same size means same file: the target is only ever created by an atomic rename of a
    // complete copy, so a partial file cannot exist; a different version lives in another folder.
    private static Path copyIfNeeded(URL url, Path target) throws IOException {
        URLConnection connection = url.openConnection();
        long size = connection.getContentLengthLong();
        if (size >= 0 && Files.isRegularFile(target) && Files.size(target) == size) {
            return target;
        }
        // Temp file in the same folder, then rename: concurrent JVMs each write their own temp
        // file and the last rename wins with identical content; readers never see a partial file.
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName() + ".", ".tmp");
        try {
            try (InputStream in = connection.getInputStream()) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                // e.g. Windows refuses to replace a DLL another JVM has loaded; fine if it is complete.
                if (!(Files.isRegularFile(target) && Files.size(target) == Files.size(tmp))) {
                    throw e;
                }
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }

    private static String versionOf(URL library) {
        String s = library.toString();
        int bang = s.indexOf("!/");
        if (!s.startsWith("jar:") || bang < 0) {
            return "unversioned"; // exploded classes directory, e.g. in an IDE
        }
        try (InputStream in = URI.create(s.substring(0, bang + 2) + POM_PROPERTIES).toURL().openStream()) {
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unversioned");
        } catch (IOException | IllegalArgumentException e) {
            return "unversioned";
        }
    }
}
