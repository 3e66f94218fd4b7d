package dev.cotangent.examples.scala

import dev.cotangent.autodiff.{Diff, NoDerivative, Tensor}
import dev.cotangent.nn.{Activation, Dense, Initializers, Layer, SGD}
import dev.cotangent.scala.*
import java.io.PrintStream
import java.nio.charset.StandardCharsets.UTF_8

/**
 * The tutorial's XOR classifier as a Scala case class: two Dense layers and derivative surgery printing
 * ∂L/∂layer1 through `log`, which is not a parameter.
 */
case class MLP(
    layer1: Dense = Dense(2, 10, Activation.RELU),
    layer2: Dense = Dense(10, 1, Activation.RELU),
    @NoDerivative log: String => Unit = println(_),
) extends Layer[MLP]:
  override def apply(input: Tensor): Tensor =
    val h0 = layer1(input).withDerivative(d => log(s"∂L/∂layer1 = $d"))
    layer2(h0)

/** The training loop: ten SGD steps printing the loss and ∂L/∂ŷ; `out` is where it prints. */
class TutorialMlp(out: PrintStream):
  def run(): Unit =
    Initializers.setGlobalSeed(TutorialMlp.Seed)
    val classifier = MLP(log = out.println)
    val optimizer = SGD(classifier, 0.02)

    val x = Tensor.of(Array(Array(0f, 0f), Array(0f, 1f), Array(1f, 0f), Array(1f, 1f)))
    val y = Tensor.of(Array(0f, 1f, 1f, 0f))

    for _ <- 0 until 10 do
      val gradient = Diff.gradient(classifier, (model: MLP) =>
        val ŷ = model(x).withDerivative(d => out.println(s"∂L/∂ŷ = $d"))
        val loss = (ŷ - y).squared().mean()
        out.println(s"Loss: $loss")
        loss)
      optimizer.update(classifier, gradient)

object TutorialMlp:
  /** The seed of the initial weights; with it the loss falls at every step. */
  val Seed = 20L

  def main(args: Array[String]): Unit = TutorialMlp(PrintStream(System.out, true, UTF_8)).run()
