package dev.cotangent.examples.kotlin

import dev.cotangent.autodiff.Diff
import dev.cotangent.autodiff.Diff.withoutDerivative
import dev.cotangent.autodiff.ElementwiseOps.cos
import dev.cotangent.autodiff.ElementwiseOps.log
import dev.cotangent.autodiff.ElementwiseOps.sin
import dev.cotangent.autodiff.Tensor
import dev.cotangent.autodiff.ValueWithPullback
import dev.cotangent.examples.CustomDifferentiation.powf
import dev.cotangent.kotlin.valueWithPullback
import dev.cotangent.kotlin.withCustomDerivative
import java.io.PrintStream

/**
 * The Swift custom-differentiation tutorial's scalar programs in Kotlin: a C function with its own derivative,
 * stop-gradient, derivative surgery and checkpointing written by hand. `out` is where the programs print.
 */
class CustomDifferentiation(private val out: PrintStream) {

    fun run() {
        declaringCustomDerivatives()
        stoppingDerivatives()
        derivativeSurgery()
        checkpointing()
    }

    /** libm's `powf` (through the Java twin's native downcall), announced as in the tutorial. */
    private fun sillyExpBody(x: Tensor): Tensor {
        val e = Math.E.toFloat()
        out.println("Taking 𝑒($e) to the power of ${x.floatValue()}!")
        return Tensor.scalar(powf(e, x.floatValue()))
    }

    fun declaringCustomDerivatives() {
        // @derivative(of: sillyExp)
        val sillyExp = withCustomDerivative(::sillyExpBody) { x ->
            val y = sillyExpBody(x)
            ValueWithPullback.of(y) { v -> v * y }
        }
        out.println("exp(3) = ${sillyExp(Tensor.scalar(3f))}")
        out.println("𝛁exp(3) = ${Diff.gradient(sillyExp)(Tensor.scalar(3f))}")
    }

    fun stoppingDerivatives() {
        val x = Tensor.scalar(2f)
        val y = Tensor.scalar(3f)
        val (dx, dy) = Diff.gradient(x, y) { a, b -> sin(sin(sin(a))) + withoutDerivative(cos(cos(cos(b)))) }
        out.println("($dx, $dy)")
    }

    fun derivativeSurgery() {
        val x = Tensor.scalar(30f)
        val xGradient = Diff.gradient(x) { t ->
            // Print the partial derivative with respect to the result of `sin(x)`.
            val a = sin(t).withDerivative { out.println("∂+/∂sin = $it") }
            // Force the partial derivative with respect to `x` to be `0.5`.
            val b = log(t.withDerivative { dx ->
                out.println("∂log/∂x = $dx, but rewritten to 0.5")
                dx.fill(0.5)
            })
            a + b
        }
        out.println(xGradient)
    }

    fun checkpointing() {
        val input = Tensor.scalar(10f)
        out.println("Running original computation...")
        // Differentiable multiplication with checkpointing.
        val square = makeRecomputedInGradient { x: Tensor ->
            out.println("  Computing square...")
            x * x
        }
        // Differentiate `f(x) = (cos(x))^2`.
        val (_, backprop) = valueWithPullback(input) { t -> square(cos(t)) }
        out.println("Running backpropagation...")
        val grad = backprop(Tensor.scalar(1f))
        out.println("Gradient = $grad")
    }
}

fun main() {
    CustomDifferentiation(PrintStream(System.out, true, Charsets.UTF_8)).run()
}
