package dev.cotangent.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;

/** The measurement iterations of one JMH run, looked up by benchmark method and parameters, as seconds per op. */
final class Results {
    /**
     * One benchmark at one parameter point: per measurement iteration, JMH's score in seconds per op and the
     * {@link Clocks} counters (name to value).
     */
    record Series(String method, Map<String, String> params, double[] seconds, Map<String, double[]> counters) {
        /** The median iteration: robust to the odd iteration a noisy machine spoils, unlike JMH's mean. */
        double median() {
            return Stats.median(seconds);
        }

        /** (max - min) / median over the iterations, to show how noisy the measurement was. */
        double spread() {
            return Stats.spread(seconds);
        }

        /** Seconds per call of one side ({@code "a"}, {@code "b"}, {@code "c"}) of a paired benchmark, per iteration. */
        double[] side(String side) {
            double[] nanos = counter(side + "Nanos");
            double[] calls = counter(side + "Calls");
            double[] out = new double[nanos.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = nanos[i] / calls[i] / 1e9;
            }
            return out;
        }

        /** Median over iterations of one side's seconds per call. */
        double sideMedian(String side) {
            return Stats.median(side(side));
        }

        double sideSpread(String side) {
            return Stats.spread(side(side));
        }

        /**
         * Median over iterations of time(numerator side) / time(denominator side): each ratio comes from one
         * iteration, in which both sides ran under the same load.
         */
        double ratioMedian(String numerator, String denominator) {
            return Stats.median(ratios(numerator, denominator));
        }

        /**
         * Median over iterations of the faster reference side's time (of {@code references}; a side not run in
         * an iteration is skipped) over {@code denominator}'s time in that iteration.
         */
        double fasterRatioMedian(String denominator, String... references) {
            return Stats.median(fasterRatios(denominator, references));
        }

        String fasterRatioQuartiles(String denominator, double scale, String... references) {
            double[] r = fasterRatios(denominator, references);
            return String.format(Locale.ROOT, "[%.2f..%.2f]", scale * Stats.quantile(r, 0.25),
                    scale * Stats.quantile(r, 0.75));
        }

        /** Median over iterations of the faster reference side's seconds per call. */
        double fasterSideMedian(String... references) {
            return Stats.median(fasterSide(references));
        }

        /** Per iteration, the least seconds per call among {@code references}; a side not run there is skipped. */
        private double[] fasterSide(String... references) {
            double[] best = null;
            for (String side : references) {
                double[] t = side(side);
                if (best == null) {
                    best = t.clone();
                    continue;
                }
                for (int i = 0; i < best.length; i++) {
                    best[i] = Double.isNaN(t[i]) ? best[i] : Double.isNaN(best[i]) ? t[i] : Math.min(best[i], t[i]);
                }
            }
            return best;
        }

        private double[] fasterRatios(String denominator, String... references) {
            double[] d = side(denominator);
            double[] r = fasterSide(references);
            for (int i = 0; i < r.length; i++) {
                r[i] /= d[i];
            }
            return r;
        }

        /** The per-iteration ratios as {@code [q1..q3]}, the middle half, to show how firm the median is. */
        String ratioQuartiles(String numerator, String denominator) {
            return ratioQuartiles(numerator, denominator, 1);
        }

        /** As {@link #ratioQuartiles(String, String)}, each ratio multiplied by {@code scale}. */
        String ratioQuartiles(String numerator, String denominator, double scale) {
            double[] r = ratios(numerator, denominator);
            return String.format(Locale.ROOT, "[%.2f..%.2f]", scale * Stats.quantile(r, 0.25),
                    scale * Stats.quantile(r, 0.75));
        }

        /**
         * For sides that ran in alternate iterations ({@link Clocks#aIteration}): each numerator iteration over
         * the denominator iteration right after it, so both come from about the same second; the median ratio.
         */
        double alternateRatioMedian(String numerator, String denominator) {
            return Stats.median(alternateRatios(numerator, denominator));
        }

        String alternateRatioQuartiles(String numerator, String denominator) {
            double[] r = alternateRatios(numerator, denominator);
            return String.format(Locale.ROOT, "[%.2f..%.2f]", Stats.quantile(r, 0.25), Stats.quantile(r, 0.75));
        }

        private double[] alternateRatios(String numerator, String denominator) {
            double[] n = side(numerator);
            double[] d = side(denominator);
            List<Double> r = new ArrayList<>();
            for (int i = 0; i + 1 < n.length; i++) {
                if (!Double.isNaN(n[i]) && !Double.isNaN(d[i + 1])) {
                    r.add(n[i] / d[i + 1]);
                }
            }
            return toArray(r);
        }

        private double[] ratios(String numerator, String denominator) {
            double[] n = side(numerator);
            double[] d = side(denominator);
            double[] r = new double[n.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = n[i] / d[i];
            }
            return r;
        }

        private double[] counter(String name) {
            double[] c = counters.get(name);
            if (c == null) {
                throw new IllegalStateException("bench: " + method + params + " has no counter " + name
                        + "; have " + counters.keySet());
            }
            return c;
        }
    }

    private final List<Series> series;

    private Results(List<Series> series) {
        this.series = series;
    }

    static Results of(Collection<RunResult> runs) {
        List<Series> out = new ArrayList<>();
        for (RunResult run : runs) {
            String name = run.getParams().getBenchmark();
            String method = name.substring(name.lastIndexOf('.') + 1);
            Map<String, String> params = new LinkedHashMap<>();
            for (String key : run.getParams().getParamsKeys()) {
                params.put(key, run.getParams().getParam(key));
            }
            List<Double> seconds = new ArrayList<>();
            Map<String, List<Double>> counters = new LinkedHashMap<>();
            for (BenchmarkResult fork : run.getBenchmarkResults()) {
                for (IterationResult it : fork.getIterationResults()) {
                    seconds.add(it.getPrimaryResult().getScore() * secondsPer(it.getScoreUnit()));
                    it.getSecondaryResults().forEach((label, result) ->
                            counters.computeIfAbsent(label, k -> new ArrayList<>()).add(result.getScore()));
                }
            }
            Map<String, double[]> counterArrays = new LinkedHashMap<>();
            counters.forEach((k, v) -> counterArrays.put(k, toArray(v)));
            out.add(new Series(method, params, toArray(seconds), counterArrays));
        }
        return new Results(out);
    }

    private static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The series of {@code method} whose parameters include every {@code key=value} given. */
    Series get(String method, String... keyValues) {
        for (Series s : series) {
            if (s.method().equals(method) && matches(s.params(), keyValues)) {
                return s;
            }
        }
        throw new IllegalStateException("bench: no result for " + method + " " + Arrays.toString(keyValues)
                + "; have " + series.stream().map(s -> s.method() + s.params()).toList());
    }

    /** Median seconds per op of {@code method} at the given parameters. */
    double median(String method, String... keyValues) {
        return get(method, keyValues).median();
    }

    private static boolean matches(Map<String, String> params, String[] keyValues) {
        for (String kv : keyValues) {
            int eq = kv.indexOf('=');
            if (!kv.substring(eq + 1).equals(params.get(kv.substring(0, eq)))) {
                return false;
            }
        }
        return true;
    }

    /** Seconds in one unit of an average-time score such as {@code us/op}. */
    static double secondsPer(String unit) {
        String time = unit.endsWith("/op") ? unit.substring(0, unit.length() - 3) : unit;
        return switch (time) {
            case "ns" -> 1e-9;
            case "us", "\u00b5s" -> 1e-6;
            case "ms" -> 1e-3;
            case "s" -> 1;
            case "min" -> 60;
            default -> throw new IllegalStateException("bench: unexpected score unit " + unit
                    + "; expected an average time per op such as us/op");
        };
    }
}
