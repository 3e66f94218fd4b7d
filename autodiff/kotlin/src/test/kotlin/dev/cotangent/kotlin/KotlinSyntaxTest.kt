package dev.cotangent.kotlin

import dev.cotangent.autodiff.Diff
import dev.cotangent.autodiff.ElementwiseOps.cos
import dev.cotangent.autodiff.ElementwiseOps.exp
import dev.cotangent.autodiff.ElementwiseOps.sin
import dev.cotangent.autodiff.Tensor
import dev.cotangent.autodiff.ValueWithPullback
import dev.cotangent.core.DType
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test

class KotlinSyntaxTest {
    private val x = Tensor.of(floatArrayOf(1f, 2f, 4f))

    private fun values(t: Tensor) = t.toFloatArray()

    @Test
    fun numbersOnEitherSide() {
        assertArrayEquals(floatArrayOf(2f, 4f, 8f), values(2f * x))
        assertArrayEquals(floatArrayOf(2f, 4f, 8f), values(2.0 * x))
        assertArrayEquals(floatArrayOf(2f, 4f, 8f), values(2 * x))
        assertArrayEquals(floatArrayOf(2f, 4f, 8f), values(x * 2f))
        assertArrayEquals(floatArrayOf(0.5f, 1f, 2f), values(x / 2f))
        assertArrayEquals(floatArrayOf(2f, 3f, 5f), values(x + 1))
        assertArrayEquals(floatArrayOf(0f, -1f, -3f), values(1 - x))
        assertArrayEquals(floatArrayOf(1f, 0.5f, 0.25f), values(1f / x))
        assertArrayEquals(floatArrayOf(-1f, -2f, -4f), values(-x))
        assertEquals(DType.F32, (2.0 * x).dtype())
    }

    @Test
    fun powersComparisonsIndexingAndReductions() {
        assertArrayEquals(floatArrayOf(1f, 4f, 16f), values(x.pow(2.0)))
        assertArrayEquals(floatArrayOf(0f, 0f, 1f), values(x.greater(2.0)))
        assertArrayEquals(floatArrayOf(1f, 0f, 0f), values(x.less(2.0)))
        assertEquals(4.0, x[2])
        val m = Tensor.of(floatArrayOf(1f, 2f, 3f, 4f), 2, 2)
        assertEquals(3.0, m[1, 0])
        assertArrayEquals(floatArrayOf(4f, 6f), values(m.sum(0)))
        assertArrayEquals(floatArrayOf(3f, 7f), values(m.sum(intArrayOf(1), true)))
        assertEquals(listOf(2, 1), m.sum(intArrayOf(1), true).shape().dims().toList())
    }

    @Test
    fun scalarLiteralsAreFloat32WhateverTheirKotlinType() {
        assertEquals(DType.F32, Tensor.scalar(2).dtype())
        assertEquals(DType.F32, Tensor.scalar(0.5).dtype())
        assertEquals(DType.F64, Tensor.scalar(DType.F64, 0.5).dtype())
        assertEquals(2.5f, (Tensor.scalar(0.5) + Tensor.scalar(2)).floatValue())
    }

    @Test
    fun lambdasInferTensor() {
        var runs = 0
        val square = withRecomputationInPullbacks { t -> runs++; t * t }
        val (value, pullback) = Diff.valueWithPullback(Tensor.scalar(10f)) { input -> square(cos(input)) }
        assertEquals(1, runs)
        assertEquals(-0.9129453f, pullback(Tensor.scalar(1f)).floatValue())
        assertEquals(2, runs)
        assertEquals((Math.cos(10.0) * Math.cos(10.0)).toFloat(), value.floatValue(), 1e-6f)

        val sillyExp = differentiableFunction { t ->
            val y = exp(t)
            ValueWithPullback.of(y) { v -> v * y }
        }
        assertEquals(Math.exp(3.0).toFloat(), gradient { t -> sillyExp(t) }(Tensor.scalar(3f)).floatValue(), 1e-4f)
        assertEquals(Math.cos(0.5).toFloat(), gradient { t -> sin(t) }(Tensor.scalar(0.5)).floatValue(), 1e-6f)
    }
}
