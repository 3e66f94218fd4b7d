package dev.cotangent.bench;

import dev.cotangent.core.Memory;

/**
 * The library's own count of native bytes, as the benchmarks read it: in use now, the most in use since
 * {@link #resetPeak}, and ever allocated from the system (a pool miss), all from {@link Memory#stats()}.
 */
final class NativeMemory {
    private NativeMemory() {}

    static long liveBytes() {
        return Memory.stats().liveBytes();
    }

    static long peakBytes() {
        return Memory.stats().peakLiveBytes();
    }

    static void resetPeak() {
        Memory.resetPeakLiveBytes();
    }

    static long systemBytes() {
        return Memory.stats().systemAllocatedBytes();
    }
}
