package dev.cotangent.properties

import dev.cotangent.autodiff.Diff
import dev.cotangent.autodiff.DifferentiableFunction
import dev.cotangent.autodiff.Domain
import dev.cotangent.autodiff.ElementwiseOps.cos
import dev.cotangent.autodiff.ElementwiseOps.exp
import dev.cotangent.autodiff.ElementwiseOps.log
import dev.cotangent.autodiff.ElementwiseOps.sigmoid
import dev.cotangent.autodiff.ElementwiseOps.sin
import dev.cotangent.autodiff.ElementwiseOps.tanh
import dev.cotangent.autodiff.Gradients2
import dev.cotangent.autodiff.ReductionOps.sumTo
import dev.cotangent.autodiff.Tensor
import dev.cotangent.autodiff.ValueWithPullback
import dev.cotangent.autodiff.ValueWithPullback2
import dev.cotangent.core.Scope
import dev.cotangent.core.Shape
import io.kotest.property.Arb
import io.kotest.property.arbitrary.double
import io.kotest.property.arbitrary.map
import io.kotest.property.checkAll
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/**
 * The library's ways of giving or changing a derivative, each checked against finite differences or against the
 * plain computation: user VJPs, a C function, derivative surgery, stop-gradient and recomputation.
 */
class CustomDerivativeTest {
    private val tensors = Arb.tensor(rank = 0..4, dim = 1..9).map { listOf(it) }

    private fun check(name: String, inputs: Arb<List<Tensor>>, f: (List<Tensor>) -> Tensor) = runBlocking {
        CaseCounts.cases(checkGradients(name, inputs, PropertySettings.config(name), f = f).attempts())
    }

    /** Runs [body] on [arb]'s values, each in its own scope, counting cases. */
    private fun <A> property(name: String, arb: Arb<A>, body: (A) -> Unit) = runBlocking {
        checkAll(PropertySettings.config(name), arb) { a ->
            Scope.open().use { body(a) }
            CaseCounts.cases()
        }
    }

    @Test
    fun `differentiableFunction with a correct VJP`() {
        val softplus = Diff.differentiableFunction { x: Tensor ->
            ValueWithPullback.of(log(exp(x) + 1.0)) { v -> v * sigmoid(x) } // d softplus = sigmoid
        }
        check("softplus from its VJP", tensors) { (x) -> softplus(x) }
    }

    @Test
    fun `differentiableFunction2 with a correct VJP, broadcasting`() {
        val f = Diff.differentiableFunction2 { a: Tensor, b: Tensor ->
            val y = a * sin(b)
            ValueWithPullback2.of(y) { v -> Gradients2(sumTo(v * sin(b), a.shape()), sumTo(v * a * cos(b), b.shape())) }
        }
        check("a * sin(b) from its VJP", Arb.broadcastTensors()) { (a, b) -> f(a, b) }
    }

    @Test
    fun `withCustomDerivative makes libm's exp, called through Panama, differentiable`() {
        check("libm exp", tensors) { (x) -> CExp.differentiable(x) }
        property("libm exp agrees with exp", Arb.tensor(rank = 0..3, dim = 1..9)) { x ->
            val before = CExp.plainCalls
            OpChecks.assertClose("libm exp value", CExp.differentiable(x), exp(x), 1e-15, 0.0)
            assertEquals(before + 1, CExp.plainCalls, "an undifferentiated call runs the C function")
            OpChecks.assertClose("libm exp gradient", Diff.gradient(x) { t: Tensor -> CExp.differentiable(t).sum() }, exp(x), 1e-15, 0.0)
        }
    }

    @Test
    fun `withDerivative that only observes leaves gradients bit-identical`() {
        property("observing withDerivative", Arb.tensor(rank = 0..4, dim = 1..9)) { x ->
            // The derivative lives only while the sweep runs: keep a copy of its values.
            val seen = mutableListOf<Pair<Shape, DoubleArray>>()
            val plain = Diff.gradient(x) { t: Tensor -> (sin(t) * t).sum() }
            val observed = Diff.gradient(x) { t: Tensor ->
                (sin(t.withDerivative { d -> seen += d.shape() to d.toDoubleArray() }) * t).sum()
            }
            assertArrayEquals(plain.toDoubleArray(), observed.toDoubleArray(), "observing changed the gradient")
            assertEquals(listOf(x.shape()), seen.map { it.first }, "the hook ran once, on a derivative of x's shape")
            assertArrayEquals((cos(x) * x).toDoubleArray(), seen.single().second, "the hook saw d/d(sin x) = cos(x)·x")
        }
    }

    @Test
    fun `withDerivative that rewrites passes on exactly what it leaves`() {
        val arb = Arb.tensor(rank = 0..4, dim = 1..9, domain = Domain.POSITIVE).map { x -> x to Math.round(x.toDoubleArray()[0] * 8) / 4.0 - 3 }
        property("rewriting withDerivative", arb) { (x, c) ->
            val g = Diff.gradient(x) { t: Tensor -> log(t.withDerivative { d -> d.fill(c) }).sum() }
            assertTrue(g.toDoubleArray().all { it == c }, "gradient of log(x.withDerivative { fill($c) }) is $g; expected exactly $c")
        }
    }

    @Test
    fun `withoutDerivative stops the derivative exactly`() {
        property("withoutDerivative", Arb.broadcastTensors()) { (a, b) ->
            val stopped = Diff.gradient(a) { t: Tensor -> (sin(Diff.withoutDerivative(t)) * 2.0).sum() }
            assertTrue(stopped.toDoubleArray().all { it == 0.0 }, "gradient through withoutDerivative: $stopped")
            val g = Diff.gradient(a, b) { x: Tensor, y: Tensor -> (x * Diff.withoutDerivative(y)).sum() }
            assertTrue(g.second().toDoubleArray().all { it == 0.0 }, "gradient of the stopped argument: ${g.second()}")
            val expected = Diff.gradient(a) { x: Tensor -> (x * b).sum() }
            assertArrayEquals(expected.toDoubleArray(), g.first().toDoubleArray(), "gradient of the other argument")
        }
    }

    @Test
    fun `recomputation in pullbacks gives bit-identical gradients`() {
        var forwards = 0
        val block = DifferentiableFunction { x: Tensor -> forwards++; sigmoid(tanh(x) * x + 0.5) * sin(x) }
        val recomputed = Diff.withRecomputationInPullbacks(block)
        property("recomputation", Arb.tensor(rank = 0..4, dim = 1..9)) { x ->
            val plain = Diff.gradient(x) { t: Tensor -> block(t).sum() }
            forwards = 0
            val again = Diff.gradient(x) { t: Tensor -> recomputed(t).sum() }
            assertEquals(2, forwards, "the block runs once forward and once more inside its pullback")
            assertArrayEquals(plain.toDoubleArray(), again.toDoubleArray(), "recomputation changed the gradient")
        }
        check("recomputed block", tensors) { (x) -> recomputed(x) }
    }
}
