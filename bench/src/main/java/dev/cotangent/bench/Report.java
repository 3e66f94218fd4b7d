package dev.cotangent.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What one group prints: human-readable lines, then exactly one {@code RESULT <group> key=value ...} line. */
final class Report {
    private final String group;
    private final List<String> lines = new ArrayList<>();
    private final Map<String, String> result = new LinkedHashMap<>();

    Report(String group) {
        this.group = group;
    }

    /** A human-readable line (formatted in the root locale, so decimals always use a point). */
    void line(String format, Object... args) {
        lines.add(String.format(Locale.ROOT, format, args));
    }

    void put(String key, String value) {
        if (key.contains(" ") || key.contains("=") || value.contains(" ")) {
            throw new IllegalArgumentException("bench: RESULT key and value may not hold spaces or '=': "
                    + key + "=" + value);
        }
        result.put(key, value);
    }

    /** A number with {@code decimals} places; NaN prints as {@code na}. */
    void put(String key, double value, int decimals) {
        put(key, Double.isNaN(value) ? "na" : String.format(Locale.ROOT, "%." + decimals + "f", value));
    }

    /** {@code yes} or {@code no} for a target, or {@code na} when it could not be measured. */
    void target(String key, double value, boolean met) {
        put(key, Double.isNaN(value) ? "na" : met ? "yes" : "no");
    }

    void print(PrintStream out) {
        lines.forEach(out::println);
        StringBuilder sb = new StringBuilder("RESULT ").append(group);
        result.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        out.println(sb);
        out.flush();
    }
}
