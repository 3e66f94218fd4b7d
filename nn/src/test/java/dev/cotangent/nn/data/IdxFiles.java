package dev.cotangent.nn.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Small synthetic IDX files for the tests: well-formed ones, and the bytes to damage. */
final class IdxFiles {
    private IdxFiles() {}

    /** The bytes of an IDX file of unsigned bytes with {@code dims} and {@code data}. */
    static byte[] idx(int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.put((byte) 0).put((byte) 0).put((byte) 0x08).put((byte) dims.length);
        for (int d : dims) {
            b.putInt(d); // big-endian, as ByteBuffer writes by default
        }
        b.put(data);
        return b.array();
    }

    /** Images [count, height, width] whose pixel p of sample i is {@code pixel(i, p)}. */
    static byte[] images(int count, int height, int width) {
        byte[] data = new byte[count * height * width];
        for (int i = 0; i < count; i++) {
            for (int p = 0; p < height * width; p++) {
                data[i * height * width + p] = (byte) pixel(i, p);
            }
        }
        return idx(new int[] {count, height, width}, data);
    }

    static int pixel(int sample, int p) {
        return (sample * 7 + p * 3) % 256;
    }

    /** Labels [count] equal to {@code i % classes}. */
    static byte[] labels(int count, int classes) {
        byte[] data = new byte[count];
        for (int i = 0; i < count; i++) {
            data[i] = (byte) (i % classes);
        }
        return idx(new int[] {count}, data);
    }

    static byte[] gzip(byte[] bytes) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                gz.write(bytes);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path write(Path dir, String name, byte[] bytes) {
        try {
            return Files.write(dir.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A data set of {@code count} 3x2 images and labels {@code i % 10}, written plain. */
    static Dataset dataset(Path dir, int count) {
        return Dataset.fromIdx(write(dir, "images-" + count, images(count, 3, 2)),
                write(dir, "labels-" + count, labels(count, 10)));
    }
}
