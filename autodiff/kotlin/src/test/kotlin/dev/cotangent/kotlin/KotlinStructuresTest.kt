package dev.cotangent.kotlin

import dev.cotangent.autodiff.Diff
import dev.cotangent.autodiff.Differentiable
import dev.cotangent.autodiff.ElementwiseOps.tanh
import dev.cotangent.autodiff.NoDerivative
import dev.cotangent.autodiff.Tangents
import dev.cotangent.autodiff.Tensor
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotSame
import org.junit.jupiter.api.Assertions.assertSame
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** A plain Kotlin data class (no @JvmRecord): differentiated through its primary-constructor properties. */
data class Dense(val w: Tensor, val b: Tensor)

data class Mlp(val first: Dense, val second: Dense, @NoDerivative val name: String)

/** The record twin of [Mlp], for comparing gradients bit for bit. */
@JvmRecord
data class DenseRecord(val w: Tensor, val b: Tensor)

@JvmRecord
data class MlpRecord(val first: DenseRecord, val second: DenseRecord)

@JvmRecord
data class GetterMarked(val w: Tensor, @get:NoDerivative val frozen: Tensor)

@JvmRecord
data class FieldMarked(val w: Tensor, @field:NoDerivative val frozen: Tensor)

data class ParamMarked(val w: Tensor, @NoDerivative val frozen: Tensor)

/** A Kotlin [Differentiable] whose rebuild swaps its parts: the library must notice the shapes changed. */
class Swapping(val a: Tensor, val b: Tensor) : Differentiable<Swapping> {
    override fun differentiableParts(): List<Any> = listOf(a, b)
    override fun withDifferentiableParts(parts: List<Any>): Swapping = Swapping(parts[1] as Tensor, parts[0] as Tensor)
}

/** A class the library cannot rebuild: it must say so rather than treat it as a constant. */
class Opaque(val w: Tensor)

class KotlinStructuresTest {
    private fun t(vararg v: Double, shape: IntArray = intArrayOf(v.size)) = Tensor.of(v, *shape)

    private fun loss(x: Tensor, w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor): Tensor =
        tanh(x.matmul(w1).plus(b1)).matmul(w2).plus(b2).squared().mean()

    @Test
    fun dataClassGradientHasTheDataClassTypeAndMatchesTheRecordTwinExactly() {
        val x = t(0.5, -1.0, 2.0, 0.25, shape = intArrayOf(2, 2))
        var m = Mlp(Dense(t(1.0, -2.0, 0.5, 3.0, shape = intArrayOf(2, 2)), t(0.1, -0.1)),
            Dense(t(0.7, -0.3, shape = intArrayOf(2, 1)), t(0.05)), "mlp")
        var r = MlpRecord(DenseRecord(m.first.w, m.first.b), DenseRecord(m.second.w, m.second.b))
        repeat(5) {
            val g = Diff.gradient(m) { p -> loss(x, p.first.w, p.first.b, p.second.w, p.second.b) }
            val gr = Diff.gradient(r) { p -> loss(x, p.first.w, p.first.b, p.second.w, p.second.b) }
            assertNotSame(m, g)
            assertEquals("mlp", g.name)
            val flat = Tangents.tensors(g).map { it.toDoubleArray().toList() }
            val flatRecord = Tangents.tensors(gr).map { it.toDoubleArray().toList() }
            assertEquals(flatRecord, flat)
            m = Tangents.move(m, Tangents.scale(g, -0.1))
            r = Tangents.move(r, Tangents.scale(gr, -0.1))
        }
        assertEquals(Tangents.tensors(r).map { it.toDoubleArray().toList() },
            Tangents.tensors(m).map { it.toDoubleArray().toList() })
        assertEquals(listOf("first.w", "first.b", "second.w", "second.b"), Tangents.named(m).keys.toList())
    }

    @Test
    fun pairsAndMapsDifferentiate() {
        val (da, db) = Diff.gradient(Pair(t(2.0), t(3.0))) { p -> p.first.times(p.second).sum() }
        assertArrayEquals(doubleArrayOf(3.0), da.toDoubleArray())
        assertArrayEquals(doubleArrayOf(2.0), db.toDoubleArray())
        val g = Diff.gradient(mapOf("a" to t(2.0), "b" to t(5.0))) { p -> p.getValue("a").times(p.getValue("b")).sum() }
        assertArrayEquals(doubleArrayOf(5.0), g.getValue("a").toDoubleArray())
        assertArrayEquals(doubleArrayOf(2.0), g.getValue("b").toDoubleArray())
    }

    @Test
    fun noDerivativeWorksOnEveryUseSiteTarget() {
        for (make in listOf<(Tensor, Tensor) -> Any>(::GetterMarked, ::FieldMarked, ::ParamMarked)) {
            val value = make(t(2.0), t(7.0))
            val g = Diff.gradient(value) { v ->
                val (w, frozen) = Tangents.tensors(Diff.withoutDerivative(v)).let { _ -> parts(v) }
                w.times(frozen).sum()
            }
            val (gw, gFrozen) = parts(g)
            assertArrayEquals(doubleArrayOf(7.0), gw.toDoubleArray(), "${value::class.simpleName}")
            assertArrayEquals(doubleArrayOf(0.0), gFrozen.toDoubleArray(), "${value::class.simpleName}")
            val moved = Tangents.move(value, Tangents.scale(g, -1.0))
            assertSame(parts(value).second, parts(moved).second)
        }
    }

    private fun parts(v: Any): Pair<Tensor, Tensor> = when (v) {
        is GetterMarked -> v.w to v.frozen
        is FieldMarked -> v.w to v.frozen
        is ParamMarked -> v.w to v.frozen
        else -> error("unexpected $v")
    }

    @Test
    fun aClassThatCannotBeRebuiltFailsLoudly() {
        val e = assertThrows<IllegalArgumentException> { Diff.gradient(Opaque(t(1.0))) { o -> o.w.sum() } }
        assertTrue(e.message.orEmpty().contains("Opaque") && e.message.orEmpty().contains("field 'w'"), e.message)
    }

    @Test
    fun anArgumentWithoutTensorsIsAnError() {
        val e = assertThrows<IllegalArgumentException> { Diff.gradient("not a tensor") { _ -> Tensor.scalar(1f) } }
        assertTrue(e.message.orEmpty().contains("java.lang.String, which holds no tensors"), e.message)
    }

    @Test
    fun aKotlinDifferentiableThatRebuildsWithSwappedShapesIsCaught() {
        val s = Swapping(t(1.0, 2.0), t(3.0))
        val e = assertThrows<IllegalStateException> { Diff.gradient(s) { v -> v.a.sum() + v.b.sum() } }
        assertTrue(e.message.orEmpty().contains("Swapping.withDifferentiableParts"), e.message)
    }

    @Test
    fun mapsNeedStringKeys() {
        val e = assertThrows<IllegalArgumentException> { Diff.gradient(mapOf(1 to t(2.0))) { p -> p.getValue(1).sum() } }
        assertTrue(e.message.orEmpty().contains("need String keys"), e.message)
    }
}
