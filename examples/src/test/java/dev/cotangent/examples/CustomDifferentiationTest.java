package dev.cotangent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The twin prints exactly what the Swift tutorial printed for the same programs. */
class CustomDifferentiationTest {

    private static String transcript(java.util.function.Consumer<CustomDifferentiation> section) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        section.accept(new CustomDifferentiation(new PrintStream(bytes, true, StandardCharsets.UTF_8)));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void sillyExpOfACFunction() {
        assertEquals("""
                Taking 𝑒(2.7182817) to the power of 3.0!
                exp(3) = 20.085535
                Taking 𝑒(2.7182817) to the power of 3.0!
                𝛁exp(3) = 20.085535
                """, transcript(CustomDifferentiation::declaringCustomDerivatives));
    }

    @Test
    void stopGradient() {
        assertEquals("(-0.18009877, 0.0)\n", transcript(CustomDifferentiation::stoppingDerivatives));
    }

    @Test
    void derivativeSurgery() {
        assertEquals("""
                ∂log/∂x = 0.033333335, but rewritten to 0.5
                ∂+/∂sin = 1.0
                0.65425146
                """, transcript(CustomDifferentiation::derivativeSurgery));
    }

    @Test
    void checkpointing() {
        assertEquals("""
                Running original computation...
                  Computing square...
                Running backpropagation...
                  Computing square...
                Gradient = -0.9129453
                """, transcript(CustomDifferentiation::checkpointing));
    }
}
