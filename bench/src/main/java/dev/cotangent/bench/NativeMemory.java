package dev.cotangent.bench;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The library's own count of native bytes: in use now, the most in use since {@link #resetPeak}, and ever
 * allocated from the system. The one place that knows where the counts come from (today the buffer pool's
 * package-private counters, read reflectively; a public memory-statistics API can replace these four handles).
 */
final class NativeMemory {
    private static final MethodHandle LIVE;
    private static final MethodHandle PEAK;
    private static final MethodHandle RESET_PEAK;
    private static final MethodHandle SYSTEM;

    static {
        try {
            Class<?> pool = Class.forName("dev.cotangent.core.BufferPool");
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(pool, MethodHandles.lookup());
            LIVE = lookup.findStatic(pool, "liveBytes", MethodType.methodType(long.class));
            PEAK = lookup.findStatic(pool, "peakBytes", MethodType.methodType(long.class));
            RESET_PEAK = lookup.findStatic(pool, "resetPeak", MethodType.methodType(void.class));
            SYSTEM = lookup.findStatic(pool, "systemBytes", MethodType.methodType(long.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private NativeMemory() {}

    static long liveBytes() {
        return (long) invoke(LIVE);
    }

    static long peakBytes() {
        return (long) invoke(PEAK);
    }

    static void resetPeak() {
        invoke(RESET_PEAK);
    }

    static long systemBytes() {
        return (long) invoke(SYSTEM);
    }

    private static Object invoke(MethodHandle h) {
        try {
            return h.invoke();
        } catch (Throwable t) {
            throw new IllegalStateException("bench: reading the library's memory counters failed", t);
        }
    }
}
