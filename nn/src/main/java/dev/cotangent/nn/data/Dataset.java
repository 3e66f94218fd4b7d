package dev.cotangent.nn.data;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Labelled images held off-heap as unsigned bytes: {@code size()} samples of {@code height × width × channels}
 * pixels and one class label each. Batches of it are made by {@link #batches(int)}.
 *
 * {@snippet :
 * try (Dataset train = Dataset.fromIdx(dir.resolve("train-images-idx3-ubyte.gz"), dir.resolve("train-labels-idx1-ubyte.gz"));
 *      BatchIterator batches = train.batches(64).shuffled(seed).open()) {
 *     while (batches.hasNext()) {
 *         try (Batch batch = batches.next()) {
 *             optimizer.step(model, m -> Losses.softmaxCrossEntropy(m.apply(batch.images()), batch.labels()));
 *         }
 *     }
 * }
 * }
 */
public final class Dataset implements AutoCloseable {
    private final IdxFile images;
    private final IdxFile labels;
    private final int size;
    private final int height;
    private final int width;
    private final int channels;
    private final int classes;

    private Dataset(IdxFile images, IdxFile labels) {
        int[] imageDims = images.dims();
        int[] labelDims = labels.dims();
        if (imageDims.length != 3 && imageDims.length != 4) {
            throw new IdxFormatException(images.path(), 3, "rank " + imageDims.length + " (dims "
                    + Arrays.toString(imageDims) + "); expected images [count, height, width] or [count, height, width,"
                    + " channels]");
        }
        if (labelDims.length != 1) {
            throw new IdxFormatException(labels.path(), 3, "rank " + labelDims.length + " (dims "
                    + Arrays.toString(labelDims) + "); expected labels [count]");
        }
        if (imageDims[0] != labelDims[0]) {
            throw new IdxFormatException(labels.path(), 4, "it holds " + labelDims[0] + " labels but images file "
                    + images.path() + " holds " + imageDims[0] + " images (its dimension 0 at byte offset 4);"
                    + " expected the same count");
        }
        this.images = images;
        this.labels = labels;
        this.size = imageDims[0];
        this.height = imageDims[1];
        this.width = imageDims[2];
        this.channels = imageDims.length == 4 ? imageDims[3] : 1;
        int maxLabel = -1;
        for (int i = 0; i < size; i++) {
            maxLabel = Math.max(maxLabel, labels.unsignedByte(i));
        }
        this.classes = maxLabel + 1;
    }

    /**
     * The images of {@code imageFile} ([count, height, width] or [count, height, width, channels]) with the labels
     * of {@code labelFile} ([count]); each file plain or gzip.
     *
     * @throws IdxFormatException if a file is malformed or the counts differ
     */
    public static Dataset fromIdx(Path imageFile, Path labelFile) {
        IdxFile images = IdxFile.read(imageFile);
        try {
            IdxFile labels = IdxFile.read(labelFile);
            try {
                return new Dataset(images, labels);
            } catch (RuntimeException e) {
                labels.close();
                throw e;
            }
        } catch (RuntimeException e) {
            images.close();
            throw e;
        }
    }

    /** The number of samples. */
    public int size() {
        return size;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public int channels() {
        return channels;
    }

    /** Pixels in one sample: {@code height × width × channels}. */
    public int sampleSize() {
        return height * width * channels;
    }

    /** The number of classes: the largest label plus one. */
    public int classes() {
        return classes;
    }

    /** The label of sample {@code i}. */
    public int label(int i) {
        return labels.unsignedByte(checkIndex(i));
    }

    /** The pixel at flat position {@code pixel} (0 to {@link #sampleSize()}) of sample {@code i}, as 0..255. */
    public int pixel(int i, int pixel) {
        return images.unsignedByte((long) checkIndex(i) * sampleSize() + pixel);
    }

    /**
     * The mean and standard deviation of every pixel of every sample, scaled to [0, 1], for
     * {@link Batches#normalized(double, double)}; computed on each call (one pass over the bytes).
     */
    public double[] pixelMeanAndStd() {
        long[] histogram = new long[256];
        java.lang.foreign.MemorySegment bytes = images.data();
        long n = bytes.byteSize();
        for (long i = 0; i < n; i++) {
            histogram[Byte.toUnsignedInt(bytes.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i))]++;
        }
        double sum = 0;
        double squares = 0;
        for (int v = 0; v < 256; v++) {
            double x = v / 255.0;
            sum += histogram[v] * x;
            squares += histogram[v] * x * x;
        }
        double mean = sum / Math.max(1, n);
        return new double[] {mean, Math.sqrt(Math.max(0, squares / Math.max(1, n) - mean * mean))};
    }

    /** Mini-batches of {@code batchSize} samples, in order, the last partial batch kept; refine, then {@code open()}. */
    public Batches batches(int batchSize) {
        return Batches.of(this, batchSize);
    }

    IdxFile images() {
        return images;
    }

    IdxFile labels() {
        return labels;
    }

    private int checkIndex(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("Dataset: sample " + i + " of " + size + "; expected 0 to " + (size - 1));
        }
        return i;
    }

    /** Frees or unmaps both files; batches already made stay valid, iterators still running fail. */
    @Override
    public void close() {
        try {
            images.close();
        } finally {
            labels.close();
        }
    }

    @Override
    public String toString() {
        return "Dataset(" + size + " images " + height + "x" + width + "x" + channels + ", " + classes + " classes, "
                + images.path().getFileName() + ", " + labels.path().getFileName() + ")";
    }
}
