package dev.cotangent.nn.weights;

import java.nio.file.Path;

/**
 * A weight file that cannot be read, or that does not fit the model: malformed header, offsets out of range or
 * overlapping, a dtype or shape that differs from the parameter's, missing or extra names. The message names
 * the file and what was expected.
 */
public final class WeightFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    WeightFileException(Path file, String message) {
        super(file + ": " + message);
    }

    WeightFileException(Path file, String message, Throwable cause) {
        super(file + ": " + message, cause);
    }
}
