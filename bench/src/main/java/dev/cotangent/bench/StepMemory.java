package dev.cotangent.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Per iteration: bytes the library allocated from the system during its training steps, and how many steps
 * it ran; after warm-up every step's arrays should come from the pool.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class StepMemory {
    public long systemBytes;
    public long steps;

    @Setup(Level.Iteration)
    public void reset() {
        systemBytes = steps = 0;
    }

    void add(long bytes) {
        systemBytes += bytes;
        steps++;
    }
}
