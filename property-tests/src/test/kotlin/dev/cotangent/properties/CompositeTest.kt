package dev.cotangent.properties

import dev.cotangent.autodiff.ConvolutionOps.avgPool2d
import dev.cotangent.autodiff.ConvolutionOps.conv2d
import dev.cotangent.autodiff.ConvolutionOps.maxPool2d
import dev.cotangent.autodiff.Domain
import dev.cotangent.autodiff.ElementwiseOps.tanh
import dev.cotangent.autodiff.LinearAlgebraOps.matmul
import dev.cotangent.autodiff.SoftmaxOps.logSoftmax
import dev.cotangent.autodiff.SoftmaxOps.softmax
import dev.cotangent.autodiff.Tensor
import dev.cotangent.core.Conv2dParams
import dev.cotangent.core.DType
import dev.cotangent.core.Padding
import dev.cotangent.core.PoolParams
import dev.cotangent.core.Shape
import io.kotest.property.Arb
import io.kotest.property.arbitrary.bind
import io.kotest.property.arbitrary.int
import io.kotest.property.arbitrary.map
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.DynamicTest.dynamicTest
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestFactory

/** Composites users build, checked end to end against central differences, shrinking to minimal shapes. */
class CompositeTest {
    private fun check(name: String, inputs: Arb<List<Tensor>>, f: (List<Tensor>) -> Tensor) = runBlocking {
        CaseCounts.cases(checkGradients(name, inputs, PropertySettings.config(name), f = f).attempts())
    }

    private val paddings = listOf(Padding.VALID, Padding.SAME)

    @TestFactory
    fun `convolution layers across strides, padding and dilation`(): List<DynamicTest> =
        listOf(1, 2).flatMap { stride -> paddings.flatMap { padding -> listOf(1, 2).map { dilation -> Conv2dParams(stride, stride, padding, dilation, dilation) } } }
            .map { p ->
                dynamicTest("$p") {
                    // input [n, h, w, c], filter [k, k, c, o], bias [o]; VALID inputs cover the dilated window
                    val shapes = Arb.bind(Arb.int(1..2), Arb.int(1..6), Arb.int(1..3), Arb.int(1..3), Arb.int(1..3)) { n, hw, k, c, o ->
                        val size = if (p.padding() == Padding.VALID) maxOf(hw, (k - 1) * p.dilationH() + 1) else hw
                        listOf(Shape.of(n, size, size, c), Shape.of(k, k, c, o), Shape.of(o))
                    }
                    check("tanh(conv2d(x, w) + b) with $p", Arb.tensors(shapes, DType.F64, List(3) { Domain.REAL })) { (x, w, b) ->
                        tanh(conv2d(x, w, p) + b).squared()
                    }
                }
            }

    @TestFactory
    fun `max and average pooling without ties`(): List<DynamicTest> =
        listOf(PoolParams.of(2, 2, Padding.VALID), PoolParams.of(2, 1, Padding.SAME), PoolParams.of(3, 2, Padding.SAME), PoolParams(1, 3, 1, 2, Padding.VALID))
            .map { p ->
                dynamicTest("$p") {
                    val shapes = Arb.bind(Arb.int(1..2), Arb.int(3..7), Arb.int(3..7), Arb.int(1..3)) { n, h, w, c -> listOf(Shape.of(n, h, w, c)) }
                    check("maxPool and avgPool with $p", Arb.tensors(shapes, DType.F64, listOf(Domain.DISTINCT))) { (x) ->
                        maxPool2d(x, p).squared() + avgPool2d(x, p) * maxPool2d(x, p)
                    }
                }
            }

    @Test
    fun `softmax cross-entropy and softmax outputs`() {
        val pairs = Arb.shape(rank = 1..3, dim = 1..7).map { listOf(it, it) }
        check("cross-entropy -sum(softmax(t) · logSoftmax(x))", Arb.tensors(pairs, DType.F64, listOf(Domain.REAL, Domain.REAL))) { (x, t) ->
            -(softmax(t, -1) * logSoftmax(x, -1)).sum()
        }
        check("softmax(x, 0)² · x", Arb.tensor(rank = 1..3, dim = 1..7).map { listOf(it) }) { (x) -> softmax(x, 0).squared() * x }
    }

    @Test
    fun `matmul chains with transposed operands`() {
        val shapes = Arb.bind(Arb.int(1..5), Arb.int(1..5), Arb.int(1..5), Arb.int(1..5)) { m, k, l, n ->
            listOf(Shape.of(m, k), Shape.of(l, k), Shape.of(n, l))
        }
        check("tanh(a · bᵀ) · cᵀ", Arb.tensors(shapes, DType.F64, List(3) { Domain.REAL })) { (a, b, c) ->
            matmul(tanh(matmul(a, b, false, true)), c, false, true)
        }
        val batched = Arb.bind(Arb.int(1..3), Arb.int(1..4), Arb.int(1..4), Arb.int(1..4)) { batch, m, k, n ->
            listOf(Shape.of(batch, k, m), Shape.of(k, n), Shape.of(batch, 1, n))
        }
        check("aᵀ · b + c, batched and broadcast", Arb.tensors(batched, DType.F64, List(3) { Domain.REAL })) { (a, b, c) ->
            tanh(matmul(a, b, true, false) + c).matmul(b.transpose())
        }
    }
}
