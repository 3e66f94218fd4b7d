package dev.cotangent.nn.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * An IDX file of unsigned bytes (the MNIST family's format) held off-heap: a plain file is memory-mapped, a
 * gzip file (recognized by its magic bytes, not its name) is decompressed once into native memory.
 *
 * <p>The format: two zero bytes, the element type ({@code 0x08} for unsigned bytes, the only one read here), the
 * number of dimensions, each dimension as a big-endian 32-bit integer, then the elements in row-major order.
 * A wrong magic number, another element type, a file that ends early or carries bytes past its data is an
 * {@link IdxFormatException} naming the file, the byte offset and what was expected there.
 *
 * {@snippet :
 * try (IdxFile images = IdxFile.read(Path.of("train-images-idx3-ubyte.gz"))) {
 *     int[] dims = images.dims();                    // [60000, 28, 28]
 *     int firstPixel = images.unsignedByte(0);
 * }
 * }
 */
public final class IdxFile implements AutoCloseable {
    /** The element type code of unsigned bytes. */
    static final int UNSIGNED_BYTE = 0x08;
    private static final int GZIP_MAGIC_0 = 0x1f;
    private static final int GZIP_MAGIC_1 = 0x8b;

    private final Path path;
    private final int[] dims;
    private final Arena arena;
    private final MemorySegment data;

    private IdxFile(Path path, int[] dims, Arena arena, MemorySegment data) {
        this.path = path;
        this.dims = dims;
        this.arena = arena;
        this.data = data;
    }

    /**
     * Reads {@code path}, plain or gzip-compressed.
     *
     * @throws IdxFormatException if the contents are not a whole IDX file of unsigned bytes
     * @throws UncheckedIOException if the file cannot be read
     */
    public static IdxFile read(Path path) {
        try {
            if (isGzip(path)) {
                return readGzip(path);
            }
            return map(path);
        } catch (IOException e) {
            throw new UncheckedIOException("IDX file " + path + ": cannot be read: " + e.getMessage(), e);
        }
    }

    /** The file this was read from. */
    public Path path() {
        return path;
    }

    /** The dimensions, outermost (the sample count) first. */
    public int[] dims() {
        return dims.clone();
    }

    /** The size of dimension {@code axis}. */
    public int dim(int axis) {
        return dims[axis];
    }

    /** The elements, row-major, one unsigned byte each; read-only and valid until {@link #close()}. */
    public MemorySegment data() {
        return data;
    }

    /** The element at flat position {@code i}, as 0..255. */
    public int unsignedByte(long i) {
        return Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, i));
    }

    /** Unmaps or frees the elements; {@link #data()} throws afterwards. */
    @Override
    public void close() {
        arena.close();
    }

    @Override
    public String toString() {
        return "IdxFile(" + path + ", ubyte" + Arrays.toString(dims) + ")";
    }

    private static boolean isGzip(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return in.read() == GZIP_MAGIC_0 && in.read() == GZIP_MAGIC_1;
        }
    }

    private static IdxFile map(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            MemorySegment file = size == 0 ? MemorySegment.ofArray(new byte[0])
                    : channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            Header header = Header.parse(path, new SegmentBytes(file), "");
            long end = header.dataOffset + header.elements;
            if (size < end) {
                throw new IdxFormatException(path, size, "the file ends after " + size + " bytes; expected "
                        + header.elements + " data bytes for dims " + Arrays.toString(header.dims) + " from offset "
                        + header.dataOffset + " to " + end + " (truncated file)");
            }
            if (size > end) {
                throw new IdxFormatException(path, end, (size - end) + " bytes follow the data; expected the file to"
                        + " end there for dims " + Arrays.toString(header.dims));
            }
            return new IdxFile(path, header.dims, arena, file.asSlice(header.dataOffset, header.elements).asReadOnly());
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static IdxFile readGzip(Path path) throws IOException {
        String where = " of the decompressed stream";
        StreamBytes bytes = null;
        try (InputStream in = new BufferedInputStream(new GZIPInputStream(Files.newInputStream(path), 1 << 16), 1 << 16)) {
            bytes = new StreamBytes(in);
            Header header = Header.parse(path, bytes, where);
            Arena arena = Arena.ofShared();
            try {
                MemorySegment data = arena.allocate(Math.max(1, header.elements)).asSlice(0, header.elements);
                byte[] chunk = new byte[1 << 16];
                long filled = 0;
                while (filled < header.elements) {
                    int n = in.read(chunk, 0, (int) Math.min(chunk.length, header.elements - filled));
                    if (n < 0) {
                        long at = header.dataOffset + filled;
                        throw new IdxFormatException(path, at, "the decompressed stream ends after " + at
                                + " bytes; expected " + header.elements + " data bytes for dims "
                                + Arrays.toString(header.dims) + " from offset " + header.dataOffset + " to "
                                + (header.dataOffset + header.elements) + " (truncated file)");
                    }
                    MemorySegment.copy(chunk, 0, data, ValueLayout.JAVA_BYTE, filled, n);
                    filled += n;
                    bytes.position = header.dataOffset + filled;
                }
                if (in.read() >= 0) {
                    long at = header.dataOffset + header.elements;
                    throw new IdxFormatException(path, at, "bytes follow the data" + where + "; expected it to end"
                            + " there for dims " + Arrays.toString(header.dims));
                }
                return new IdxFile(path, header.dims, arena, data.asReadOnly());
            } catch (IOException | RuntimeException e) {
                arena.close();
                throw e;
            }
        } catch (java.util.zip.ZipException | EOFException e) {
            // The compressed stream itself is cut or damaged: say how far decompression got.
            long at = bytes == null ? 0 : bytes.position;
            throw new IdxFormatException(path, at, "the gzip stream is cut short or corrupt after " + at
                    + " decompressed bytes (" + e.getMessage() + "); expected a complete gzip file");
        }
    }

    /** Sequential access to the first bytes of a file, for the header. */
    private interface ByteSource {
        /** The byte at {@code offset} (always the next one), or throws {@link EOFException} naming what it wanted. */
        int at(long offset, String wanted) throws IOException;
    }

    private record SegmentBytes(MemorySegment file) implements ByteSource {
        @Override
        public int at(long offset, String wanted) throws EOFException {
            if (offset >= file.byteSize()) {
                throw new EOFException(wanted);
            }
            return Byte.toUnsignedInt(file.get(ValueLayout.JAVA_BYTE, offset));
        }
    }

    private static final class StreamBytes implements ByteSource {
        private final InputStream in;
        long position;

        StreamBytes(InputStream in) {
            this.in = in;
        }

        @Override
        public int at(long offset, String wanted) throws IOException {
            int b = in.read();
            if (b < 0) {
                throw new EOFException(wanted);
            }
            position = offset + 1;
            return b;
        }
    }

    /** The dimensions and where the data starts. */
    private record Header(int[] dims, long dataOffset, long elements) {
        static Header parse(Path path, ByteSource bytes, String where) throws IOException {
            int[] magic = new int[4];
            try {
                for (int i = 0; i < 4; i++) {
                    magic[i] = bytes.at(i, "a 4-byte magic number 00 00 08 <rank> at offset 0");
                }
            } catch (EOFException e) {
                throw new IdxFormatException(path, 0, "the file is shorter than its 4-byte magic number; expected"
                        + " 00 00 08 <rank> (an IDX file of unsigned bytes)" + where);
            }
            if (magic[0] != 0 || magic[1] != 0) {
                throw new IdxFormatException(path, 0, String.format("magic number %02x %02x %02x %02x; expected 00 00"
                        + " 08 <rank> (an IDX file of unsigned bytes)%s", magic[0], magic[1], magic[2], magic[3], where));
            }
            if (magic[2] != UNSIGNED_BYTE) {
                throw new IdxFormatException(path, 2, String.format("element type 0x%02x; expected 0x08 (unsigned"
                        + " byte), the only type read here%s", magic[2], where));
            }
            int rank = magic[3];
            if (rank < 1) {
                throw new IdxFormatException(path, 3, "rank 0; expected at least one dimension" + where);
            }
            int[] dims = new int[rank];
            long elements = 1;
            for (int d = 0; d < rank; d++) {
                long offset = 4 + 4L * d;
                int value = 0;
                try {
                    for (int i = 0; i < 4; i++) {
                        value = (value << 8) | bytes.at(offset + i, "dimension " + d + " of " + rank + " at offset "
                                + offset);
                    }
                } catch (EOFException e) {
                    throw new IdxFormatException(path, offset, "the file ends inside the header; expected " + rank
                            + " big-endian 32-bit dimensions from offset 4" + where);
                }
                if (value < 0) {
                    throw new IdxFormatException(path, offset, "dimension " + d + " is " + value + "; expected a"
                            + " size of at most " + Integer.MAX_VALUE + where);
                }
                dims[d] = value;
                elements = value == 0 || elements <= Long.MAX_VALUE / value ? elements * value : -1;
            }
            // NOTE: a gzip file cannot be checked against its size before the data is allocated, so an absurd
            // header is stopped here instead of by the allocator.
            long limit = dev.cotangent.core.NdArray.maxBytes();
            if (elements < 0 || elements > limit) {
                throw new IdxFormatException(path, 4, "dims " + Arrays.toString(dims) + " make "
                        + (elements < 0 ? "more than " + Long.MAX_VALUE : elements) + " elements; expected at most "
                        + limit + " (the largest array this machine may allocate)" + where);
            }
            return new Header(dims, 4 + 4L * rank, elements);
        }
    }
}
