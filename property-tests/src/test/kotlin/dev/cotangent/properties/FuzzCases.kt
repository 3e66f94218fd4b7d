package dev.cotangent.properties

import dev.cotangent.autodiff.Diff
import dev.cotangent.autodiff.OpDefinition
import dev.cotangent.autodiff.OpParams
import dev.cotangent.autodiff.OpRegistry
import dev.cotangent.autodiff.Tensor
import dev.cotangent.core.Conv2dParams
import dev.cotangent.core.DType
import dev.cotangent.core.LinearAlgebra
import dev.cotangent.core.NdArray
import dev.cotangent.core.Padding
import dev.cotangent.core.PoolParams
import dev.cotangent.core.RandomArrays
import dev.cotangent.core.Reductions
import dev.cotangent.core.Shape
import dev.cotangent.core.Softmax
import kotlin.random.Random
import kotlin.random.asJavaRandom

/**
 * Adversarial calls of the public API: every registered op on layouts that are valid, then bent (a dimension made
 * zero, negative, huge or overflowing; an axis, slice, permutation, target shape, stride or window made wild; the
 * dtypes mixed; an input count or parameter type wrong), its inputs stored contiguously or as views (transposed,
 * sliced, broadcast), then its pullback with a right or a wrong cotangent; and chains of views on the NdArray API
 * with reductions, matmul, softmax, reads and writes at the end.
 *
 * Each call is a [FuzzSteps.step]: it may succeed or throw a documented exception naming its op ([FuzzSteps]
 * judges); nothing may crash the JVM.
 */
internal class FuzzCases(private val r: Random, private val steps: FuzzSteps) {
    private val ops: List<OpDefinition> = OpRegistry.all()

    fun run() {
        if (r.nextInt(4) == 0) viewChain() else registeredOp(ops.random(r))
    }

    // ---------------------------------------------------------------- registered ops

    private fun registeredOp(op: OpDefinition) {
        val layout = layout(op)
        var shapes = layout.shapes
        var params = layout.params
        repeat(if (r.nextInt(3) == 0) 0 else r.nextInt(1, 3)) {
            when (r.nextInt(4)) {
                0 -> shapes = shapes.bendOne()
                1 -> params = bend(params, shapes)
                2 -> shapes = shapes.map { if (r.nextInt(3) == 0) zeroOneDim(it) else it }
                else -> if (shapes.isNotEmpty()) {
                    val i = r.nextInt(shapes.size)
                    shapes = shapes.toMutableList().also { it[i] = broadcastPartner(it[i]) }
                }
            }
        }
        if (r.nextInt(40) == 0) shapes = if (r.nextBoolean()) shapes.drop(1) else shapes + shapes.last()
        if (r.nextInt(40) == 0) params = if (params is OpParams.None) OpParams.Axis(0) else OpParams.NONE
        val dtype = if (r.nextBoolean()) DType.F32 else DType.F64
        val mixed = r.nextInt(10) == 0
        val inputs = shapes.mapIndexed { i, s ->
            tensor(s, if (mixed && i == 0) other(dtype) else dtype) ?: return
        }
        // A released input: the op must refuse it, not read freed (or reused) memory.
        if (inputs.isNotEmpty() && r.nextInt(30) == 0) inputs.random(r).value().close()
        val what = "${op.name()}(${inputs.joinToString { it.dtype().toString() + it.shape() + if (it.value().isContiguous) "" else " view" }}, $params)"
        val out = steps.step(op.name(), what) { op.apply(inputs, params) } ?: return
        if (out.size() > 0) steps.step(op.name(), "read $what") { out.value().getFlat(out.size() - 1) }
        pullback(op, inputs, params, out, what)
    }

    private fun layout(op: OpDefinition): Layout {
        val custom = op.cases()
        if (custom != null) return custom.draw(r.asJavaRandom()).let { Layout(it.shapes(), it.params()) }
        return SignatureCases.layouts.getValue(op.signature())(r)
    }

    // The pullback of the op's first differentiable input, with a cotangent of the right or a wrong shape or dtype.
    private fun pullback(op: OpDefinition, inputs: List<Tensor>, params: OpParams, out: Tensor, what: String) {
        val i = op.domains().indices.firstOrNull { op.domains()[it] != dev.cotangent.autodiff.Domain.CONDITION } ?: return
        if (out.dtype() != inputs[i].dtype() || out.size() > 1 shl 16) return
        val back = steps.step(op.name(), "pullback of $what") {
            Diff.pullback(inputs[i]) { x -> op.apply(inputs.toMutableList().also { it[i] = x }, params) }
        } ?: return
        val cotangentShape = if (r.nextInt(4) == 0) out.shape().bendOne() else out.shape()
        val cotangentType = if (r.nextInt(8) == 0) other(out.dtype()) else out.dtype()
        val cotangent = tensor(cotangentShape, cotangentType) ?: return
        steps.step(op.name(), "pullback of $what at ${cotangent.dtype()}${cotangent.shape()}", "cotangent") {
            back.apply(cotangent)
        }
    }

    // ---------------------------------------------------------------- views on the NdArray API

    private fun viewChain() {
        val dtype = if (r.nextBoolean()) DType.F32 else DType.F64
        var a = steps.step("normal", "base") {
            RandomArrays.normal(dtype, shapeOf(IntArray(r.nextInt(0, 5)) { smallOrWild(6) }) ?: return@step null, 0.0, 1.0, r.nextLong())
        } ?: return
        repeat(r.nextInt(1, 5)) {
            val from = a
            a = when (r.nextInt(5)) {
                0 -> wildAxis(from).let { ax ->
                    val (s, e, st) = Triple(wildInt(), wildInt(), wildInt())
                    steps.step("slice", "slice ${from.shape()} axis $ax [$s:$e:$st]") { from.slice(ax, s, e, st) }
                }
                1 -> IntArray(r.nextInt(0, 5)) { wildAxis(from) }.let { perm ->
                    steps.step("transpose", "transpose ${from.shape()} ${perm.contentToString()}") { from.transpose(*perm) }
                }
                2 -> IntArray(r.nextInt(0, 5)) { smallOrWild(4) }.let { dims ->
                    steps.step("reshape", "reshape ${from.shape()} to ${dims.contentToString()}") { from.reshape(*dims) }
                }
                3 -> (shapeOf(broadcastPartner(from.shape()).dims()) ?: return).let { target ->
                    steps.step("broadcastTo", "broadcastTo ${from.shape()} to $target") { from.broadcastTo(target) }
                }
                else -> wildAxis(from).let { ax ->
                    steps.step("expandDims", "expandDims ${from.shape()} at $ax") { from.expandDims(ax) }
                }
            } ?: return
        }
        val x = a
        val what = "${x.dtype()}${x.shape()} strides ${x.strides().contentToString()}"
        when (r.nextInt(9)) {
            0 -> steps.step("sum", "sum $what") { Reductions.sum(x, r.nextBoolean(), *IntArray(r.nextInt(0, 3)) { wildAxis(x) }) }
            1 -> steps.step("max", "max $what") { Reductions.max(x, r.nextBoolean(), *IntArray(r.nextInt(0, 3)) { wildAxis(x) }) }
            2 -> steps.step("argmax", "argmax $what") { Reductions.argmax(x, wildAxis(x), r.nextBoolean()) }
            3 -> steps.step("softmax", "softmax $what") { Softmax.softmax(x, wildAxis(x)) }
            4 -> steps.step("matmul", "matmul $what") { LinearAlgebra.matmul(x, x, r.nextBoolean(), r.nextBoolean()) }
            5 -> steps.step("contiguous", "contiguous $what") { x.contiguous() }
            6 -> steps.step("fill", "fill $what") { x.fill(1.5) }
            7 -> LongArray(x.rank()) { if (r.nextInt(4) == 0) wildInt().toLong() else r.nextLong(0, maxOf(1, x.shape().dim(it)).toLong()) }
                .let { index ->
                    if (r.nextBoolean()) {
                        steps.step("getDouble", "getDouble $what at ${index.contentToString()}") { x.getDouble(*index) }
                    } else {
                        steps.step("setDouble", "setDouble $what at ${index.contentToString()}") { x.setDouble(2.0, *index) }
                    }
                }
            else -> steps.step("toString", "toString $what") { x.toString() }
        }
    }

    // ---------------------------------------------------------------- tensors and shapes

    // A tensor of [shape]: contiguous, or a view (transposed, sliced from a larger array, or broadcast from size-1
    // dimensions) with that shape. Null when its construction threw (a documented error, already judged).
    private fun tensor(shape: Shape, dtype: DType): Tensor? {
        val dims = shape.dims()
        val view: NdArray? = when (if (dims.isEmpty()) 0 else r.nextInt(4)) {
            0 -> steps.step("normal", "normal $dtype$shape") { RandomArrays.normal(dtype, shape, 0.0, 1.0, r.nextLong()) }
            1 -> {
                val perm = dims.indices.shuffled(r).toIntArray()
                val inverse = IntArray(perm.size).also { inv -> perm.forEachIndexed { k, p -> inv[p] = k } }
                val stored = shapeOf(IntArray(dims.size) { dims[perm[it]] }) ?: return null
                steps.step("normal", "normal $dtype$stored") { RandomArrays.normal(dtype, stored, 0.0, 1.0, r.nextLong()) }
                    ?.let { base -> steps.step("transpose", "transpose $stored by ${inverse.contentToString()}") { base.transpose(*inverse) } }
            }
            2 -> {
                val axis = r.nextInt(dims.size)
                val step = r.nextInt(1, 4)
                val bigger = dims.copyOf().also { it[axis] = (it[axis].toLong() * step + r.nextInt(0, 3)).coerceAtMost(Int.MAX_VALUE.toLong()).toInt() }
                val stored = shapeOf(bigger) ?: return null
                steps.step("normal", "normal $dtype$stored") { RandomArrays.normal(dtype, stored, 0.0, 1.0, r.nextLong()) }
                    ?.let { base ->
                        val start = r.nextInt(0, 2).coerceAtMost(bigger[axis])
                        steps.step("slice", "slice $stored axis $axis from $start step $step") {
                            base.slice(axis, start, start + (dims[axis] - 1).coerceAtLeast(0) * step + 1, step)
                        }
                    }
            }
            else -> {
                val ones = IntArray(dims.size) { if (r.nextBoolean()) 1 else dims[it] }
                val stored = shapeOf(ones) ?: return null
                steps.step("normal", "normal $dtype$stored") { RandomArrays.normal(dtype, stored, 0.0, 1.0, r.nextLong()) }
                    ?.let { base -> steps.step("broadcastTo", "broadcastTo $stored to $shape") { base.broadcastTo(shape) } }
            }
        }
        return view?.let { Tensor.of(it) }
    }

    private fun shapeOf(dims: IntArray): Shape? = steps.step("Shape.of", "Shape.of ${dims.contentToString()}") { Shape.of(*dims) }

    private fun List<Shape>.bendOne(): List<Shape> {
        if (isEmpty()) return this
        val i = r.nextInt(size)
        return toMutableList().also { it[i] = it[i].bendOne() }
    }

    // One dimension replaced by a wild one (or one more axis of a wild size). Negative dimensions cannot be a
    // Shape, so they stay small and positive here: tensor() and the view chains pass them to Shape.of instead.
    private fun Shape.bendOne(): Shape {
        val dims = dims()
        val wild = WILD_DIMS.filter { it >= 0 }.random(r)
        if (dims.isEmpty() || r.nextInt(4) == 0) return shapeOf(dims + wild) ?: this
        return shapeOf(dims.copyOf().also { it[r.nextInt(it.size)] = wild }) ?: this
    }

    private fun zeroOneDim(s: Shape): Shape =
        if (s.rank() == 0) s else Shape.of(*s.dims().copyOf().also { it[r.nextInt(it.size)] = 0 })

    // A shape that may or may not broadcast with [s]: some axes made 1, some changed, one axis added or dropped.
    private fun broadcastPartner(s: Shape): Shape {
        var dims = s.dims().map { if (r.nextInt(3) == 0) 1 else if (r.nextInt(6) == 0) smallOrWild(6) else it }.toIntArray()
        if (r.nextInt(3) == 0) dims = if (dims.isNotEmpty() && r.nextBoolean()) dims.copyOfRange(1, dims.size) else intArrayOf(smallOrWild(3)) + dims
        return shapeOf(dims.map { it.coerceAtLeast(0) }.toIntArray()) ?: s
    }

    private fun bend(p: OpParams, shapes: List<Shape>): OpParams {
        val rank = shapes.firstOrNull()?.rank() ?: 0
        return when (p) {
            is OpParams.Axes -> OpParams.Axes(IntArray(r.nextInt(0, 4)) { wildAxis(rank) }, r.nextBoolean())
            is OpParams.Axis -> OpParams.Axis(wildAxis(rank))
            is OpParams.Target -> shapeOf(IntArray(r.nextInt(0, 5)) { smallOrWild(4) })?.let { OpParams.Target(it) } ?: p
            is OpParams.Permutation -> OpParams.Permutation(IntArray(r.nextInt(0, 5)) { wildAxis(rank) })
            is OpParams.Slice -> OpParams.Slice(wildAxis(rank), wildInt(), wildInt(), wildInt())
            is OpParams.Scalar -> OpParams.Scalar(listOf(Double.NaN, Double.POSITIVE_INFINITY, -1e308, 0.0, -0.5).random(r))
            is OpParams.Matmul -> OpParams.Matmul(!p.transposeA(), r.nextBoolean())
            is OpParams.Conv -> OpParams.Conv(
                steps.step("Conv2dParams", "wild conv parameters") {
                    Conv2dParams(wildInt(), wildInt(), Padding.entries.random(r), wildInt(), wildInt())
                } ?: p.params(),
                if (r.nextBoolean()) p.resultShape() else p.resultShape().bendOne())
            is OpParams.Pool -> OpParams.Pool(
                steps.step("PoolParams", "wild pool parameters") {
                    PoolParams(wildInt(), wildInt(), wildInt(), wildInt(), Padding.entries.random(r))
                } ?: p.params(),
                if (r.nextBoolean()) p.inputShape() else p.inputShape().bendOne())
            else -> p
        }
    }

    // ---------------------------------------------------------------- numbers

    /** Mostly small sizes, else one of the wild ones (zero, negative, huge, overflowing when multiplied). */
    private fun smallOrWild(small: Int): Int = if (r.nextInt(4) == 0) WILD_DIMS.random(r) else r.nextInt(1, small + 1)

    private fun wildInt(): Int = if (r.nextBoolean()) r.nextInt(-4, 8) else WILD_INTS.random(r)

    private fun wildAxis(a: NdArray): Int = wildAxis(a.rank())

    private fun wildAxis(rank: Int): Int = if (r.nextInt(5) == 0) WILD_INTS.random(r) else r.nextInt(-rank - 1, rank + 1)

    private fun other(d: DType): DType = if (d == DType.F32) DType.F64 else DType.F32

    companion object {
        val WILD_DIMS = intArrayOf(0, 0, -1, -7, Int.MIN_VALUE, Int.MAX_VALUE, 1 shl 30, 1 shl 24, 1 shl 20, 65537, 46341,
            3_000_000)
        val WILD_INTS = intArrayOf(0, -1, Int.MIN_VALUE, Int.MIN_VALUE + 1, Int.MAX_VALUE, Int.MAX_VALUE - 2, 1 shl 30,
            65536, -65536)
    }
}
