package dev.cotangent.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cotangent.core.DType;
import dev.cotangent.core.NdArray;
import dev.cotangent.core.RandomArrays;
import dev.cotangent.core.Shape;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The same gradient, computed 1,000 times on one thread of a fresh JVM (its first calls interpreted, later ones
 * compiled), has one bit pattern: the symptom of reductions whose order followed the JIT tier.
 */
class GradientDeterminismTest {

    /** Child-JVM entry point: prints {@code patterns=<n>} for an MLP's gradient with respect to both weights. */
    public static final class Probe {
        public static void main(String[] args) {
            Tensor x = Tensor.of(RandomArrays.normal(DType.F32, Shape.of(16, 33), 0, 1, 1));
            Tensor w1 = Tensor.of(RandomArrays.normal(DType.F32, Shape.of(33, 17), 0, 0.3, 2));
            Tensor w2 = Tensor.of(RandomArrays.normal(DType.F32, Shape.of(17, 10), 0, 0.3, 3));
            Set<String> patterns = new HashSet<>();
            for (int i = 0; i < 1000; i++) {
                Gradients2<Tensor, Tensor> g = Diff.gradient(w1, w2, (a, b) -> SoftmaxOps.logSoftmax(
                        ElementwiseOps.tanh(x.matmul(a)).matmul(b), -1).mean().unaryMinus());
                patterns.add(bits(g.first().value()) + bits(g.second().value()));
                g.first().value().close();
                g.second().value().close();
            }
            System.out.println("patterns=" + patterns.size());
        }

        private static String bits(NdArray a) {
            float[] v = a.toFloatArray();
            int[] raw = new int[v.length];
            for (int i = 0; i < v.length; i++) {
                raw[i] = Float.floatToRawIntBits(v[i]);
            }
            return Arrays.toString(raw);
        }
    }

    @Test
    void anMlpGradientHasOneBitPatternOverItsFirstThousandCalls() throws Exception {
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
        assertEquals("patterns=1", out.strip());
    }
}
