package dev.cotangent.core;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jdk.incubator.vector.FloatVector;
import org.jspecify.annotations.Nullable;

/**
 * Measures, per shape class, whether OpenBLAS or the Java kernel multiplies faster on this machine, and keeps
 * the answer in a file ({@value #FILE_PROPERTY}, by default {@code ~/.cache/cotangent/gemm-calibration}) keyed
 * by CPU model, {@code OPENBLAS_CORETYPE}, thread count, JDK, vector size and kernel version, so that a machine
 * measures once (about a second) and later JVMs read the answer. It measures twice and keeps the answer only
 * when both agree on every class.
 *
 * <p>Both kernels run on the same inputs, in alternating order, and each one's fastest time decides: on a
 * loaded machine a thread that loses its core for a while makes single runs (and even medians, when both
 * kernels' threads wait on each other) many times slower, but rarely every run.
 */
final class GemmCalibration {
    /** System property naming the cache file; {@code off} measures in every JVM and writes nothing. */
    static final String FILE_PROPERTY = "cotangent.gemm.calibration";
    /** Bumped whenever a kernel, or the way of measuring, changes enough that old records no longer hold. */
    private static final int KERNEL_VERSION = 4;
    private static final int WARM_PAIRS = 2;
    private static final int PAIRS = 7;
    /** Work per timed sample, in flops: long enough for the clock, short enough to keep calibration brief. */
    private static final double SAMPLE_FLOPS = 4e7;
    /** Ratios within 10% of 1 either way ({@code |log r| <= CLOSE}) call the kernels even. */
    private static final double CLOSE = Math.log(1.1);

    /** Per shape class: Java or OpenBLAS, with the ratio of their best times (OpenBLAS / Java) behind it. */
    record Result(double[] ratios, String source) {
        boolean java(GemmSelection.ShapeClass c) {
            return ratios[c.ordinal()] > 1;
        }

        boolean anyJava() {
            return Arrays.stream(ratios).anyMatch(r -> r > 1);
        }

        String describe() {
            StringBuilder sb = new StringBuilder();
            for (GemmSelection.ShapeClass c : GemmSelection.ShapeClass.values()) {
                sb.append(sb.isEmpty() ? "" : " ").append(c.label()).append('=').append(java(c) ? "java" : "blas")
                        .append(String.format(Locale.ROOT, "(%.2fx)", ratios[c.ordinal()]));
            }
            return sb + " [" + source + "]";
        }

        String encode() {
            StringBuilder sb = new StringBuilder();
            for (double r : ratios) {
                sb.append(sb.isEmpty() ? "" : ",").append(String.format(Locale.ROOT, "%.3f", r));
            }
            return sb.toString();
        }

        static @Nullable Result decode(String s, String source) {
            String[] parts = s.split(",");
            if (parts.length != GemmSelection.ShapeClass.values().length) {
                return null;
            }
            double[] ratios = new double[parts.length];
            try {
                for (int i = 0; i < parts.length; i++) {
                    ratios[i] = Double.parseDouble(parts[i]);
                }
            } catch (NumberFormatException e) {
                return null;
            }
            return new Result(ratios, source);
        }
    }

    // Results of this JVM, so that the file is read once per key.
    private static final Map<String, Result> KNOWN = new ConcurrentHashMap<>();

    private GemmCalibration() {}

    /** The cached result for {@code dtype} at {@code threads}, or null when this machine has not measured it. */
    static @Nullable Result cached(DType dtype, int threads) {
        String key = key(dtype, threads);
        Result r = KNOWN.get(key);
        if (r != null) {
            return r;
        }
        Path file = file();
        if (file == null) {
            return null;
        }
        for (String line : readLines(file)) {
            int tab = line.indexOf('\t');
            if (tab > 0 && line.substring(0, tab).equals(key)) {
                r = Result.decode(line.substring(tab + 1), "cached in " + file);
                if (r != null) {
                    KNOWN.put(key, r);
                }
                return r;
            }
        }
        return null;
    }

    /** The result for {@code dtype} at {@code threads}: cached, or measured now and cached. */
    static synchronized Result forThreads(DType dtype, int threads) {
        Result r = cached(dtype, threads);
        if (r != null) {
            return r;
        }
        // Twice: a decision that the second measurement contradicts was noise (a loaded machine), and is used
        // in this JVM only rather than kept for every later one.
        double[] first = measure(dtype);
        double[] second = measure(dtype);
        double[] ratios = new double[first.length];
        StringBuilder unstable = new StringBuilder();
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = Math.sqrt(first[i] * second[i]);
            // Two kernels within 10% of each other may come out either way; which one runs then hardly matters,
            // and calling it noise would measure again in every JVM.
            boolean close = Math.abs(Math.log(first[i])) <= CLOSE && Math.abs(Math.log(second[i])) <= CLOSE;
            if ((first[i] > 1) != (second[i] > 1) && !close) {
                unstable.append(unstable.isEmpty() ? "" : ", ").append(GemmSelection.ShapeClass.values()[i].label());
            }
        }
        Path file = file();
        String note = "measured in this JVM";
        if (!unstable.isEmpty()) {
            note += ", not cached (two measurements disagreed on " + unstable + ")";
        } else if (file != null) {
            try {
                store(file, key(dtype, threads), new Result(ratios, "").encode());
                note += ", cached in " + file;
            } catch (IOException | RuntimeException e) {
                note += ", not cached (" + e.getMessage() + ")";
            }
        }
        // As the file has them, so that this JVM and later ones describe the same numbers.
        r = java.util.Objects.requireNonNull(Result.decode(new Result(ratios, "").encode(), note));
        KNOWN.put(key(dtype, threads), r);
        return r;
    }

    /** Best OpenBLAS time / best Java time for each shape class, at the current thread count. */
    private static double[] measure(DType dtype) {
        JavaGemmWarmup.ensureWarm(dtype);
        GemmSelection.ShapeClass[] classes = GemmSelection.ShapeClass.values();
        double[] ratios = new double[classes.length];
        for (GemmSelection.ShapeClass c : classes) {
            ratios[c.ordinal()] = measure(dtype, c);
        }
        return ratios;
    }

    private static double measure(DType dtype, GemmSelection.ShapeClass c) {
        int es = (int) dtype.byteSize();
        // Shared: the Java kernel hands parts to its worker threads only for segments they may access.
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = random(arena, (long) c.m * c.k, es, 1);
            MemorySegment b = random(arena, (long) c.k * c.n, es, 2);
            MemorySegment out = arena.allocate((long) c.m * c.n * es, 64);
            int reps = (int) Math.max(1, SAMPLE_FLOPS / (2.0 * c.m * c.n * c.k));
            long bestBlas = Long.MAX_VALUE;
            long bestJava = Long.MAX_VALUE;
            for (int i = 0; i < WARM_PAIRS + PAIRS; i++) {
                // Alternate which kernel goes first, so that neither always finds the caches warm.
                long blas;
                long java;
                if ((i & 1) == 0) {
                    blas = time(BlasGemm.INSTANCE, dtype, c, a, b, out, reps);
                    java = time(JavaGemm.INSTANCE, dtype, c, a, b, out, reps);
                } else {
                    java = time(JavaGemm.INSTANCE, dtype, c, a, b, out, reps);
                    blas = time(BlasGemm.INSTANCE, dtype, c, a, b, out, reps);
                }
                if (i >= WARM_PAIRS) {
                    bestBlas = Math.min(bestBlas, blas);
                    bestJava = Math.min(bestJava, java);
                }
            }
            return (double) bestBlas / Math.max(1, bestJava);
        }
    }

    private static long time(Gemm g, DType dtype, GemmSelection.ShapeClass c, MemorySegment a, MemorySegment b,
            MemorySegment out, int reps) {
        long t = System.nanoTime();
        for (int r = 0; r < reps; r++) {
            if (dtype == DType.F32) {
                g.sgemm(false, false, c.m, c.n, c.k, 1f, a, 0, c.k, b, 0, c.n, 0f, out, 0, c.n);
            } else {
                g.dgemm(false, false, c.m, c.n, c.k, 1.0, a, 0, c.k, b, 0, c.n, 0.0, out, 0, c.n);
            }
        }
        return System.nanoTime() - t;
    }

    /** Values in [-1, 1) from a fixed seed: zeros or denormals could take different paths in either kernel. */
    private static MemorySegment random(Arena arena, long count, int es, long seed) {
        MemorySegment s = arena.allocate(count * es, 64);
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        for (long i = 0; i < count; i++) {
            double v = rnd.nextDouble() * 2 - 1;
            if (es == Float.BYTES) {
                s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) v);
            } else {
                s.setAtIndex(ValueLayout.JAVA_DOUBLE, i, v);
            }
        }
        return s;
    }

    /** What the measurement depends on; a change in any part measures again. */
    static String key(DType dtype, int threads) {
        String coretype = System.getenv("OPENBLAS_CORETYPE");
        return String.join(";", "cpu=" + cpuModel(), "cpus=" + Runtime.getRuntime().availableProcessors(),
                "coretype=" + (coretype == null ? "" : coretype.strip()), "threads=" + threads,
                "jdk=" + Runtime.version(), "vector=" + FloatVector.SPECIES_PREFERRED.vectorBitSize(),
                "kernels=" + KERNEL_VERSION, "dtype=" + dtype.name().toLowerCase(Locale.ROOT))
                .replace('\t', ' ').replace('\n', ' ');
    }

    private static @Nullable Path file() {
        String p = System.getProperty(FILE_PROPERTY, "").strip();
        if (p.equals("off")) {
            return null;
        }
        if (!p.isEmpty()) {
            return Path.of(p);
        }
        String home = System.getProperty("user.home");
        return home == null || home.isBlank() ? null : Path.of(home, ".cache", "cotangent", "gemm-calibration");
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        } catch (IOException | RuntimeException e) {
            return List.of(); // unreadable: measure again, and try to write a fresh file
        }
    }

    /** Replaces the key's line; through a temporary file and a rename, so concurrent JVMs never see half a file. */
    private static void store(Path file, String key, String value) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        List<String> lines = new ArrayList<>();
        for (String line : readLines(file)) {
            if (!line.startsWith(key + "\t")) {
                lines.add(line);
            }
        }
        lines.add(key + "\t" + value);
        Path tmp = Files.createTempFile(dir, ".gemm-calibration", ".tmp");
        try {
            Files.write(tmp, lines, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the architecture is what there is
        }
        return System.getProperty("os.arch", "unknown");
    }
}
