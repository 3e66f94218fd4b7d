package dev.cotangent.nn.data;

import java.nio.file.Path;

/** A file that is not the IDX data it should be; the message names the file, the byte offset and the expectation. */
public final class IdxFormatException extends IllegalArgumentException {
    private final Path file;
    private final long offset;

    /** A problem in {@code file} at byte {@code offset} (of the decompressed stream for a gzip file). */
    public IdxFormatException(Path file, long offset, String problem) {
        super("IDX file " + file + ", byte offset " + offset + ": " + problem);
        this.file = file;
        this.offset = offset;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }

    /** The byte offset the problem was found at. */
    public long offset() {
        return offset;
    }
}
