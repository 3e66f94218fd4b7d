package dev.cotangent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The same bits every time: each op family, called 1,000 times on the same inputs in a fresh JVM (so that its
 * first calls run in the interpreter and later ones in C1 and C2 code), gives one bit pattern, and threads
 * computing it at the same time give that pattern too. Runs on whichever backend this test JVM uses.
 */
class DeterminismTest {
    private static final int CALLS = 1000;
    private static final int THREADS = 4;
    private static final int CALLS_PER_THREAD = 25;

    /** Child-JVM entry point: one line per family and dtype, {@code name=<patterns> <thread mismatches>}. */
    public static final class Probe {
        public static void main(String[] args) throws InterruptedException {
            for (DType dtype : DType.values()) {
                for (Map.Entry<String, Function<Inputs, NdArray>> family : families().entrySet()) {
                    Inputs in = new Inputs(dtype);
                    Function<Inputs, NdArray> op = family.getValue();
                    Set<String> patterns = new HashSet<>();
                    String first = null;
                    for (int i = 0; i < CALLS; i++) {
                        String bits = bits(op, in);
                        patterns.add(bits);
                        first = first == null ? bits : first;
                    }
                    int[] mismatches = new int[1];
                    String expected = first;
                    Thread[] threads = new Thread[THREADS];
                    for (int t = 0; t < THREADS; t++) {
                        threads[t] = Thread.ofPlatform().start(() -> {
                            for (int i = 0; i < CALLS_PER_THREAD; i++) {
                                if (!bits(op, in).equals(expected)) {
                                    synchronized (mismatches) {
                                        mismatches[0]++;
                                    }
                                }
                            }
                        });
                    }
                    for (Thread t : threads) {
                        t.join();
                    }
                    System.out.println(family.getKey() + "/" + dtype + "=" + patterns.size() + " " + mismatches[0]);
                }
            }
        }

        // The result's raw bits, computed in a scope of this thread's own.
        private static String bits(Function<Inputs, NdArray> op, Inputs in) {
            try (Scope s = Scope.open()) {
                NdArray out = op.apply(in);
                double[] values = out.toDoubleArray();
                long[] raw = new long[values.length];
                for (int i = 0; i < values.length; i++) {
                    raw[i] = Double.doubleToRawLongBits(values[i]);
                }
                return Arrays.toString(raw);
            }
        }
    }

    /** The operands every family draws from, kept alive outside any scope for the whole run. */
    record Inputs(NdArray vector, NdArray shortVector, NdArray matrix, NdArray positive, NdArray left, NdArray right, NdArray images,
            NdArray filter) {
        Inputs(DType dtype) {
            // Odd sizes: vector bodies and masked tails both take part; the long vector spans several blocks of
            // ReduceLoops.
            this(RandomArrays.normal(dtype, Shape.of(4099), 0, 1, 1),
                    RandomArrays.normal(dtype, Shape.of(131), 0, 1, 8),
                    RandomArrays.normal(dtype, Shape.of(13, 67), 0, 1, 2),
                    RandomArrays.uniform(dtype, Shape.of(131), 0.1, 3, 3),
                    RandomArrays.normal(dtype, Shape.of(9, 33), 0, 1, 4),
                    RandomArrays.normal(dtype, Shape.of(33, 7), 0, 1, 5),
                    RandomArrays.normal(dtype, Shape.of(2, 9, 9, 3), 0, 1, 6),
                    RandomArrays.normal(dtype, Shape.of(3, 3, 3, 5), 0, 1, 7));
        }
    }

    static Map<String, Function<Inputs, NdArray>> families() {
        Map<String, Function<Inputs, NdArray>> f = new LinkedHashMap<>();
        f.put("sum", in -> Reductions.sum(in.vector()));
        f.put("sumRows", in -> Reductions.sum(in.matrix(), false, 1));
        f.put("sumColumns", in -> Reductions.sum(in.matrix(), false, 0));
        f.put("sumStrided", in -> Reductions.sum(in.matrix().transpose(), false, 1));
        f.put("mean", in -> Reductions.mean(in.matrix(), false, 1));
        f.put("max", in -> Reductions.max(in.matrix(), false, 1));
        f.put("min", in -> Reductions.min(in.matrix(), false, 0));
        f.put("dot", in -> Reductions.sum(Elementwise.mul(in.vector(), in.vector())));
        f.put("norm", in -> Elementwise.sqrt(Reductions.sum(Elementwise.square(in.matrix()), false, 1)));
        f.put("softmax", in -> Softmax.softmax(in.matrix(), 1));
        f.put("logSoftmax", in -> Softmax.logSoftmax(in.matrix(), 0));
        f.put("logSumExp", in -> Softmax.logSumExp(in.matrix(), 1, false));
        f.put("matmul", in -> LinearAlgebra.matmul(in.left(), in.right()));
        f.put("matmulTransposed", in -> LinearAlgebra.matmul(in.right(), in.left(), true, true));
        f.put("conv2d", in -> Convolution.conv2d(in.images(), in.filter(), Conv2dParams.of(1, Padding.SAME)));
        f.put("conv2dBackwardFilter", in -> Convolution.conv2dBackwardFilter(in.images(),
                Convolution.conv2d(in.images(), in.filter(), Conv2dParams.of(2, Padding.VALID)),
                in.filter().shape(), Conv2dParams.of(2, Padding.VALID)));
        f.put("conv2dBackwardInput", in -> Convolution.conv2dBackwardInput(
                Convolution.conv2d(in.images(), in.filter(), Conv2dParams.of(1, Padding.SAME)), in.filter(),
                in.images().shape(), Conv2dParams.of(1, Padding.SAME)));
        f.put("avgPool2d", in -> Pooling.avgPool2d(in.images(), PoolParams.of(2, 2, Padding.SAME)));
        f.put("exp", in -> Elementwise.exp(in.shortVector()));
        f.put("log", in -> Elementwise.log(in.positive()));
        f.put("tanh", in -> Elementwise.tanh(in.shortVector()));
        f.put("sigmoid", in -> Elementwise.sigmoid(in.shortVector()));
        f.put("sin", in -> Elementwise.sin(in.shortVector()));
        f.put("cos", in -> Elementwise.cos(in.shortVector()));
        f.put("pow", in -> Elementwise.pow(in.positive(), 1.7));
        f.put("arithmetic", in -> Elementwise.div(Elementwise.add(Elementwise.mul(in.shortVector(), 3), in.shortVector()),
                Elementwise.add(Elementwise.square(in.shortVector()), 1)));
        return f;
    }

    private static Map<String, String> results;

    @BeforeAll
    static void runProbe() throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"));
        String backend = System.getProperty("cotangent.backend");
        if (backend != null) {
            cmd.add("-Dcotangent.backend=" + backend);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Probe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM timed out");
        assertEquals(0, p.exitValue(), out);
        results = new LinkedHashMap<>();
        for (String line : out.lines().toList()) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                results.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
    }

    @Test
    void everyFamilyGivesOneBitPatternOverItsFirstThousandCallsAndAcrossThreads() {
        List<String> expected = new ArrayList<>();
        List<String> actual = new ArrayList<>();
        for (DType dtype : DType.values()) {
            for (String family : families().keySet()) {
                String name = family + "/" + dtype;
                expected.add(name + "=1 0");
                actual.add(name + "=" + results.get(name));
            }
        }
        // One list, so that a failure shows every family that varies (patterns, then thread mismatches).
        assertEquals(String.join("\n", expected), String.join("\n", actual));
    }
}
