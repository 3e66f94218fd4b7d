package dev.cotangent.properties

import dev.cotangent.autodiff.Diff
import dev.cotangent.autodiff.Tensor
import dev.cotangent.nn.Activation
import dev.cotangent.nn.Dense
import dev.cotangent.nn.Layer
import dev.cotangent.nn.Losses
import dev.cotangent.nn.SGD
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/** nn from Kotlin: a model is called as a function, gradients destructure, and training reads as in Swift. */
class NnKotlinTest {
    @JvmRecord
    data class Classifier(val hidden: Dense, val out: Dense) : Layer<Classifier> {
        override fun apply(input: Tensor): Tensor = out(hidden(input))
    }

    @Test
    fun `a Kotlin model trains with operators, invoke and destructuring`() {
        val model = Classifier(Dense(2, 8, Activation.RELU, 1), Dense(8, 2, Activation.IDENTITY, 2))
        val x = Tensor.of(arrayOf(floatArrayOf(0f, 0f), floatArrayOf(0f, 1f), floatArrayOf(1f, 0f), floatArrayOf(1f, 1f)))
        val labels = intArrayOf(0, 1, 1, 0)
        val optimizer = SGD(model, 0.5)
        val losses = (1..30).map { optimizer.step(model) { m -> Losses.softmaxCrossEntropy(m(x), labels) } }
        assertTrue(losses.last() < losses.first()) { "loss did not fall: $losses" }
        val (output, backpropagator) = model.appliedForBackpropagation(x)
        val (dModel, dInput) = backpropagator(Tensor.ones(output.dtype(), 4, 2))
        assertEquals(model.hidden.weight().shape(), dModel.hidden.weight().shape())
        assertEquals(x.shape(), dInput.shape())
        val g: Classifier = Diff.gradient(model) { m -> (m(x) * m(x)).mean() }
        assertEquals(listOf("hidden.weight", "hidden.bias", "out.weight", "out.bias"), g.parameters().keys.toList())
    }
}
