package dev.cotangent.properties

import dev.cotangent.autodiff.Domain
import dev.cotangent.autodiff.Tensor
import dev.cotangent.core.DType
import dev.cotangent.core.Shape
import io.kotest.property.Arb
import io.kotest.property.RTree
import io.kotest.property.RandomSource
import io.kotest.property.arbitrary.map
import kotlin.math.abs
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/** The Arbs keep their promises, in every sample and every shrink. */
class ArbTest {
    private val random = RandomSource.seeded(PropertySettings.seed)
    private val samples = PropertySettings.iterations

    /** The value and up to [limit] of its shrinks, breadth first (one case). */
    private fun <A> RTree<A>.walk(limit: Int = 60): List<A> {
        val out = mutableListOf<A>()
        val queue = ArrayDeque(listOf(this))
        while (queue.isNotEmpty() && out.size < limit) {
            val t = queue.removeFirst()
            out += t.value()
            queue += t.children.value
        }
        CaseCounts.cases()
        return out
    }

    private fun assertInDomain(domain: Domain, tensors: List<Tensor>) {
        val values = tensors.flatMap { it.toDoubleArray().asList() }
        val ok: (Double) -> Boolean = when (domain) {
            Domain.REAL -> { x -> x in -2.0..2.0 }
            Domain.POSITIVE -> { x -> x in 0.2..3.0 }
            Domain.NONZERO -> { x -> abs(x) in 0.2..2.0 }
            Domain.CONDITION -> { x -> x == 0.0 || x == 1.0 }
            Domain.DISTINCT -> { _ -> true }
        }
        assertTrue(values.all(ok), "$domain values out of range: $values")
        if (domain == Domain.DISTINCT) {
            val sorted = values.sorted()
            assertTrue(sorted.zipWithNext().all { (a, b) -> b - a >= DomainValues.DISTINCT_GAP - 1e-12 }, "not distinct: $sorted")
        }
    }

    @Test
    fun `tensors stay in their domain, dtype and ranges through shrinking`() {
        for (domain in Domain.entries) {
            for (dtype in DType.entries) {
                val arb = Arb.tensor(rank = 1..3, dim = 2..5, dtype = dtype, domain = domain)
                repeat(maxOf(1, samples / 5)) {
                    for (t in arb.sample(random).shrinks.walk()) {
                        assertEquals(dtype, t.dtype())
                        assertTrue(t.rank() in 1..3 && t.shape().dims().all { it in 2..5 }, "shape ${t.shape()}")
                        if (dtype == DType.F64) assertInDomain(domain, listOf(t))
                    }
                }
            }
        }
    }

    @Test
    fun `DISTINCT tensors drawn together are distinct from each other`() {
        val arb = Arb.broadcastTensors(listOf(Domain.DISTINCT, Domain.DISTINCT, Domain.REAL))
        repeat(samples) {
            for (ts in arb.sample(random).shrinks.walk()) {
                assertInDomain(Domain.DISTINCT, ts.take(2))
                assertInDomain(Domain.REAL, ts.drop(2))
            }
        }
    }

    @Test
    fun `broadcast shapes broadcast, before and after shrinking`() {
        repeat(samples) {
            for (shapes in Arb.broadcastShapes(3, rank = 1..4).sample(random).shrinks.walk()) {
                assertTrue(shapes.all { it.rank() in 1..4 }, "ranks of $shapes")
                shapes.reduce { a, b -> Shape.broadcast("test", a, b) }
            }
        }
    }

    @Test
    fun `shapes respect their ranges and size limit, and shrink to the smallest`() {
        repeat(samples) {
            val tree = Arb.shape(rank = 1..4, dim = 2..17, maxSize = 300).sample(random).shrinks
            for (s in tree.walk()) {
                assertTrue(s.rank() in 1..4 && s.dims().all { it in 2..17 } && s.size() <= 300, "$s")
            }
            var t = tree
            while (t.children.value.isNotEmpty()) t = t.children.value.first()
            assertEquals(Shape.of(2), t.value(), "following the first shrink ends at the smallest shape")
        }
    }

    @Test
    fun `the same seed draws the same tensors`() {
        val arb = Arb.tensor(rank = 0..4).map { it.toDoubleArray().toList() to it.shape() }
        val a = List(10) { arb.sample(RandomSource.seeded(7L + it)).value }
        val b = List(10) { arb.sample(RandomSource.seeded(7L + it)).value }
        assertEquals(a, b)
    }
}
