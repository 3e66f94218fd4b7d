package dev.cotangent.autodiff;

import dev.cotangent.core.Checks;
import dev.cotangent.core.DType;
import dev.cotangent.core.NdArray;
import dev.cotangent.core.RandomArrays;
import dev.cotangent.core.Scope;
import dev.cotangent.core.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Checks a function's derivative (built-in, custom, or composed) against central finite differences in
 * float64, needing no test library.
 *
 * <p>For a random cotangent v of the result, each input's VJP {@code Jᵀv} is compared with
 * {@code ⟨(f(x+εu) − f(x−εu)) / 2ε, v⟩} along random directions u (cost independent of size), and element by
 * element (the full Jacobian row {@code vᵀJ}) for inputs of at most {@link Options#fullJacobianUpTo} elements.
 * Defaults follow PyTorch's gradcheck for float64: ε = 1e-6, atol = 1e-5, rtol = 1e-3.
 *
 * {@snippet :
 * GradientCheck.Report r = GradientCheck.check(in -> mySoftplus(in.get(0)).sum(), Tensor.of(new double[] {0.5, -1}));
 * }
 */
public final class GradientCheck {
    private GradientCheck() {}

    /** A function of a list of tensors to a tensor: the thing being checked. */
    @FunctionalInterface
    public interface TensorFunction {
        Tensor apply(List<Tensor> inputs);
    }

    /** The worst disagreement found for one input. */
    public record InputReport(int input, Shape shape, double maxAbsoluteError, double maxRelativeError,
            long[] worstIndex, double analytic, double numeric, boolean passed) {
        public InputReport {
            Checks.notNull(shape, "InputReport", "shape");
            Checks.notNull(worstIndex, "InputReport", "worstIndex");
        }

        @Override
        public String toString() {
            return "input " + input + " " + shape + ": worst absolute error " + fmt(maxAbsoluteError) + " (relative "
                    + fmt(maxRelativeError) + ")" + (worstIndex.length > 0 || shape.rank() == 0
                            ? " at index " + Arrays.toString(worstIndex) : " along a random direction")
                    + ": analytic " + analytic + ", numeric " + numeric;
        }
    }

    /** The outcome of one check. */
    public record Report(String function, long seed, List<InputReport> inputs, boolean passed) {
        public Report {
            Checks.notNull(function, "Report", "function");
            Checks.notNullElements(Checks.notNull(inputs, "Report", "inputs").toArray(new InputReport[0]), "Report",
                    "inputs");
            inputs = List.copyOf(inputs);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("GradientCheck " + (passed ? "passed" : "FAILED") + " for " + function
                    + " (seed " + seed + ")");
            for (InputReport r : inputs) {
                sb.append("\n  ").append(r.passed ? "ok   " : "FAIL ").append(r);
            }
            return sb.toString();
        }
    }

    /** Thrown when a derivative disagrees with finite differences; the message names how to replay it. */
    public static final class GradientCheckFailure extends AssertionError {
        private final transient Report report;

        GradientCheckFailure(Report report, Options options) {
            super(report + "\n  tolerance: |analytic - numeric| <= " + options.atol + " + " + options.rtol
                    + " * |numeric|, epsilon " + options.epsilon + "\n  replay with GradientCheck.options().seed("
                    + report.seed() + "L)");
            this.report = report;
        }

        public Report report() {
            return report;
        }
    }

    /** Checks {@code f} at {@code inputs} with the default options; throws {@link GradientCheckFailure} on failure. */
    public static Report check(TensorFunction f, Tensor... inputs) {
        Checks.notNull(f, "check", "f");
        Checks.notNullElements(inputs, "check", "inputs");
        return options().check(f, inputs);
    }

    /** Default options, to adjust before calling {@link Options#check}. */
    public static Options options() {
        return new Options("function", 42L, 1e-6, 1e-5, 1e-3, 3, 64);
    }

    /** Settings of a check; each {@code with}-style method returns a modified copy. */
    public record Options(String name, long seed, double epsilon, double atol, double rtol, int directions,
            int fullJacobianUpTo) {
        public Options {
            Checks.notNull(name, "Options", "name");
        }

        public Options name(String n) {
            Checks.notNull(n, "name", "n");
            return new Options(n, seed, epsilon, atol, rtol, directions, fullJacobianUpTo);
        }

        public Options seed(long s) {
            return new Options(name, s, epsilon, atol, rtol, directions, fullJacobianUpTo);
        }

        public Options epsilon(double e) {
            return new Options(name, seed, e, atol, rtol, directions, fullJacobianUpTo);
        }

        public Options tolerances(double absolute, double relative) {
            return new Options(name, seed, epsilon, absolute, relative, directions, fullJacobianUpTo);
        }

        public Options directions(int n) {
            return new Options(name, seed, epsilon, atol, rtol, n, fullJacobianUpTo);
        }

        public Options fullJacobianUpTo(int size) {
            return new Options(name, seed, epsilon, atol, rtol, directions, size);
        }

        /** Runs the check and returns its report without throwing. */
        public Report run(TensorFunction f, Tensor... inputs) {
            Checks.notNull(f, "run", "f");
            Checks.notNullElements(inputs, "run", "inputs");
            try (Scope scope = Scope.open()) {
                return compute(this, f, inputs);
            }
        }

        /** Runs the check; throws {@link GradientCheckFailure} with a readable message when it fails. */
        public Report check(TensorFunction f, Tensor... inputs) {
            Checks.notNull(f, "check", "f");
            Checks.notNullElements(inputs, "check", "inputs");
            Report r = run(f, inputs);
            if (!r.passed()) {
                throw new GradientCheckFailure(r, this);
            }
            return r;
        }
    }

    private static Report compute(Options o, TensorFunction f, Tensor[] raw) {
        SplittableRandom random = new SplittableRandom(o.seed);
        List<Tensor> xs = new ArrayList<>();
        for (Tensor t : raw) {
            xs.add(Tensor.of(t.value().toType(DType.F64)));
        }
        Tensor y = f.apply(Diff.withoutDerivative(xs));
        Tensor v = Tensor.of(RandomArrays.normal(DType.F64, y.shape(), 0, 1, random.nextLong()));
        List<Tensor> vjp = Diff.pullback(xs, f::apply).apply(v);
        List<InputReport> reports = new ArrayList<>();
        boolean all = true;
        for (int i = 0; i < xs.size(); i++) {
            InputReport r = checkInput(o, f, xs, i, vjp.get(i), v, random);
            reports.add(r);
            all &= r.passed;
        }
        return new Report(o.name, o.seed, reports, all);
    }

    private static InputReport checkInput(Options o, TensorFunction f, List<Tensor> xs, int i, Tensor vjp, Tensor v,
            SplittableRandom random) {
        Tensor x = xs.get(i);
        int elements = x.size() <= o.fullJacobianUpTo ? (int) x.size() : 0;
        Probe worstDirection = null;
        Probe worstElement = null;
        double maxAbs = 0;
        double maxRel = 0;
        for (int k = 0; k < o.directions + elements; k++) {
            boolean element = k >= o.directions;
            long flat = k - o.directions;
            NdArray u = element ? unit(x.shape(), flat)
                    : RandomArrays.normal(DType.F64, x.shape(), 0, 1, random.nextLong());
            double analytic = dot(vjp.value(), u);
            double numeric = directional(o, f, xs, i, Tensor.of(u), v);
            Probe p = new Probe(element ? unravel(x.shape(), flat) : new long[0], analytic, numeric,
                    Math.abs(analytic - numeric) - (o.atol + o.rtol * Math.abs(numeric)));
            double abs = Math.abs(analytic - numeric);
            maxAbs = Math.max(maxAbs, abs);
            maxRel = Math.max(maxRel, Math.abs(numeric) > o.atol ? abs / Math.abs(numeric) : 0);
            if (element && (worstElement == null || p.excess > worstElement.excess)) {
                worstElement = p;
            } else if (!element && (worstDirection == null || p.excess > worstDirection.excess)) {
                worstDirection = p;
            }
        }
        boolean passed = (worstElement == null || worstElement.excess <= 0)
                && (worstDirection == null || worstDirection.excess <= 0);
        // Name an element when the Jacobian was checked element by element: it says where the error is.
        Probe shown = worstElement != null ? worstElement : worstDirection;
        if (shown == null) {
            return new InputReport(i, x.shape(), 0, 0, new long[0], 0, 0, true);
        }
        return new InputReport(i, x.shape(), maxAbs, maxRel, shown.index, shown.analytic, shown.numeric, passed);
    }

    private record Probe(long[] index, double analytic, double numeric, double excess) {}

    /** ⟨(f(x + εu) − f(x − εu)) / 2ε, v⟩ with input i moved along u. */
    private static double directional(Options o, TensorFunction f, List<Tensor> xs, int i, Tensor u, Tensor v) {
        List<Tensor> plus = new ArrayList<>(xs);
        List<Tensor> minus = new ArrayList<>(xs);
        plus.set(i, xs.get(i).plus(u.times(o.epsilon)));
        minus.set(i, xs.get(i).minus(u.times(o.epsilon)));
        Tensor diff = f.apply(plus).minus(f.apply(minus)).times(1 / (2 * o.epsilon));
        return dot(diff.value(), v.value());
    }

    private static double dot(NdArray a, NdArray b) {
        double[] x = a.toDoubleArray();
        double[] y = b.toDoubleArray();
        double s = 0;
        for (int k = 0; k < x.length; k++) {
            s += x[k] * y[k];
        }
        return s;
    }

    private static NdArray unit(Shape shape, long flat) {
        NdArray u = NdArray.zeros(DType.F64, shape.dims());
        u.setDouble(1, unravel(shape, flat));
        return u;
    }

    private static long[] unravel(Shape shape, long flat) {
        long[] index = new long[shape.rank()];
        for (int a = shape.rank() - 1; a >= 0; a--) {
            index[a] = flat % shape.dim(a);
            flat /= shape.dim(a);
        }
        return index;
    }

    private static String fmt(double d) {
        return String.format("%.3g", d);
    }
}
