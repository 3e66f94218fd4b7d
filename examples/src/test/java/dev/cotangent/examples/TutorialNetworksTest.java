package dev.cotangent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The tutorial's MLP and CNN print what the original printed, in its format, and their losses fall. */
class TutorialNetworksTest {
    private static final String NUMBER = "-?\\d+\\.\\d+(?:E-?\\d+)?";

    private static List<Double> losses(String transcript, String prefix) {
        List<Double> out = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(prefix) + "(" + NUMBER + ")$").matcher(transcript);
        while (m.find()) {
            out.add(Double.parseDouble(m.group(1)));
        }
        return out;
    }

    private static void assertFalling(List<Double> losses) {
        for (int i = 1; i < losses.size(); i++) {
            assertTrue(losses.get(i) < losses.get(i - 1), "loss rose at step " + (i + 1) + ": " + losses);
        }
    }

    @Test
    void mlpPrintsLossAndBothDerivativesEachStepAndTheLossFalls() {
        var bytes = new ByteArrayOutputStream();
        new TutorialMlp(new PrintStream(bytes, true, StandardCharsets.UTF_8)).run();
        String out = bytes.toString(StandardCharsets.UTF_8);
        String row = "\\[\\s*" + NUMBER + "\\]";
        String rowOf10 = "\\[\\s*" + NUMBER + "(?:,\\s+" + NUMBER + "){9}\\]";
        Pattern step = Pattern.compile("Loss: " + NUMBER + "\n"
                + "∂L/∂ŷ = \\[" + row + ",\n " + row + ",\n " + row + ",\n " + row + "\\]\n"
                + "∂L/∂layer1 = \\[" + rowOf10 + ",\n " + rowOf10 + ",\n " + rowOf10 + ",\n " + rowOf10 + "\\]\n");
        Matcher m = Pattern.compile("(?:" + step.pattern() + "){10}").matcher(out);
        assertTrue(m.matches(), "transcript not in the tutorial's format:\n" + out);
        List<Double> losses = losses(out, "Loss: ");
        assertEquals(10, losses.size());
        assertFalling(losses);
    }

    @Test
    void cnnAppliesTheConvolutionTwicePerStepAndTheLossFalls() {
        var bytes = new ByteArrayOutputStream();
        new TutorialCnn(new PrintStream(bytes, true, StandardCharsets.UTF_8)).run();
        String out = bytes.toString(StandardCharsets.UTF_8);
        StringBuilder expected = new StringBuilder();
        for (int i = 1; i <= 5; i++) {
            expected.append("Starting training step ").append(i).append("\n")
                    .append("  Running original computation...\n")
                    .append("    Applying Conv2D<Float> layer...\n")
                    .append("  Loss: LOSS\n")
                    .append("  Running backpropagation...\n")
                    .append("    Applying Conv2D<Float> layer...\n");
        }
        assertEquals(expected.toString(), out.replaceAll("Loss: " + NUMBER, "Loss: LOSS"));
        List<Double> losses = losses(out, "  Loss: ");
        assertEquals(5, losses.size());
        assertFalling(losses);
        assertTrue(losses.get(0) > 1.5 && losses.get(0) < 6, "a first loss near log(10) for random logits: " + losses);
    }
}
