package dev.cotangent.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cotangent.autodiff.Tensor;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Each optimizer's update rule against steps computed by hand, in float64 and float32. */
class OptimizerTest {
    /** A two-parameter model; 33 elements so the float32 kernels run their vector body and their tail. */
    record Model(Tensor a, Tensor b) {}

    private static final int N = 33;

    private static double[] values(double scale, double shift) {
        double[] v = new double[N];
        for (int i = 0; i < N; i++) {
            v[i] = scale * Math.sin(i + shift);
        }
        return v;
    }

    private static Model model(boolean f32, double[] a, double[] b) {
        return f32 ? new Model(Tensor.of(toFloat(a)), Tensor.of(toFloat(b))) : new Model(Tensor.of(a.clone()), Tensor.of(b.clone()));
    }

    private static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    /** Runs two updates of {@code make(model)} and compares with {@code rule} applied elementwise to the a-parameter. */
    private static void check(Function<Model, Optimizer<Model>> make, Rule rule) {
        for (boolean f32 : new boolean[] {false, true}) {
            double[] p0 = values(1, 0);
            double[][] grads = {values(0.5, 1), values(-0.7, 2)};
            Model m = model(f32, p0, values(1, 3));
            Optimizer<Model> opt = make.apply(m);
            double[] want = p0.clone();
            double[][] state = new double[3][N];
            for (int t = 1; t <= 2; t++) {
                opt.update(m, model(f32, grads[t - 1], values(1, 4)));
                for (int i = 0; i < N; i++) {
                    want[i] = rule.step(want[i], grads[t - 1][i], t, state, i);
                }
            }
            double[] got = m.a().toDoubleArray();
            for (int i = 0; i < N; i++) {
                assertEquals(want[i], got[i], f32 ? 2e-6 : 1e-14, (f32 ? "float32" : "float64") + " element " + i);
            }
        }
    }

    interface Rule {
        double step(double p, double g, int t, double[][] state, int i);
    }

    @Test
    void sgdDefaultsAndPlainStep() {
        check(SGD::new, (p, g, t, s, i) -> p - 0.01 * g);
    }

    @Test
    void sgdWithMomentumDecayAndNesterov() {
        for (boolean nesterov : new boolean[] {false, true}) {
            check(m -> new SGD<>(m, 0.1, 0.9, 0.5, nesterov), (p, g, t, s, i) -> {
                double lr = 0.1 / (1 + 0.5 * t);
                s[0][i] = 0.9 * s[0][i] - lr * g;
                return p + (nesterov ? 0.9 * s[0][i] - lr * g : s[0][i]);
            });
        }
    }

    @Test
    void adamFollowsSwiftsRule() {
        check(m -> new Adam<>(m, 0.01), (p, g, t, s, i) -> {
            s[0][i] = 0.9 * s[0][i] + 0.1 * g;
            s[1][i] = 0.999 * s[1][i] + 0.001 * g * g;
            double step = 0.01 * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t));
            return p - step * s[0][i] / (Math.sqrt(s[1][i]) + 1e-8);
        });
    }

    @Test
    void adamWDecaysTheWeightsDecoupled() {
        check(m -> new AdamW<>(m, 0.01, 0.1), (p, g, t, s, i) -> {
            s[0][i] = 0.9 * s[0][i] + 0.1 * g;
            s[1][i] = 0.999 * s[1][i] + 0.001 * g * g;
            double step = 0.01 * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t));
            return p * (1 - 0.01 * 0.1) - step * s[0][i] / (Math.sqrt(s[1][i]) + 1e-8);
        });
    }

    @Test
    void rmsPropFollowsSwiftsRule() {
        check(m -> new RMSProp<>(m, 0.01), (p, g, t, s, i) -> {
            s[0][i] = 0.9 * s[0][i] + 0.1 * g * g;
            return p - 0.01 * g / (Math.sqrt(s[0][i]) + 1e-8);
        });
    }

    @Test
    void aStepIsGradientThenUpdateAndReleasesTheGradient() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        var manual = new Dense(3, 2, Activation.RELU, 4);
        var stepped = new Dense(3, 2, Activation.RELU, 4);
        var a = new Adam<>(manual, 0.1);
        var b = new Adam<>(stepped, 0.1);
        for (int i = 0; i < 3; i++) {
            var vg = dev.cotangent.autodiff.Diff.valueWithGradient(manual, d -> d.apply(x).squared().mean());
            a.update(manual, vg.gradient());
            double loss = b.step(stepped, d -> d.apply(x).squared().mean());
            assertEquals(vg.value().doubleValue(), loss, 0);
            org.junit.jupiter.api.Assertions.assertArrayEquals(manual.weight().toFloatArray(), stepped.weight().toFloatArray());
        }
        var kept = new java.util.ArrayList<Tensor>();
        new SGD<>(stepped).step(stepped, d -> {
            Tensor y = d.apply(x);
            kept.add(y);
            return y.sum();
        });
        var e = assertThrows(IllegalStateException.class, () -> kept.get(0).toFloatArray());
        assertTrue(e.getMessage().contains("released"), e.getMessage());
    }

    @Test
    void updatesWriteIntoTheParametersMemory() {
        Model m = model(true, values(1, 0), values(1, 1));
        Tensor a = m.a();
        new SGD<Model>(m, 1).update(m, model(true, values(1, 0), values(0, 0)));
        assertEquals(0, a.toDoubleArray()[5], 0, "the same tensor object holds the updated values");
    }

    @Test
    void aGradientOfAnotherStructureIsRejectedNamingThePath() {
        Dense d = new Dense(3, 2, Activation.RELU, 1);
        var sgd = new SGD<>(d);
        var e = assertThrows(IllegalArgumentException.class,
                () -> sgd.update(d, new Dense(3, 4, Activation.RELU, 1)));
        assertTrue(e.getMessage().contains("'weight'") && e.getMessage().contains("[3, 4]"), e.getMessage());
        var seq = new Sequential(d);
        var opt = new Adam<>(seq);
        e = assertThrows(IllegalArgumentException.class, () -> opt.update(seq, new Sequential(List.of())));
        assertTrue(e.getMessage().contains("layers.0.weight"), e.getMessage());
    }
}
