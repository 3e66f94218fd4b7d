package dev.cotangent.bench;

import java.util.concurrent.atomic.DoubleAdder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The machine's float32 FMA peak as Java code can reach it: 512-bit Vector API FMAs on twelve independent
 * accumulators (more than latency times throughput on current x86 cores), on 1 and on 2 threads.
 */
final class FmaPeak {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    private static final int ACCUMULATORS = 12;
    /** Loop turns per timed run: about 50 ms at 200 GFLOP/s per thread. */
    private static final long TURNS = 50_000_000L * 200 / (2L * ACCUMULATORS * 16);
    private static volatile float sink;

    private FmaPeak() {}

    /** Best GFLOP/s of {@code rounds} runs on {@code threads} threads at once (each thread's own loop). */
    static double gflops(int threads, int rounds) {
        double best = 0;
        for (int r = 0; r < rounds; r++) {
            DoubleAdder flops = new DoubleAdder();
            Thread[] ts = new Thread[threads];
            long start = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                ts[t] = Thread.ofPlatform().start(() -> flops.add(run(TURNS)));
            }
            for (Thread t : ts) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Double.NaN;
                }
            }
            best = Math.max(best, flops.sum() / (System.nanoTime() - start));
        }
        return best;
    }

    /** Flops done by {@code turns} turns of twelve 16-lane FMAs. */
    private static double run(long turns) {
        FloatVector a = FloatVector.broadcast(S, 0.999999f);
        FloatVector b = FloatVector.broadcast(S, 1e-7f);
        FloatVector c0 = FloatVector.broadcast(S, 1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        FloatVector c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (long i = 0; i < turns; i++) {
            c0 = c0.fma(a, b);
            c1 = c1.fma(a, b);
            c2 = c2.fma(a, b);
            c3 = c3.fma(a, b);
            c4 = c4.fma(a, b);
            c5 = c5.fma(a, b);
            c6 = c6.fma(a, b);
            c7 = c7.fma(a, b);
            c8 = c8.fma(a, b);
            c9 = c9.fma(a, b);
            c10 = c10.fma(a, b);
            c11 = c11.fma(a, b);
        }
        FloatVector sum = c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11);
        sink = sum.reduceLanes(VectorOperators.ADD);
        return 2.0 * ACCUMULATORS * S.length() * turns;
    }
}
