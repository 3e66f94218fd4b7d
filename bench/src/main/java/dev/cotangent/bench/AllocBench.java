package dev.cotangent.bench;

import dev.cotangent.core.DType;
import dev.cotangent.core.NdArray;
import dev.cotangent.core.Scope;
import dev.cotangent.core.Shape;
import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One allocate-and-release cycle of a 1 KiB array (A: in a scope; B: with close()) beside a bare confined
 * {@link Arena} doing the same (C). Each side runs a batch of {@value #BATCH} cycles per turn, so the clock
 * reads are a small part of what is timed (see {@link Clocks}).
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class AllocBench {
    static final int BATCH = 256;
    private static final Shape KIB = Shape.of(256); // 256 float32 = 1 KiB

    @Benchmark
    public void cycles(Clocks clocks, Blackhole bh) {
        if (clocks.aFirst()) {
            scope(clocks, bh);
            close(clocks, bh);
            arena(clocks, bh);
        } else {
            arena(clocks, bh);
            close(clocks, bh);
            scope(clocks, bh);
        }
    }

    /** The common case: an array allocated inside a scope, released when the scope closes. */
    private static void scope(Clocks clocks, Blackhole bh) {
        long t = System.nanoTime();
        for (int i = 0; i < BATCH; i++) {
            try (Scope s = Scope.open()) {
                bh.consume(NdArray.empty(DType.F32, KIB));
            }
        }
        clocks.a(t, BATCH);
    }

    /** Without a scope: allocate, then {@link NdArray#close()}. */
    private static void close(Clocks clocks, Blackhole bh) {
        long t = System.nanoTime();
        for (int i = 0; i < BATCH; i++) {
            NdArray a = NdArray.empty(DType.F32, KIB);
            bh.consume(a);
            a.close();
        }
        clocks.b(t, BATCH);
    }

    /** The reference: what the JDK alone costs for the same bytes. */
    private static void arena(Clocks clocks, Blackhole bh) {
        long t = System.nanoTime();
        for (int i = 0; i < BATCH; i++) {
            try (Arena arena = Arena.ofConfined()) {
                bh.consume(arena.allocate(1024));
            }
        }
        clocks.c(t, BATCH);
    }
}
