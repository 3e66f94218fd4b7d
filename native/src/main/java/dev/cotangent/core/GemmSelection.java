package dev.cotangent.core;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import org.jspecify.annotations.Nullable;

/**
 * The GEMM of the OpenBLAS backend: for each shape class, OpenBLAS or the Java Vector API kernel, whichever
 * {@link GemmCalibration} measured faster on this machine at the current thread count, or the one that system
 * property {@value #PROPERTY} forces ({@code blas} or {@code java}; {@code auto}, unset or blank measures).
 *
 * <p>Each shape class is decided once per JVM and thread count, before its first product, and never changes
 * afterwards: the same shape always runs the same kernel, so its bits do not change in the middle of a run.
 */
final class GemmSelection implements Gemm {
    /** The system property that forces a GEMM kernel. */
    static final String PROPERTY = "cotangent.gemm";
    /** The values {@value #PROPERTY} accepts (unset or blank means {@code auto}). */
    static final List<String> PROPERTY_VALUES = List.of("auto", "blas", "java");

    static final GemmSelection AUTO = new GemmSelection();

    /** What {@value #PROPERTY} asks for. */
    enum Mode { AUTO, BLAS, JAVA }

    /**
     * Products grouped by work ({@code m*n*k}) and by whether one side is thin (the GEMMs of a convolution);
     * each class is measured on one representative product.
     */
    enum ShapeClass {
        TINY(24, 24, 24),
        SMALL(96, 96, 96),
        SMALL_THIN(1024, 32, 48),
        MEDIUM(320, 320, 320),
        MEDIUM_THIN(16384, 32, 75),
        LARGE(768, 768, 768),
        LARGE_THIN(65536, 32, 75);

        /** Largest work of a tiny, small and medium product. */
        private static final long TINY_WORK = 1L << 15;
        private static final long SMALL_WORK = 1L << 21;
        private static final long MEDIUM_WORK = 1L << 27;
        /** A side shorter than this makes a product thin. */
        private static final int THIN = 48;

        final int m;
        final int n;
        final int k;

        ShapeClass(int m, int n, int k) {
            this.m = m;
            this.n = n;
            this.k = k;
        }

        static ShapeClass of(int m, int n, int k) {
            long work = (long) m * n * k;
            if (work < TINY_WORK) {
                return TINY;
            }
            boolean thin = Math.min(m, Math.min(n, k)) < THIN;
            if (work < SMALL_WORK) {
                return thin ? SMALL_THIN : SMALL;
            }
            if (work < MEDIUM_WORK) {
                return thin ? MEDIUM_THIN : MEDIUM;
            }
            return thin ? LARGE_THIN : LARGE;
        }

        String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** The property, read once per JVM. */
    private static final class Requested {
        static final String VALUE = System.getProperty(PROPERTY, "").strip().toLowerCase(Locale.ROOT);
        static final @Nullable Mode MODE = VALUE.isEmpty() ? Mode.AUTO
                : PROPERTY_VALUES.contains(VALUE) ? Mode.valueOf(VALUE.toUpperCase(Locale.ROOT)) : null;
    }

    /** The kernel of each shape class for one dtype at one thread count. */
    private record Table(int threads, GemmCalibration.Result result, Gemm[] kernels) {
        static Table of(int threads, GemmCalibration.Result result) {
            Gemm[] kernels = new Gemm[ShapeClass.values().length];
            for (ShapeClass c : ShapeClass.values()) {
                kernels[c.ordinal()] = result.java(c) ? JavaGemm.INSTANCE : BlasGemm.INSTANCE;
            }
            return new Table(threads, result, kernels);
        }
    }

    private volatile @Nullable Table floats;
    private volatile @Nullable Table doubles;

    private GemmSelection() {}

    /** The mode {@value #PROPERTY} asks for. */
    static Mode mode() {
        Mode m = Requested.MODE;
        if (m == null) {
            throw new IllegalStateException("Backend: " + validate(false));
        }
        return m;
    }

    /**
     * Why {@value #PROPERTY} cannot be honoured, or null: an unknown value, or {@code blas} where OpenBLAS is
     * not the backend ({@code openBlasBackend} false).
     */
    static @Nullable String validate(boolean openBlasBackend) {
        if (Requested.MODE == null) {
            return "system property " + PROPERTY + "=" + System.getProperty(PROPERTY) + " is not a GEMM kernel;"
                    + " expected one of " + String.join(", ", PROPERTY_VALUES) + " (or unset)";
        }
        if (Requested.MODE == Mode.BLAS && !openBlasBackend) {
            return "system property " + PROPERTY + "=blas requires the OpenBLAS backend, which is not in use";
        }
        return null;
    }

    /** Whether products in this JVM may run the Java kernel (so that warming it up is worth its time). */
    static boolean mayUseJava() {
        if (Backend.kind() == Backend.Kind.JAVA || mode() == Mode.JAVA) {
            return true;
        }
        if (mode() == Mode.BLAS) {
            return false;
        }
        GemmCalibration.@Nullable Result cached = GemmCalibration.cached(DType.F32, Parallel.threads());
        return cached == null || cached.anyJava();
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
            MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
            float beta, MemorySegment c, long cOff, int ldc) {
        Gemm kernel = current(DType.F32).kernels[ShapeClass.of(m, n, k).ordinal()];
        kernel.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    @Override
    public void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
            MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
            double beta, MemorySegment c, long cOff, int ldc) {
        Gemm kernel = current(DType.F64).kernels[ShapeClass.of(m, n, k).ordinal()];
        kernel.dgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /** The table for {@code dtype} at the current thread count. */
    private Table current(DType dtype) {
        Table t = dtype == DType.F32 ? floats : doubles;
        int threads = Parallel.threads();
        return t != null && t.threads == threads ? t : table(dtype, threads);
    }

    /** The table for {@code dtype} at {@code threads}: from the cache file, or measured now (once). */
    private synchronized Table table(DType dtype, int threads) {
        Table t = dtype == DType.F32 ? floats : doubles;
        if (t == null || t.threads != threads) {
            t = Table.of(threads, GemmCalibration.forThreads(dtype, threads));
            if (dtype == DType.F32) {
                floats = t;
            } else {
                doubles = t;
            }
        }
        return t;
    }

    /** What runs the products, for {@link Backend#describe()}; measures nothing. */
    static String describe() {
        Mode m = mode();
        if (m == Mode.BLAS) {
            return "GEMM: OpenBLAS for every product (" + PROPERTY + "=blas)";
        }
        if (m == Mode.JAVA) {
            return "GEMM: the Java Vector API kernel for every product (" + PROPERTY + "=java)";
        }
        int threads = Parallel.threads();
        StringJoiner sj = new StringJoiner("; ", "GEMM: per shape class, the faster of OpenBLAS and the Java kernel"
                + " at " + threads + (threads == 1 ? " thread" : " threads") + ": ", "");
        for (DType dtype : DType.values()) {
            GemmCalibration.@Nullable Result r = dtype == DType.F32 ? liveOrCached(AUTO.floats, dtype, threads)
                    : liveOrCached(AUTO.doubles, dtype, threads);
            sj.add(dtype.name().toLowerCase(Locale.ROOT) + " " + (r == null ? "not measured yet (on its first product)"
                    : r.describe()));
        }
        String warm = JavaGemmWarmup.describeFloat();
        return sj + (warm.isEmpty() ? "" : "; " + warm);
    }

    private static GemmCalibration.@Nullable Result liveOrCached(@Nullable Table t, DType dtype, int threads) {
        return t != null && t.threads == threads ? t.result : GemmCalibration.cached(dtype, threads);
    }

    /** The kernel that runs an m x n x k product of {@code dtype} now (for tests); may measure. */
    Gemm kernelFor(DType dtype, int m, int n, int k) {
        return table(dtype, Parallel.threads()).kernels[ShapeClass.of(m, n, k).ordinal()];
    }
}
