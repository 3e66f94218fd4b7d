package dev.cotangent.bench;

import dev.cotangent.core.Backend;
import dev.cotangent.core.NdArray;
import java.lang.foreign.MemorySegment;
import java.util.List;

/** What every benchmark shares: the JVM flags of the forks and the thread setting. */
final class BenchSupport {
    /**
     * Flags every forked benchmark JVM runs with: the parent pom's {@code cotangent.jvm.flags}, and leave for
     * JMH 1.37's use of sun.misc.Unsafe, which would otherwise warn in every fork.
     */
    static final List<String> JVM_FLAGS = List.of("--add-modules=jdk.incubator.vector",
            "--enable-native-access=ALL-UNNAMED", "-Xss8m", "--sun-misc-unsafe-memory-access=allow");

    private BenchSupport() {}

    /** Sets the library's threads (OpenBLAS stays single-threaded under them; see {@link Backend#setThreads}). */
    static void setThreads(int n) {
        Backend.setThreads(n);
    }

    /** The exact bytes of a contiguous array (its segment may be a larger pooled buffer). */
    static MemorySegment elements(NdArray a) {
        if (!a.isContiguous()) {
            throw new IllegalArgumentException("bench: expected a contiguous array, got strides of " + a.shape());
        }
        return a.segment().asSlice(a.byteOffset(), a.size() * a.dtype().byteSize());
    }
}
