package dev.cotangent.core;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.function.IntConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Gets the Java GEMM kernels compiled by C2 before real products run on them: until then they run interpreted
 * or in C1, where every vector is an object, about 100x slower (1.8 GFLOP/s over the first 20 products at
 * n = 128, against 150 once compiled).
 *
 * <p>The float32 warm-up starts in the background when the first array is created ({@link #startInBackground});
 * a product that reaches the Java kernel while it runs waits for it ({@link #ensureWarm}) rather than compete
 * with it for the cores in slow code. The float64 kernels warm on the first float64 product that uses them.
 */
final class JavaGemmWarmup {
    /**
     * Products per warm-up shape at least (past C2's default thresholds for the kernel and the blocking loops
     * around it, about 600 calls with loops), and at most (a JVM whose JIT never goes quiet).
     */
    private static final int MIN_ROUNDS = 250;
    private static final int MAX_ROUNDS = 20_000;
    /** How long the JIT must have finished nothing new before the kernels count as compiled. */
    private static final long QUIET_NANOS = 150_000_000L;

    /** Whether the float32 kernels are compiled (or warming them failed and is not tried again). */
    private static volatile boolean floatWarm;
    /** The thread warming the float32 kernels now, or null; set under the class lock. */
    private static volatile @Nullable Thread floatWorker;
    private static volatile boolean doubleDone;
    private static final Object DOUBLE_LOCK = new Object();
    private static volatile @Nullable Thread doubleWorker;
    private static volatile long floatMillis = -1;

    private JavaGemmWarmup() {}

    /**
     * Starts warming the float32 kernel on a daemon thread, unless it is warm or warming, when the GEMM in use
     * may run it. Never throws: whatever goes wrong here shows up, with its message, on the first product instead.
     */
    static void startInBackground() {
        if (!floatWarm && floatWorker == null) {
            start(false);
        }
    }

    /**
     * The thread warming the float32 kernels, started here if none is (null once they are warm). Unless
     * {@code always}, it warms only if products may run the Java kernel, and otherwise leaves it cold for a
     * later start: the choice may change with the thread count.
     */
    private static synchronized @Nullable Thread start(boolean always) {
        if (floatWarm || floatWorker != null) {
            return floatWorker;
        }
        Thread t = Thread.ofPlatform().daemon().name("cotangent-gemm-warmup").unstarted(() -> {
            try {
                if (always || GemmSelection.mayUseJava()) {
                    long begin = System.nanoTime();
                    warm(DType.F32);
                    floatMillis = (System.nanoTime() - begin) / 1_000_000;
                    floatWarm = true;
                }
            } catch (RuntimeException | Error e) {
                // The first product reports the same problem (a bad property, a missing library) to its caller;
                // a product that asked for the warm-up does not ask again.
                floatWarm |= always;
            } finally {
                synchronized (JavaGemmWarmup.class) {
                    floatWorker = null;
                }
            }
        });
        floatWorker = t;
        t.start();
        return t;
    }

    /**
     * Called before every Java-kernel product: makes sure the kernels of {@code dtype} are compiled, waiting for
     * the float32 warm-up (started now if need be) or running the float64 one here (once), except on the
     * thread doing the warming.
     */
    static void ensureWarm(DType dtype) {
        if (dtype == DType.F32) {
            while (!floatWarm) {
                Thread t = floatWorker;
                if (t == Thread.currentThread()) {
                    return;
                }
                t = start(true);
                if (t == null) {
                    return;
                }
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            return;
        }
        if (doubleDone || Thread.currentThread() == doubleWorker) {
            return;
        }
        synchronized (DOUBLE_LOCK) {
            if (!doubleDone) {
                doubleWorker = Thread.currentThread();
                try {
                    warm(DType.F64);
                } finally {
                    doubleWorker = null;
                    doubleDone = true;
                }
            }
        }
    }

    /** How long the float32 warm-up took, for {@link Backend#describe()}: empty when it did not run. */
    static String describeFloat() {
        long ms = floatMillis;
        return ms < 0 ? "" : "Java kernel warmed in " + ms + " ms";
    }

    /**
     * Runs small products through every path of the serial kernel (both orientations of A, the transposed-B
     * packing, edge tiles) until C2 has had reason to compile them all and has gone quiet.
     *
     * <p>Small, because the JIT counts calls and loop turns, not flops: a 48 x 64 x 16 product calls the
     * micro-kernel 16 times for a thousandth of what n = 128 costs before compilation. The end is told by the
     * JIT's own clock rather than by timing, which a loaded machine makes meaningless.
     */
    private static void warm(DType dtype) {
        int es = (int) dtype.byteSize();
        // NOTE: shared, like the arrays' buffers: the memory-access code compiled here specializes on the kind
        // of arena, and a confined one would deoptimize on the first real product.
        try (Arena arena = Arena.ofShared()) {
            // Room for the occasional product that crosses every block boundary (rows, columns and depth).
            long elements = (long) (JavaSgemm.MC + 10) * (JavaSgemm.KC + 8);
            MemorySegment a = arena.allocate(elements * es, 64);
            MemorySegment b = arena.allocate(elements * es, 64);
            MemorySegment c = arena.allocate(elements * es, 64);
            repeatUntilJitQuiet(MIN_ROUNDS, round -> {
                // Both entries: products come through the parallel one, a convolution's parts through the other.
                Gemm g = (round & 1) == 0 ? JavaGemm.INSTANCE : JavaGemm.SERIAL;
                // NOTE: every branch of the blocking code must be seen here (beta zero or not, edge tiles, A in
                // either orientation), or the first real product that takes one deoptimizes the compiled code.
                product(g, dtype, false, false, 48, 64, 16, 0, a, b, c);
                product(g, dtype, true, false, 45, 61, 13, 0.5, a, b, c);
                product(g, dtype, false, true, 47, 35, 16, 0, a, b, c);
                if (round % 64 == 0) {
                    boolean transA = (round & 64) != 0;
                    product(g, dtype, transA, !transA, JavaSgemm.MC + 7, 70, JavaSgemm.KC + 5, round & 1, a, b, c);
                }
            });
        }
    }

    /**
     * Runs {@code round} at least {@code minRounds} times, then until the JIT has compiled nothing new for
     * {@link #QUIET_NANOS} (or {@link #MAX_ROUNDS} rounds, or at once where the JIT has no clock).
     */
    static void repeatUntilJitQuiet(int minRounds, IntConsumer round) {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean jitClock = jit != null && jit.isCompilationTimeMonitoringSupported();
        long lastJit = -1;
        long quietSince = System.nanoTime();
        for (int i = 0; i < MAX_ROUNDS; i++) {
            round.accept(i);
            if (i + 1 < minRounds) {
                continue;
            }
            if (!jitClock) {
                return;
            }
            long now = System.nanoTime();
            long total = jit.getTotalCompilationTime();
            if (total != lastJit) {
                lastJit = total;
                quietSince = now;
            } else if (now - quietSince > QUIET_NANOS) {
                return;
            }
        }
    }

    private static void product(Gemm g, DType dtype, boolean ta, boolean tb, int m, int n, int k, double beta,
            MemorySegment a, MemorySegment b, MemorySegment c) {
        int lda = ta ? m : k;
        int ldb = tb ? k : n;
        if (dtype == DType.F32) {
            g.sgemm(ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, (float) beta, c, 0, n);
        } else {
            g.dgemm(ta, tb, m, n, k, 1.0, a, 0, lda, b, 0, ldb, beta, c, 0, n);
        }
    }
}
