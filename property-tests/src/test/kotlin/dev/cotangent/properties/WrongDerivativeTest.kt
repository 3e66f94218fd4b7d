package dev.cotangent.properties

import dev.cotangent.autodiff.Diff
import dev.cotangent.autodiff.ElementwiseOps.cos
import dev.cotangent.autodiff.ElementwiseOps.sin
import dev.cotangent.autodiff.Tensor
import dev.cotangent.autodiff.ValueWithPullback
import dev.cotangent.core.Shape
import io.kotest.property.Arb
import io.kotest.property.arbitrary.map
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** A deliberately wrong derivative is caught, shrunk to a minimal case, and reported so that it can be replayed. */
class WrongDerivativeTest {
    private fun sinWithDerivative(derivative: (Tensor) -> Tensor) = Diff.withCustomDerivative(
        { x: Tensor -> sin(x) },
        { x: Tensor -> ValueWithPullback.of(sin(x)) { v -> v * derivative(x) } })

    private fun failureOf(name: String, derivative: (Tensor) -> Tensor): GradientPropertyFailure {
        val wrong = sinWithDerivative(derivative)
        val inputs = Arb.tensor(rank = 1..3, dim = 2..5).map { listOf(it) }
        return assertThrows<GradientPropertyFailure> {
            runBlocking { checkGradients(name, inputs, PropertySettings.config(name)) { (x) -> wrong(x) } }
        }.also { CaseCounts.cases() }
    }

    private fun assertReported(failure: GradientPropertyFailure, name: String) {
        val message = failure.message.orEmpty()
        val minimal = failure.minimalInputs.single()
        assertEquals(Shape.of(2), minimal.shape(), "shrunk to the smallest shape the Arb allows:\n$message")
        assertTrue(minimal.toDoubleArray().all { it == 1.0 }, "shrunk to the simplest values:\n$message")
        for (part in listOf(name, "[2]", "worst absolute error", "analytic", "numeric", "seed = ${failure.seed}L")) {
            assertTrue(part in message, "the message names '$part':\n$message")
        }
        assertTrue(failure.report != null && !failure.report.passed(), "the GradientCheck report is attached")
    }

    @Test
    fun `cos plus 0·01 as the derivative of sin is caught and shrunk`() {
        val name = "sin with derivative cos(x) + 0.01"
        assertReported(failureOf(name) { x -> cos(x) + 0.01 }, name)
    }

    @Test
    fun `twice cos as the derivative of sin is caught and shrunk`() {
        val name = "sin with derivative 2·cos(x)"
        assertReported(failureOf(name) { x -> cos(x) * 2.0 }, name)
    }

    @Test
    fun `the right derivative passes`() {
        val inputs = Arb.tensor(rank = 0..3, dim = 1..9).map { listOf(it) }
        val right = sinWithDerivative { x -> cos(x) }
        runBlocking { CaseCounts.cases(checkGradients("sin", inputs, PropertySettings.config("sin")) { (x) -> right(x) }.attempts()) }
    }
}
