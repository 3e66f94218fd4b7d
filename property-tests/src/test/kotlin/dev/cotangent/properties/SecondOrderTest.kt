package dev.cotangent.properties

import dev.cotangent.autodiff.Diff
import dev.cotangent.autodiff.Domain
import dev.cotangent.autodiff.ElementwiseOps.sin
import dev.cotangent.autodiff.ElementwiseOps.tanh
import dev.cotangent.autodiff.OpRegistry
import dev.cotangent.autodiff.ReductionOps.max
import dev.cotangent.autodiff.Tensor
import dev.cotangent.core.DType
import dev.cotangent.core.Scope
import dev.cotangent.core.Shape
import io.kotest.property.Arb
import io.kotest.property.arbitrary.bind
import io.kotest.property.arbitrary.int
import io.kotest.property.arbitrary.map
import io.kotest.property.checkAll
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.DynamicTest.dynamicTest
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestFactory

/**
 * Second derivatives: the pullback of every op whose pullback is itself differentiable
 * ([dev.cotangent.autodiff.OpDefinition.secondOrder]), and gradients of gradients of composites, each against
 * central differences of the first derivative.
 */
class SecondOrderTest {
    @TestFactory
    fun `every second-order op's pullback differentiates correctly`(): List<DynamicTest> =
        OpRegistry.all().filter { it.secondOrder() }.map { op ->
            dynamicTest(op.name()) {
                runBlocking {
                    checkAll(PropertySettings.config("second order of ${op.name()}"), SignatureCases.of(op)) { case ->
                        Scope.open().use { OpChecks.secondOrder(case) }
                        CaseCounts.cases()
                    }
                }
            }
        }

    private fun check(name: String, inputs: Arb<List<Tensor>>, f: (List<Tensor>) -> Tensor) = runBlocking {
        CaseCounts.cases(checkGradients(name, inputs, PropertySettings.config(name), f = f).attempts())
    }

    @Test
    fun `gradient of the gradient of an elementwise function`() =
        check("∇ sum(sin(x)·x)", Arb.tensor(rank = 0..3, dim = 1..7).map { listOf(it) }) { (x) ->
            Diff.gradient(x) { t: Tensor -> (sin(t) * t).sum() }
        }

    @Test
    fun `gradient of the gradient of reductions`() =
        check("∇ sum(sum(x², last axis)²) + max(x)·mean(x)", Arb.tensor(1..3, 1..7, domain = Domain.DISTINCT).map { listOf(it) }) { (x) ->
            Diff.gradient(x) { t: Tensor ->
                t.squared().sum(-1).squared().sum() + max(t) * t.mean()
            }
        }

    @Test
    fun `gradient of the gradient of matmul, with respect to both factors`() {
        val shapes = Arb.bind(Arb.int(1..5), Arb.int(1..5), Arb.int(1..5)) { m, k, n -> listOf(Shape.of(m, k), Shape.of(k, n)) }
        val inputs = Arb.tensors(shapes, DType.F64, listOf(Domain.REAL, Domain.REAL))
        val f = { a: Tensor, b: Tensor -> tanh(a.matmul(b)).sum() }
        check("∇a sum(tanh(a·b))", inputs) { (a, b) -> Diff.gradient(a, b, f).first() }
        check("∇b sum(tanh(a·b))", inputs) { (a, b) -> Diff.gradient(a, b, f).second() }
    }
}
