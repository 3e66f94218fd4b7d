package dev.cotangent.nn.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST: 60,000 training and 10,000 test images, 28×28 grey, in ten classes, as the IDX files of
 * Debian's {@code dataset-fashion-mnist} package or of the original distribution (each plain or gzip).
 */
public final class FashionMnist {
    /** Where Debian's {@code dataset-fashion-mnist} puts the files. */
    public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    /** System property naming another folder holding the four files. */
    public static final String PROPERTY = "cotangent.data.fashionMnist";
    /** The class names, by label. */
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private FashionMnist() {}

    /** The folder named by system property {@value #PROPERTY}, else {@link #DEBIAN_DIR}. */
    public static Path defaultDirectory() {
        String configured = System.getProperty(PROPERTY, "").strip();
        return configured.isEmpty() ? DEBIAN_DIR : Path.of(configured);
    }

    /** The training split from {@code dir}. */
    public static Dataset train(Path dir) {
        return Dataset.fromIdx(file(dir, "train-images-idx3-ubyte"), file(dir, "train-labels-idx1-ubyte"));
    }

    /** The test split from {@code dir}. */
    public static Dataset test(Path dir) {
        return Dataset.fromIdx(file(dir, "t10k-images-idx3-ubyte"), file(dir, "t10k-labels-idx1-ubyte"));
    }

    private static Path file(Path dir, String name) {
        for (String candidate : List.of(name + ".gz", name)) {
            Path p = dir.resolve(candidate);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new IllegalArgumentException("Fashion-MNIST: neither " + name + ".gz nor " + name + " is in " + dir
                + "; expected the four IDX files there (Debian: apt-get install dataset-fashion-mnist puts them in "
                + DEBIAN_DIR + "; elsewhere point --data or -D" + PROPERTY + " at their folder)");
    }
}
