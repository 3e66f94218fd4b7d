package dev.cotangent.bench;

import dev.cotangent.bindings.openblas.OpenBlas;
import dev.cotangent.bindings.openblas.cblas_h;
import dev.cotangent.core.DType;
import dev.cotangent.core.LinearAlgebra;
import dev.cotangent.core.NdArray;
import dev.cotangent.core.RandomArrays;
import dev.cotangent.core.Scope;
import dev.cotangent.core.Shape;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Square float32 matmul through the library (result allocated in a scope per call, as a user writes it) beside
 * a direct {@code cblas_sgemm} on the same inputs into a preallocated result: the library's whole overhead.
 * On one thread both sides run in each invocation; on more they take alternate iterations (see {@link #pair}).
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MatmulBench {
    @Param({"128", "256", "512", "1024", "2048"})
    int n;

    @Param({"1", "2"})
    int threads;

    /** Untimed pause after a threaded OpenBLAS call, longer than its workers spin. */
    private static final long SPIN_OUT_MS = 300;
    /** The side of the previous invocation (threads > 1), -1 before the first. */
    private int lastSide = -1;

    private NdArray a;
    private NdArray b;
    private NdArray c;
    private MemorySegment aSeg;
    private MemorySegment bSeg;
    private MemorySegment cSeg;

    @Setup
    public void setUp() {
        BenchSupport.setThreads(threads);
        Shape shape = Shape.of(n, n);
        a = RandomArrays.normal(DType.F32, shape, 0, 1, 1);
        b = RandomArrays.normal(DType.F32, shape, 0, 1, 2);
        c = NdArray.empty(DType.F32, shape);
        aSeg = BenchSupport.elements(a);
        bSeg = BenchSupport.elements(b);
        cSeg = BenchSupport.elements(c);
    }

    @TearDown
    public void tearDown() {
        a.close();
        b.close();
        c.close();
    }

    /**
     * Side A, the library; side B, direct CBLAS. On one thread, one call each, back to back in alternating order.
     * On more, the sides take whole iterations in turn (as the training steps do): OpenBLAS's threaded calls
     * leave its workers spinning for 0.1-0.2 s, which would take the cores from the library's side, so a library
     * iteration that follows a CBLAS one starts with an untimed pause.
     */
    @Benchmark
    public void pair(Clocks clocks, Blackhole bh) {
        if (threads == 1) {
            if (clocks.aFirst()) {
                library(clocks, bh);
                cblas(clocks, bh);
            } else {
                cblas(clocks, bh);
                library(clocks, bh);
            }
            return;
        }
        int side = clocks.iterationSide(2);
        if (side != lastSide) {
            OpenBlas.setThreads(side == 0 ? 1 : threads);
            if (side == 0) {
                spinOut();
            }
            lastSide = side;
        }
        if (side == 0) {
            library(clocks, bh);
        } else {
            cblas(clocks, bh);
        }
    }

    private void library(Clocks clocks, Blackhole bh) {
        long t = System.nanoTime();
        try (Scope s = Scope.open()) {
            bh.consume(LinearAlgebra.matmul(a, b));
        }
        clocks.a(t, 1);
    }

    /** OpenBLAS alone: threaded by OpenBLAS itself at the bench's thread count (set in pair). */
    private void cblas(Clocks clocks, Blackhole bh) {
        long t = System.nanoTime();
        cblas_h.cblas_sgemm(cblas_h.CblasRowMajor(), cblas_h.CblasNoTrans(), cblas_h.CblasNoTrans(),
                n, n, n, 1f, aSeg, n, bSeg, n, 0f, cSeg, n);
        bh.consume(cSeg);
        clocks.b(t, 1);
    }

    private static void spinOut() {
        try {
            Thread.sleep(SPIN_OUT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
