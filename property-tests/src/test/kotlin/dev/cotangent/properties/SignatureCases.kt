package dev.cotangent.properties

import dev.cotangent.autodiff.OpDefinition
import dev.cotangent.autodiff.OpParams
import dev.cotangent.autodiff.Signature
import dev.cotangent.core.DType
import dev.cotangent.core.Shape
import io.kotest.property.Arb
import io.kotest.property.arbitrary.arbitrary
import io.kotest.property.arbitrary.constant
import io.kotest.property.arbitrary.flatMap
import io.kotest.property.arbitrary.map
import kotlin.random.Random
import kotlin.random.asJavaRandom

/** What one call of an op needs besides values: input shapes and parameters (see [OpCase]). */
internal data class Layout(
    val shapes: List<Shape>,
    val params: OpParams = OpParams.NONE,
    val paramsFloat32: OpParams = params,
    val epsilon: Double = 1e-6,
)

/**
 * Random calls of any registered op, generated from its [Signature] alone, so that a new op needs no test
 * code unless it brings a new signature.
 */
internal object SignatureCases {
    /** A layout generator per signature; an op whose signature has none fails EveryOpTest. */
    val layouts: Map<Signature, (Random) -> Layout> = mapOf(
        Signature.UNARY to { r -> Layout(listOf(r.shape())) },
        Signature.UNARY_SCALAR to { r -> Layout(listOf(r.shape()), OpParams.Scalar(r.constant())) },
        Signature.BINARY to { r -> Layout(r.broadcastShapes(2)) },
        Signature.SELECT to { r -> Layout(r.broadcastShapes(3)) },
        Signature.REDUCTION to { r -> r.shape().let { s -> Layout(listOf(s), OpParams.Axes(r.axes(s), r.nextBoolean())) } },
        Signature.AXIS to { r -> r.shape(rank = 1..4).let { s -> Layout(listOf(s), OpParams.Axis(r.axis(s))) } },
        Signature.SUM_TO to { r -> r.shape().let { big -> Layout(listOf(big), OpParams.Target(r.broadcastSource(big))) } },
        Signature.BROADCAST_TO to { r -> r.shape().let { big -> Layout(listOf(r.broadcastSource(big)), OpParams.Target(big)) } },
        Signature.RESHAPE to { r -> r.shape().let { s -> Layout(listOf(s), OpParams.Target(r.sameSize(s))) } },
        Signature.TRANSPOSE to { r -> r.shape().let { s -> Layout(listOf(s), OpParams.Permutation(r.permutation(s))) } },
        Signature.SLICE to { r -> r.shape(rank = 1..4).let { s -> Layout(listOf(s), r.slice(s)) } },
        // Through float32 and back: exact for a linear op with a large step, hopeless with 1e-6.
        Signature.CAST to { r -> Layout(listOf(r.shape()), OpParams.Cast(DType.F32), OpParams.Cast(DType.F64), epsilon = 0.1) },
        Signature.MATMUL to { r -> r.matmul() },
        Signature.CONV2D to { r -> WindowCases.conv(r).let { c -> Layout(listOf(c.input, c.filter), OpParams.Conv(c.params, c.output)) } },
        Signature.CONV2D_BACKWARD_INPUT to { r ->
            WindowCases.conv(r).let { c -> Layout(listOf(c.output, c.filter), OpParams.Conv(c.params, c.input)) }
        },
        Signature.CONV2D_BACKWARD_FILTER to { r ->
            WindowCases.conv(r).let { c -> Layout(listOf(c.input, c.output), OpParams.Conv(c.params, c.filter)) }
        },
        Signature.POOL2D to { r -> WindowCases.pool(r).let { p -> Layout(listOf(p.input), OpParams.Pool(p.params, p.input)) } },
        Signature.POOL2D_BACKWARD to { r -> WindowCases.pool(r).let { p -> Layout(listOf(p.output), OpParams.Pool(p.params, p.input)) } },
    )

    /** Whether the suite can generate calls of [op]: from its signature, or from its own generator (CUSTOM). */
    fun canGenerate(op: OpDefinition): Boolean = op.cases() != null || op.signature() in layouts

    /** Calls of [op] with values from its domains; a failing case shrinks to simpler values of the same layout. */
    fun of(op: OpDefinition): Arb<OpCase> {
        val custom = op.cases()
        val draw = if (custom != null) {
            { r: Random -> custom.draw(r.asJavaRandom()).let { Layout(it.shapes(), it.params()) } }
        } else layouts[op.signature()] ?: throw IllegalStateException(
            "no case generator for op '${op.name()}' of signature ${op.signature()}: add one to SignatureCases.layouts")
        return arbitrary { rs -> draw(rs.random) }.flatMap { layout ->
            Arb.tensors(Arb.constant(layout.shapes), DType.F64, op.domains())
                .map { OpCase(op, it, layout.params, layout.paramsFloat32, layout.epsilon) }
        }
    }
}

// ---------------------------------------------------------------- shapes and parameters

/** Sizes off the multiples of every vector width (1, 3, 7, 17...) and on them (4, 8): tails and bodies both. */
private val DIMS = intArrayOf(1, 1, 2, 3, 4, 5, 7, 8, 9, 17)

internal fun Random.dim(): Int = DIMS.random(this)

internal fun Random.shape(rank: IntRange = 0..4, maxSize: Long = 2048): Shape {
    val dims = IntArray(nextInt(rank.first, rank.last + 1)) { dim() }
    while (dims.fold(1L) { p, d -> p * d } > maxSize) {
        val a = dims.indices.maxBy { dims[it] }
        dims[a] /= 2
    }
    return Shape.of(*dims)
}

/** Shapes that broadcast together. */
internal fun Random.broadcastShapes(count: Int, rank: IntRange = 0..4, maxSize: Long = 2048): List<Shape> =
    drawBroadcastShapes(this, shape(rank, maxSize), count, rank.first)

/** A shape that broadcasts to [full]. */
private fun Random.broadcastSource(full: Shape): Shape = drawBroadcastShapes(this, full, 1).single()

private fun Random.constant(): Double = listOf(-1.5, -1.0, 0.5, 2.0, 3.0, nextDouble(-2.5, 2.5)).random(this)

/** Some axes (none: all), a third of them written from the end. */
private fun Random.axes(s: Shape): IntArray =
    (0 until s.rank()).filter { nextBoolean() }.map { if (nextInt(3) == 0) it - s.rank() else it }.toIntArray()

private fun Random.axis(s: Shape): Int = nextInt(-s.rank(), s.rank())

/** A permutation of the axes, a quarter of them written from the end. */
private fun Random.permutation(s: Shape): IntArray =
    (0 until s.rank()).shuffled(this).map { if (nextInt(4) == 0) it - s.rank() else it }.toIntArray()

/** Another shape of the same size, rank 0 to 4. */
private fun Random.sameSize(s: Shape): Shape {
    val factors = primeFactors(s.size())
    if (factors.isEmpty() && nextBoolean()) return Shape.scalar()
    val dims = IntArray(nextInt(1, 5)) { 1 }
    factors.forEach { dims[nextInt(dims.size)] *= it }
    return Shape.of(*dims)
}

private fun primeFactors(n: Long): List<Int> {
    val out = mutableListOf<Int>()
    var m = n
    var p = 2L
    while (m > 1) {
        while (m % p == 0L) {
            out += p.toInt()
            m /= p
        }
        p++
    }
    return out
}

private fun Random.slice(s: Shape): OpParams.Slice {
    val axis = nextInt(s.rank())
    val d = s.dim(axis)
    val start = nextInt(d)
    return OpParams.Slice(if (nextInt(3) == 0) axis - s.rank() else axis, start, nextInt(start + 1, d + 1), nextInt(1, 4))
}

/** [..., m, k] times [..., k, n], either operand possibly stored transposed, batch axes broadcast. */
private fun Random.matmul(): Layout {
    val (batchA, batchB) = broadcastShapes(2, rank = 0..2, maxSize = 12).shuffled(this)
    val (m, k, n) = Triple(dim(), dim(), dim())
    val transposeA = nextBoolean()
    val transposeB = nextBoolean()
    val a = batchA.dims() + if (transposeA) intArrayOf(k, m) else intArrayOf(m, k)
    val b = batchB.dims() + if (transposeB) intArrayOf(n, k) else intArrayOf(k, n)
    return Layout(listOf(Shape.of(*a), Shape.of(*b)), OpParams.Matmul(transposeA, transposeB))
}
