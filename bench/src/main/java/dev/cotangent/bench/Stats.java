package dev.cotangent.bench;

import java.util.Arrays;

/** Order statistics for short series of timings. */
final class Stats {
    private Stats() {}

    /** The median of the values that are not NaN (NaN marks an iteration in which a side did not run). */
    static double median(double[] values) {
        double[] s = finite(values);
        if (s.length == 0) {
            return Double.NaN;
        }
        int mid = s.length / 2;
        return s.length % 2 == 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
    }

    /** The {@code q} quantile (0..1) with linear interpolation between order statistics. */
    static double quantile(double[] values, double q) {
        double[] s = finite(values);
        if (s.length == 0) {
            return Double.NaN;
        }
        double pos = q * (s.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, s.length - 1);
        return s[lo] + (pos - lo) * (s[hi] - s[lo]);
    }

    /** (max - min) / median: how far apart the iterations were. */
    static double spread(double[] values) {
        double[] s = finite(values);
        return s.length == 0 ? Double.NaN : (s[s.length - 1] - s[0]) / median(s);
    }

    /** The values that are not NaN, sorted. */
    private static double[] finite(double[] values) {
        double[] s = Arrays.stream(values).filter(v -> !Double.isNaN(v)).toArray();
        Arrays.sort(s);
        return s;
    }
}
