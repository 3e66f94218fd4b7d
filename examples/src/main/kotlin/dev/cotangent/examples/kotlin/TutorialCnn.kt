package dev.cotangent.examples.kotlin

import dev.cotangent.autodiff.Diff
import dev.cotangent.autodiff.NoDerivative
import dev.cotangent.autodiff.Tensor
import dev.cotangent.core.DType
import dev.cotangent.core.RandomArrays
import dev.cotangent.core.Shape
import dev.cotangent.nn.Conv2D
import dev.cotangent.nn.Dense
import dev.cotangent.nn.Flatten
import dev.cotangent.nn.Initializers
import dev.cotangent.nn.Layer
import dev.cotangent.nn.Losses.softmaxCrossEntropy
import dev.cotangent.nn.MaxPool2D
import dev.cotangent.nn.SGD
import java.io.PrintStream

/**
 * A layer wrapper that makes the underlying layer's activations be discarded during application and recomputed
 * during backpropagation, written from [makeRecomputedInGradient] as in the tutorial. (The library's own
 * `layer.discardingActivations()` does the same without the printing.)
 */
data class ActivationDiscarding<W : Layer<W>>(
    val wrapped: W,
    @NoDerivative val print: (String) -> Unit = ::println,
) : Layer<ActivationDiscarding<W>> {
    override fun apply(input: Tensor): Tensor {
        val apply = makeRecomputedInGradient { layer: W, x: Tensor ->
            print("    Applying ${layer.javaClass.simpleName}<Float> layer...")
            layer(x)
        }
        return apply(wrapped, input)
    }
}

/** The tutorial's model; `conv` is any layer, so the same model runs with either activation-discarding wrapper. */
data class Model<C : Layer<C>>(
    val conv: C,
    val maxPool: MaxPool2D = MaxPool2D(2, 2, 2, 2),
    val flatten: Flatten = Flatten(),
    val dense: Dense = Dense(36 * 6, 10),
) : Layer<Model<C>> {
    override fun apply(input: Tensor): Tensor = input.sequenced(conv, maxPool, flatten, dense)
}

/** The training loop with `appliedForBackpropagation`; `out` is where it prints. */
class TutorialCnn(private val out: PrintStream) {
    /** The tutorial's model, its convolution wrapped in the user-written [ActivationDiscarding]. */
    fun model(): Model<ActivationDiscarding<Conv2D>> = Model(ActivationDiscarding(Conv2D(5, 5, 3, 6), out::println))

    /** The same model with the library's built-in wrapper. */
    fun builtInModel(): Model<dev.cotangent.nn.ActivationDiscarding<Conv2D>> =
        Model(Conv2D(5, 5, 3, 6).discardingActivations())

    fun run() {
        Initializers.setGlobalSeed(SEED)
        train(model())
    }

    fun <C : Layer<C>> train(model: Model<C>, steps: Int = 5) {
        // Use random training data.
        val x = Tensor.of(RandomArrays.normal(DType.F32, Shape.of(10, 16, 16, 3), 0.0, 1.0, SEED))
        val y = IntArray(10) { it }
        val opt = SGD(model)

        for (i in 1..steps) {
            out.println("Starting training step $i")
            out.println("  Running original computation...")
            val (logits, backprop) = model.appliedForBackpropagation(x)
            val (loss, dLdŷ) = Diff.valueWithGradient(logits) { l -> softmaxCrossEntropy(l, y) }
            out.println("  Loss: $loss")
            out.println("  Running backpropagation...")
            val (dLdθ, _) = backprop(dLdŷ)
            opt.update(model, dLdθ)
        }
    }

    companion object {
        /** The seed of the initial weights and the random input. */
        const val SEED = 7L
    }
}

fun main() {
    TutorialCnn(PrintStream(System.out, true, Charsets.UTF_8)).run()
}
