package dev.cotangent.examples.scala

import dev.cotangent.autodiff.{Diff, NoDerivative, Tensor}
import dev.cotangent.core.{DType, RandomArrays, Shape}
import dev.cotangent.nn.{Conv2D, Dense, Flatten, Initializers, Layer, MaxPool2D, SGD}
import dev.cotangent.nn.Losses.softmaxCrossEntropy
import dev.cotangent.scala.{AppliedLayer, LayerGradients, ValueWithGradient, *}
import java.io.PrintStream
import java.nio.charset.StandardCharsets.UTF_8

/**
 * A layer wrapper that makes the underlying layer's activations be discarded during application and recomputed
 * during backpropagation, written from [[makeRecomputedInGradient]] as in the tutorial. (The library's own
 * `layer.discardingActivations()` does the same without the printing.)
 */
case class ActivationDiscarding[W <: Layer[W]](wrapped: W, @NoDerivative log: String => Unit = println(_))
    extends Layer[ActivationDiscarding[W]]:
  override def apply(input: Tensor): Tensor =
    val apply = makeRecomputedInGradient { (layer: W, x: Tensor) =>
      log(s"    Applying ${layer.getClass.getSimpleName}<Float> layer...")
      layer(x)
    }
    apply(wrapped, input)

/** The tutorial's model; `conv` is any layer, so the same model runs with either activation-discarding wrapper. */
case class Model[C <: Layer[C]](
    conv: C,
    maxPool: MaxPool2D = MaxPool2D(2, 2, 2, 2),
    flatten: Flatten = Flatten(),
    dense: Dense = Dense(36 * 6, 10),
) extends Layer[Model[C]]:
  override def apply(input: Tensor): Tensor = input.sequenced(conv, maxPool, flatten, dense)

/** The training loop with `appliedForBackpropagation`; `out` is where it prints. */
class TutorialCnn(out: PrintStream):
  /** The tutorial's model, its convolution wrapped in the user-written [[ActivationDiscarding]]. */
  def model(): Model[ActivationDiscarding[Conv2D]] = Model(ActivationDiscarding(Conv2D(5, 5, 3, 6), out.println))

  /** The same model with the library's built-in wrapper. */
  def builtInModel(): Model[dev.cotangent.nn.ActivationDiscarding[Conv2D]] =
    Model(Conv2D(5, 5, 3, 6).discardingActivations())

  def run(): Unit =
    Initializers.setGlobalSeed(TutorialCnn.Seed)
    train(model())

  def train[C <: Layer[C]](model: Model[C], steps: Int = 5): Unit =
    // Use random training data.
    val x = Tensor.of(RandomArrays.normal(DType.F32, Shape.of(10, 16, 16, 3), 0, 1, TutorialCnn.Seed))
    val y = Array.tabulate(10)(identity)
    val opt = SGD(model)

    for i <- 1 to steps do
      out.println(s"Starting training step $i")
      out.println("  Running original computation...")
      val AppliedLayer(logits, backprop) = model.appliedForBackpropagation(x)
      val ValueWithGradient(loss, dLdŷ) = Diff.valueWithGradient(logits, softmaxCrossEntropy(_, y))
      out.println(s"  Loss: $loss")
      out.println("  Running backpropagation...")
      val LayerGradients(dLdθ, _) = backprop(dLdŷ)
      opt.update(model, dLdθ)

object TutorialCnn:
  /** The seed of the initial weights and the random input. */
  val Seed = 7L

  def main(args: Array[String]): Unit = TutorialCnn(PrintStream(System.out, true, UTF_8)).run()
