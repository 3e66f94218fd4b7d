package dev.cotangent.core;

import java.lang.management.ManagementFactory;

/**
 * The size check every array allocation passes first: the byte count of a shape and dtype, computed without
 * overflow and held to a limit, so that an absurd shape is an error naming the op instead of a zero-byte
 * buffer, an allocator crash or the system zeroing terabytes.
 *
 * <p>The limit is system property {@value #LIMIT_PROPERTY} (bytes), else the machine's physical memory, and
 * never more than {@link #CEILING} bytes.
 */
final class Allocation {
    static final String LIMIT_PROPERTY = "cotangent.maxArrayBytes";
    /** 64 TiB: more than any machine this runs on, and within every size class of the buffer pool. */
    static final long CEILING = 1L << 46;

    private Allocation() {}

    /** The limit, or the reason the property is unusable; read once. */
    private static final class Limit {
        static final long BYTES;
        static final String ERROR;

        static {
            String configured = System.getProperty(LIMIT_PROPERTY, "").strip();
            long bytes = -1;
            String error = null;
            if (configured.isEmpty()) {
                bytes = Math.min(CEILING, physicalMemory());
            } else {
                try {
                    bytes = Long.parseLong(configured);
                } catch (NumberFormatException e) {
                    bytes = -1;
                }
                if (bytes < 1) {
                    error = "system property " + LIMIT_PROPERTY + "=" + configured + " is not a positive number of"
                            + " bytes; expected e.g. " + LIMIT_PROPERTY + "=" + (1L << 30);
                } else {
                    bytes = Math.min(bytes, CEILING);
                }
            }
            BYTES = bytes;
            ERROR = error;
        }

        private static long physicalMemory() {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                long total = os.getTotalMemorySize();
                if (total > 0) {
                    return total;
                }
            }
            return CEILING; // no measurement on this JVM: the pool's own ceiling still holds
        }
    }

    /** The largest array, in bytes, that may be allocated. */
    static long maxBytes() {
        if (Limit.ERROR != null) {
            throw new IllegalStateException(Limit.ERROR);
        }
        return Limit.BYTES;
    }

    /**
     * The bytes of a contiguous {@code dtype} array of {@code shape}, for op {@code op}; throws naming the op,
     * the shape and the limit when it is larger than {@link #maxBytes()}.
     */
    static long bytes(String op, DType dtype, Shape shape) {
        long size = shape.size();
        int es = dtype.byteSize();
        long limit;
        try {
            limit = maxBytes();
        } catch (IllegalStateException e) {
            throw new IllegalStateException(op + ": cannot allocate " + dtype + shape + ": " + e.getMessage(), e);
        }
        if (size > limit / es) {
            String bytes = size > Long.MAX_VALUE / es ? "more than 2^63 - 1 bytes" : size * es + " bytes";
            throw new IllegalArgumentException(op + ": a " + dtype + " array of shape " + shape + " has " + size
                    + " elements (" + bytes + "), more than the " + limit + "-byte limit on one array (physical"
                    + " memory, or system property " + LIMIT_PROPERTY + "); expected a smaller shape");
        }
        return size * es;
    }
}
