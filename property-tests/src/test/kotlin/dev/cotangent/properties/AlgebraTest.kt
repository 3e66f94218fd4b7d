package dev.cotangent.properties

import dev.cotangent.autodiff.Diff
import dev.cotangent.autodiff.Differentiable
import dev.cotangent.autodiff.Domain
import dev.cotangent.autodiff.ElementwiseOps.exp
import dev.cotangent.autodiff.ElementwiseOps.sin
import dev.cotangent.autodiff.ElementwiseOps.tanh
import dev.cotangent.autodiff.OpRegistry
import dev.cotangent.autodiff.Tangents
import dev.cotangent.autodiff.Tensor
import dev.cotangent.core.DType
import dev.cotangent.core.Scope
import dev.cotangent.core.Shape
import io.kotest.property.Arb
import io.kotest.property.arbitrary.bind
import io.kotest.property.arbitrary.int
import io.kotest.property.checkAll
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.DynamicTest.dynamicTest
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestFactory

/** A dense layer as a Kotlin record: the library finds its tensors by reflection. */
@JvmRecord
data class Affine(val w: Tensor, val b: Tensor)

/** Two layers, nesting records. */
@JvmRecord
data class TwoLayers(val first: Affine, val second: Affine)

/** The same layer as a class that lists its parts itself. */
class AffineClass(val w: Tensor, val b: Tensor) : Differentiable<AffineClass> {
    override fun differentiableParts(): List<Any> = listOf(w, b)

    override fun withDifferentiableParts(parts: List<Any>): AffineClass = AffineClass(parts[0] as Tensor, parts[1] as Tensor)
}

/** Algebraic laws of derivatives: linearity of pullbacks, sums, and the chain rule through structures. */
class AlgebraTest {
    private fun <A> property(name: String, arb: Arb<A>, body: (A) -> Unit) = runBlocking {
        checkAll(PropertySettings.config(name), arb) { a ->
            Scope.open().use { body(a) }
            CaseCounts.cases()
        }
    }

    @TestFactory
    fun `every op's pullback is linear in the cotangent`(): List<DynamicTest> = OpRegistry.all().map { op ->
        dynamicTest(op.name()) {
            runBlocking {
                checkAll(PropertySettings.config("linearity of ${op.name()}", (PropertySettings.iterations + 1) / 2), SignatureCases.of(op)) { case ->
                    Scope.open().use { OpChecks.linearity(case) }
                    CaseCounts.cases()
                }
            }
        }
    }

    @Test
    fun `the gradient of a sum is the sum of the gradients`() {
        val f = { x: Tensor -> (sin(x) * x).sum() }
        val g = { x: Tensor -> (exp(x) * tanh(x)).mean() }
        property("gradient of a sum", Arb.tensor(rank = 0..4, dim = 1..9)) { x ->
            val together = Diff.gradient(x) { t: Tensor -> f(t) + g(t) }
            val apart = Diff.gradient(x, f) + Diff.gradient(x, g)
            OpChecks.assertClose("∇(f + g) = ∇f + ∇g", together, apart, 1e-12, 1e-12)
        }
    }

    /** x [batch, i], first layer i -> h, second h -> o. */
    private val layers = Arb.bind(Arb.int(1..4), Arb.int(1..5), Arb.int(1..5), Arb.int(1..3)) { batch, i, h, o ->
        listOf(Shape.of(batch, i), Shape.of(i, h), Shape.of(h), Shape.of(h, o), Shape.of(o))
    }.let { Arb.tensors(it, DType.F64, List(5) { Domain.REAL }) }

    private fun apply(layer: Affine, x: Tensor) = tanh(x.matmul(layer.w) + layer.b)

    @Test
    fun `the chain rule through records matches the flattened computation`() {
        property("gradient at records", layers) { (x, w1, b1, w2, b2) ->
            val model = TwoLayers(Affine(w1, b1), Affine(w2, b2))
            val grad = Diff.gradient(model) { m: TwoLayers -> apply(m.second, apply(m.first, x)).squared().sum() }
            val flat = Diff.gradient(listOf(w1, b1, w2, b2)) { p: List<Tensor> ->
                tanh(tanh(x.matmul(p[0]) + p[1]).matmul(p[2]) + p[3]).squared().sum()
            }
            val recordTensors = Tangents.tensors(grad)
            assertEquals(4, recordTensors.size)
            recordTensors.zip(flat).forEachIndexed { i, (r, f) -> OpChecks.assertClose("record gradient $i", r, f, 0.0, 0.0) }
            val asClass = Diff.gradient(AffineClass(w1, b1)) { m: AffineClass -> tanh(x.matmul(m.w) + m.b).squared().sum() }
            val asRecord = Diff.gradient(Affine(w1, b1)) { m: Affine -> apply(m, x).squared().sum() }
            OpChecks.assertClose("class vs record, w", asClass.w, asRecord.w, 0.0, 0.0)
            OpChecks.assertClose("class vs record, b", asClass.b, asRecord.b, 0.0, 0.0)
        }
        runBlocking {
            val name = "two layers as records"
            CaseCounts.cases(checkGradients(name, layers, PropertySettings.config(name)) { (x, w1, b1, w2, b2) ->
                val model = TwoLayers(Affine(w1, b1), Affine(w2, b2))
                apply(model.second, apply(model.first, x))
            }.attempts())
        }
    }
}
