package dev.cotangent.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Clocks for a paired benchmark: each invocation runs side A and side B (and C) back to back, alternating
 * which goes first, and adds each side's own time here. JMH reports the fields per iteration as secondary
 * results, so every measurement iteration yields a time per call for each side taken under the same load.
 * Sides whose thread pools would disturb each other alternate by whole iterations instead ({@link #aIteration}).
 *
 * <p>Why: on a shared, noisy machine two benchmarks run one after the other see different background load,
 * and their ratio says more about the neighbours than about the code.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class Clocks {
    public long aNanos;
    public long aCalls;
    public long bNanos;
    public long bCalls;
    public long cNanos;
    public long cCalls;
    private long turn;
    private long iteration = -1;

    @Setup(Level.Iteration)
    public void reset() {
        aNanos = aCalls = bNanos = bCalls = cNanos = cCalls = 0;
        iteration++;
    }

    /**
     * For sides that must not run back to back (each leaves worker threads spinning that would slow the
     * other): true when this whole iteration belongs to side A, false when to side B; iterations alternate.
     */
    boolean aIteration() {
        return (iteration & 1) == 0;
    }

    /**
     * For {@code sides} sides that must not run back to back: which one this whole iteration belongs to
     * (0 to sides - 1, in turn).
     */
    int iterationSide(int sides) {
        return (int) (iteration % sides);
    }

    /** True on every other invocation: which side goes first, so neither always inherits a warm cache. */
    boolean aFirst() {
        return (turn++ & 1) == 0;
    }

    void a(long startNanos, int calls) {
        aNanos += System.nanoTime() - startNanos;
        aCalls += calls;
    }

    void b(long startNanos, int calls) {
        bNanos += System.nanoTime() - startNanos;
        bCalls += calls;
    }

    /** Side B timed elsewhere (by the PyTorch peer, around its own call). */
    void bMeasured(long nanos, int calls) {
        bNanos += nanos;
        bCalls += calls;
    }

    void c(long startNanos, int calls) {
        cNanos += System.nanoTime() - startNanos;
        cCalls += calls;
    }

    /** Side C timed elsewhere (by a peer process, around its own call). */
    void cMeasured(long nanos, int calls) {
        cNanos += nanos;
        cCalls += calls;
    }
}
