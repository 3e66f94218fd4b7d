package dev.cotangent.examples.scala

import dev.cotangent.autodiff.{Diff, Tensor}
import dev.cotangent.autodiff.ValueWithPullback as Vjp
import dev.cotangent.autodiff.ElementwiseOps.{cos, log, sin}
import dev.cotangent.examples.CustomDifferentiation.powf
import dev.cotangent.scala.{Gradients2, ValueWithPullback, *}
import java.io.PrintStream
import java.nio.charset.StandardCharsets.UTF_8

/**
 * The Swift custom-differentiation tutorial's scalar programs in Scala: a C function with its own derivative,
 * stop-gradient, derivative surgery and checkpointing written by hand. `out` is where the programs print.
 */
class CustomDifferentiation(out: PrintStream):

  def run(): Unit =
    declaringCustomDerivatives()
    stoppingDerivatives()
    derivativeSurgery()
    checkpointing()

  /** libm's `powf` (through the Java twin's native downcall), announced as in the tutorial. */
  private def sillyExpBody(x: Tensor): Tensor =
    val e = Math.E.toFloat
    out.println(s"Taking 𝑒($e) to the power of ${x.floatValue}!")
    Tensor.scalar(powf(e, x.floatValue))

  def declaringCustomDerivatives(): Unit =
    // @derivative(of: sillyExp)
    val sillyExp = Diff.withCustomDerivative[Tensor](sillyExpBody(_), x =>
      val y = sillyExpBody(x)
      Vjp.of(y, v => v * y))
    out.println(s"exp(3) = ${sillyExp(Tensor.scalar(3f))}")
    out.println(s"𝛁exp(3) = ${Diff.gradient(sillyExp)(Tensor.scalar(3f))}")

  def stoppingDerivatives(): Unit =
    val x = Tensor.scalar(2f)
    val y = Tensor.scalar(3f)
    val Gradients2(dx, dy) = Diff.gradient(x, y, (a, b) => sin(sin(sin(a))) + Diff.withoutDerivative(cos(cos(cos(b)))))
    out.println(s"($dx, $dy)")

  def derivativeSurgery(): Unit =
    val x = Tensor.scalar(30f)
    val xGradient = Diff.gradient(x, (t: Tensor) =>
      // Print the partial derivative with respect to the result of `sin(x)`.
      val a = sin(t).withDerivative(d => out.println(s"∂+/∂sin = $d"))
      // Force the partial derivative with respect to `x` to be `0.5`.
      val b = log(t.withDerivative { dx =>
        out.println(s"∂log/∂x = $dx, but rewritten to 0.5")
        dx.fill(0.5)
      })
      a + b)
    out.println(xGradient)

  def checkpointing(): Unit =
    val input = Tensor.scalar(10f)
    out.println("Running original computation...")
    // Differentiable multiplication with checkpointing.
    val square = makeRecomputedInGradient { (x: Tensor) =>
      out.println("  Computing square...")
      x * x
    }
    // Differentiate `f(x) = (cos(x))^2`.
    val ValueWithPullback(_, backprop) = Diff.valueWithPullback(input, (t: Tensor) => square(cos(t)))
    out.println("Running backpropagation...")
    val grad = backprop(Tensor.scalar(1f))
    out.println(s"Gradient = $grad")

object CustomDifferentiation:
  def main(args: Array[String]): Unit = CustomDifferentiation(PrintStream(System.out, true, UTF_8)).run()
