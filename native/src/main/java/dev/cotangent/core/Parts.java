package dev.cotangent.core;

/**
 * Splits a loop of a user-written kernel (a primitive of {@code nn}, or your own) over the library's kernel
 * threads, the ones {@link Backend#setThreads} sizes and the built-in kernels use.
 *
 * <p>The calling thread runs one part and returns once every part has finished, so a part may read and write
 * arrays the caller holds, and touching them from a worker does not count as another thread's access. Parts
 * must write disjoint elements. On a virtual thread, or for a short loop, the whole range runs on the caller.
 */
public final class Parts {
    /** One part of the range: indices {@code [from, to)}. */
    @FunctionalInterface
    public interface Range {
        void run(long from, long to);
    }

    private Parts() {}

    /**
     * Runs {@code body} over {@code [0, n)}: in one part when {@code n < minParallel} or there is one thread,
     * else in one part per thread, each starting at a multiple of {@code grain}.
     *
     * @throws IllegalArgumentException if {@code n} is negative or {@code grain} or {@code minParallel} is not
     *                                  positive
     */
    public static void forRange(long n, long grain, long minParallel, Range body) {
        if (n < 0 || grain < 1 || minParallel < 1) {
            throw new IllegalArgumentException("Parts.forRange: n=" + n + ", grain=" + grain + ", minParallel="
                    + minParallel + "; expected n >= 0 and a positive grain and minParallel");
        }
        Checks.notNull(body, "Parts.forRange", "body");
        Parallel.forRange(n, grain, minParallel, true, body);
    }
}
