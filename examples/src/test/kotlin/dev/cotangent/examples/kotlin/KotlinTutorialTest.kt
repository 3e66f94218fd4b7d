package dev.cotangent.examples.kotlin

import dev.cotangent.autodiff.Diff
import dev.cotangent.autodiff.Tangents
import dev.cotangent.autodiff.Tensor
import dev.cotangent.examples.RecordMlp
import dev.cotangent.nn.Initializers
import dev.cotangent.nn.SGD
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.io.ByteArrayOutputStream
import java.io.PrintStream

/** The Kotlin tutorial prints the Swift tutorial's numbers, and its networks train. */
class KotlinTutorialTest {
    private fun transcript(program: (PrintStream) -> Unit): String {
        val bytes = ByteArrayOutputStream()
        program(PrintStream(bytes, true, Charsets.UTF_8))
        return bytes.toString(Charsets.UTF_8)
    }

    private fun losses(transcript: String, prefix: String): List<Double> =
        Regex("(?m)^" + Regex.escape(prefix) + "(-?\\d+\\.\\d+(?:E-?\\d+)?)$").findAll(transcript)
            .map { it.groupValues[1].toDouble() }.toList()

    private fun assertFalling(losses: List<Double>) {
        losses.zipWithNext().forEachIndexed { i, (before, after) ->
            assertTrue(after < before, "loss rose at step ${i + 2}: $losses")
        }
    }

    @Test
    fun sillyExpOfACFunction() {
        assertEquals(
            """
            Taking 𝑒(2.7182817) to the power of 3.0!
            exp(3) = 20.085535
            Taking 𝑒(2.7182817) to the power of 3.0!
            𝛁exp(3) = 20.085535

            """.trimIndent(),
            transcript { CustomDifferentiation(it).declaringCustomDerivatives() },
        )
    }

    @Test
    fun stopGradient() {
        assertEquals("(-0.18009877, 0.0)\n", transcript { CustomDifferentiation(it).stoppingDerivatives() })
    }

    @Test
    fun derivativeSurgery() {
        assertEquals(
            "∂log/∂x = 0.033333335, but rewritten to 0.5\n∂+/∂sin = 1.0\n0.65425146\n",
            transcript { CustomDifferentiation(it).derivativeSurgery() },
        )
    }

    @Test
    fun checkpointingRunsTheBodyTwice() {
        assertEquals(
            "Running original computation...\n  Computing square...\nRunning backpropagation...\n" +
                "  Computing square...\nGradient = -0.9129453\n",
            transcript { CustomDifferentiation(it).checkpointing() },
        )
    }

    @Test
    fun mlpPrintsBothDerivativesEachStepAndTheLossFalls() {
        val out = transcript { TutorialMlp(it).run() }
        val losses = losses(out, "Loss: ")
        assertEquals(10, losses.size, out)
        assertFalling(losses)
        assertEquals(10, Regex("(?m)^∂L/∂ŷ = \\[\\[").findAll(out).count(), out)
        assertEquals(10, Regex("(?m)^∂L/∂layer1 = \\[\\[").findAll(out).count(), out)
    }

    @Test
    fun cnnAppliesTheConvolutionTwicePerStepAndTheLossFalls() {
        val out = transcript { TutorialCnn(it).run() }
        val step = { i: Int ->
            "Starting training step $i\n  Running original computation...\n    Applying Conv2D<Float> layer...\n" +
                "  Loss: LOSS\n  Running backpropagation...\n    Applying Conv2D<Float> layer...\n"
        }
        assertEquals((1..5).joinToString("") { step(it) }, out.replace(Regex("Loss: -?\\d+\\.\\d+"), "Loss: LOSS"))
        val losses = losses(out, "  Loss: ")
        assertEquals(5, losses.size)
        assertFalling(losses)
    }

    @Test
    fun theUserWrittenWrapperTrainsExactlyLikeTheBuiltInOne() {
        val userWritten = transcript { out ->
            Initializers.setGlobalSeed(TutorialCnn.SEED)
            TutorialCnn(out).let { it.train(it.model()) }
        }
        val builtIn = transcript { out ->
            Initializers.setGlobalSeed(TutorialCnn.SEED)
            TutorialCnn(out).let { it.train(it.builtInModel()) }
        }
        assertEquals(losses(userWritten, "  Loss: "), losses(builtIn, "  Loss: "))
    }

    private fun bits(t: Tensor) = t.toFloatArray().map { it.toRawBits() }.toIntArray()

    @Test
    fun theDataClassModelTrainsWithTheRecordTwinsGradientsExactly() {
        val x = Tensor.of(arrayOf(floatArrayOf(0f, 0f), floatArrayOf(0f, 1f), floatArrayOf(1f, 0f), floatArrayOf(1f, 1f)))
        val y = Tensor.of(floatArrayOf(0f, 1f, 1f, 0f))
        Initializers.setGlobalSeed(TutorialMlp.SEED)
        val model = MLP(print = {})
        Initializers.setGlobalSeed(TutorialMlp.SEED)
        val twin = RecordMlp()
        val optimizer = SGD(model, 0.02)
        val twinOptimizer = SGD(twin, 0.02)
        val losses = mutableListOf<Float>()
        repeat(10) { step ->
            val (loss, gradient) = Diff.valueWithGradient(model) { m -> (m(x) - y).squared().mean() }
            val (twinLoss, twinGradient) = Diff.valueWithGradient(twin) { m -> (m(x) - y).squared().mean() }
            assertEquals(twinLoss.floatValue().toRawBits(), loss.floatValue().toRawBits(), "loss at step $step")
            val tensors = Tangents.tensors(gradient)
            val twinTensors = Tangents.tensors(twinGradient)
            assertEquals(4, tensors.size)
            tensors.zip(twinTensors).forEach { (g, tg) -> assertArrayEquals(bits(tg), bits(g), "step $step") }
            losses += loss.floatValue()
            optimizer.update(model, gradient)
            twinOptimizer.update(twin, twinGradient)
        }
        assertFalling(losses.map { it.toDouble() })
    }
}
