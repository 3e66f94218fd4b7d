package dev.cotangent.bindings.openblas;

import java.util.List;

/**
 * The outcome of looking for OpenBLAS: whether it loaded, from where, and every attempt on the way.
 *
 * @param loaded      whether a usable OpenBLAS is loaded in this JVM
 * @param libraryPath absolute path of the loaded libopenblas, or null when not loaded
 * @param source      which resolution step provided it (e.g. {@code Maven natives
 *                    org.bytedeco:openblas:0.3.31-1.5.13:linux-x86_64}), or null when not loaded
 * @param attempts    one line per step tried, in order, each saying what happened
 */
public record LoadReport(boolean loaded, String libraryPath, String source, List<String> attempts) {

    public LoadReport {
        attempts = List.copyOf(attempts);
    }

    /**
     * A multi-line explanation listing every attempt and why it failed; empty when loaded.
     *
     * @return the explanation, suitable for an exception message or a log line
     */
    public String failureMessage() {
        if (loaded) {
            return "";
        }
        StringBuilder sb = new StringBuilder("OpenBLAS not loaded:");
        for (int i = 0; i < attempts.size(); i++) {
            sb.append("\n  ").append(i + 1).append(". ").append(attempts.get(i));
        }
        return sb.toString();
    }
}
