package dev.cotangent.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The IDX reader on well-formed and damaged files, plain and gzip. */
class IdxFileTest {
    @TempDir
    Path dir;

    private static final byte[] IMAGES = IdxFiles.images(5, 4, 3);

    private void checkImages(IdxFile f) {
        assertArrayEquals(new int[] {5, 4, 3}, f.dims());
        assertEquals(60, f.data().byteSize());
        for (int i = 0; i < 5; i++) {
            for (int p = 0; p < 12; p++) {
                assertEquals(IdxFiles.pixel(i, p), f.unsignedByte(i * 12L + p));
            }
        }
    }

    @Test
    void readsPlainFile() {
        try (IdxFile f = IdxFile.read(IdxFiles.write(dir, "plain", IMAGES))) {
            checkImages(f);
        }
    }

    @Test
    void recognizesGzipByItsMagicBytesNotItsName() {
        try (IdxFile f = IdxFile.read(IdxFiles.write(dir, "compressed-without-suffix", IdxFiles.gzip(IMAGES)))) {
            checkImages(f);
        }
    }

    @Test
    void closeFreesTheData() {
        IdxFile f = IdxFile.read(IdxFiles.write(dir, "plain", IMAGES));
        f.close();
        assertThrows(IllegalStateException.class, () -> f.unsignedByte(0));
    }

    private IdxFormatException fails(String name, byte[] bytes) {
        Path p = IdxFiles.write(dir, name, bytes);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxFile.read(p));
        assertEquals(p, e.file());
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
        return e;
    }

    @Test
    void wrongMagicNamesOffsetZero() {
        byte[] bytes = IMAGES.clone();
        bytes[0] = 0x12;
        IdxFormatException e = fails("magic", bytes);
        assertEquals(0, e.offset());
        assertTrue(e.getMessage().contains("byte offset 0: magic number 12 00 08 03; expected 00 00 08 <rank>"),
                e.getMessage());
    }

    @Test
    void otherElementTypeIsRejectedAtOffsetTwo() {
        byte[] bytes = IMAGES.clone();
        bytes[2] = 0x0D; // float32 elements
        IdxFormatException e = fails("floats", bytes);
        assertEquals(2, e.offset());
        assertTrue(e.getMessage().contains("element type 0x0d; expected 0x08"), e.getMessage());
    }

    @Test
    void truncatedDataNamesWhereTheFileEnds() {
        byte[] bytes = Arrays.copyOf(IMAGES, IMAGES.length - 7);
        IdxFormatException e = fails("short", bytes);
        assertEquals(bytes.length, e.offset());
        assertTrue(e.getMessage().contains("expected 60 data bytes for dims [5, 4, 3] from offset 16 to 76"),
                e.getMessage());
    }

    @Test
    void truncatedGzipDataNamesTheDecompressedOffset() {
        byte[] bytes = IdxFiles.gzip(Arrays.copyOf(IMAGES, 40));
        IdxFormatException e = fails("short.gz", bytes);
        assertEquals(40, e.offset());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void cutGzipStreamIsAnErrorNotAPartialRead() {
        byte[] whole = IdxFiles.gzip(IdxFiles.images(50, 28, 28));
        IdxFormatException e = fails("cut.gz", Arrays.copyOf(whole, whole.length / 2));
        assertTrue(e.getMessage().contains("gzip"), e.getMessage());
    }

    @Test
    void truncatedHeader() {
        IdxFormatException e = fails("header", Arrays.copyOf(IMAGES, 9));
        assertEquals(8, e.offset());
        assertTrue(e.getMessage().contains("ends inside the header; expected 3 big-endian 32-bit dimensions"),
                e.getMessage());
    }

    @Test
    void emptyFile() {
        IdxFormatException e = fails("empty", new byte[0]);
        assertEquals(0, e.offset());
        assertTrue(e.getMessage().contains("shorter than its 4-byte magic number"), e.getMessage());
    }

    @Test
    void bytesAfterTheDataAreAnError() {
        byte[] bytes = Arrays.copyOf(IMAGES, IMAGES.length + 3);
        IdxFormatException e = fails("long", bytes);
        assertEquals(IMAGES.length, e.offset());
        assertTrue(e.getMessage().contains("3 bytes follow the data"), e.getMessage());
        IdxFormatException gz = fails("long.gz", IdxFiles.gzip(bytes));
        assertEquals(IMAGES.length, gz.offset());
    }

    @Test
    void absurdDimensionsAreRejectedBeforeAnythingIsAllocated() {
        byte[] header = IdxFiles.idx(new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE}, new byte[0]);
        IdxFormatException e = fails("huge.gz", IdxFiles.gzip(header));
        assertEquals(4, e.offset());
        assertTrue(e.getMessage().contains("elements; expected at most"), e.getMessage());
    }

    @Test
    void rankZero() {
        IdxFormatException e = fails("rank0", new byte[] {0, 0, 8, 0});
        assertEquals(3, e.offset());
    }

    @Test
    void fashionMnistNamesTheMissingFileAndHowToGetIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FashionMnist.train(dir));
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte.gz") && e.getMessage().contains("apt-get install"
                + " dataset-fashion-mnist"), e.getMessage());
    }
}
