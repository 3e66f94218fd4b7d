package dev.cotangent.examples.kotlin

import dev.cotangent.autodiff.Diff
import dev.cotangent.autodiff.NoDerivative
import dev.cotangent.autodiff.Tensor
import dev.cotangent.nn.Activation
import dev.cotangent.nn.Dense
import dev.cotangent.nn.Initializers
import dev.cotangent.nn.Layer
import dev.cotangent.nn.SGD
import java.io.PrintStream

/**
 * The tutorial's XOR classifier as a plain Kotlin data class: two Dense layers, derivative surgery printing
 * ∂L/∂layer1 (through `print`, which is not a parameter) and ∂L/∂ŷ, and ten SGD steps.
 */
data class MLP(
    val layer1: Dense = Dense(2, 10, Activation.RELU),
    val layer2: Dense = Dense(10, 1, Activation.RELU),
    @NoDerivative val print: (String) -> Unit = ::println,
) : Layer<MLP> {
    override fun apply(input: Tensor): Tensor {
        val h0 = layer1(input).withDerivative { print("∂L/∂layer1 = $it") }
        return layer2(h0)
    }
}

/** The training loop; `out` is where it prints. */
class TutorialMlp(private val out: PrintStream) {
    fun run() {
        Initializers.setGlobalSeed(SEED)
        val classifier = MLP(print = out::println)
        val optimizer = SGD(classifier, 0.02)

        val x = Tensor.of(arrayOf(floatArrayOf(0f, 0f), floatArrayOf(0f, 1f), floatArrayOf(1f, 0f), floatArrayOf(1f, 1f)))
        val y = Tensor.of(floatArrayOf(0f, 1f, 1f, 0f))

        repeat(10) {
            val gradient = Diff.gradient(classifier) { model ->
                val ŷ = model(x).withDerivative { out.println("∂L/∂ŷ = $it") }
                val loss = (ŷ - y).squared().mean()
                out.println("Loss: $loss")
                loss
            }
            optimizer.update(classifier, gradient)
        }
    }

    companion object {
        /** The seed of the initial weights; with it the loss falls at every step. */
        const val SEED = 20L
    }
}

fun main() {
    TutorialMlp(PrintStream(System.out, true, Charsets.UTF_8)).run()
}
