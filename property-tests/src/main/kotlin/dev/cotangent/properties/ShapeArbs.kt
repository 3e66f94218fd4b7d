package dev.cotangent.properties

import dev.cotangent.core.Shape
import io.kotest.property.Arb
import io.kotest.property.Shrinker
import io.kotest.property.arbitrary.arbitrary
import io.kotest.property.arbitrary.map
import kotlin.random.Random

/**
 * Shapes of a rank in [rank], dimensions in [dim] and at most [maxSize] elements. One dimension in five is
 * [dim]'s smallest (size-1 axes are where broadcasting and kernel tails break). Shrinks toward fewer axes and
 * smaller dimensions.
 *
 * ```kotlin
 * checkAll(Arb.shape(rank = 1..3, dim = 1..17)) { shape -> ... }
 * ```
 */
fun Arb.Companion.shape(rank: IntRange = 0..4, dim: IntRange = 1..7, maxSize: Long = 4096): Arb<Shape> {
    checkRanges(rank, dim)
    return arbitrary(ShapeShrinker(rank, dim)) { rs -> drawShape(rs.random, rank, dim, maxSize) }
}

/**
 * [count] shapes that broadcast together: each is a trailing part of one shape, with some dimensions set to 1.
 * Shrinks keep them broadcastable: leading axes go, aligned dimensions get smaller together.
 */
fun Arb.Companion.broadcastShapes(
    count: Int,
    rank: IntRange = 0..4,
    dim: IntRange = 1..7,
    maxSize: Long = 4096,
): Arb<List<Shape>> {
    checkRanges(rank, dim)
    require(count >= 1) { "broadcastShapes: count $count; expected at least 1" }
    return arbitrary(BroadcastShrinker(rank.first)) { rs ->
        drawBroadcastShapes(rs.random, drawShape(rs.random, rank, dim, maxSize), count, rank.first)
    }
}

/** Two shapes that broadcast together (see [broadcastShapes]). */
fun Arb.Companion.broadcastPair(rank: IntRange = 0..4, dim: IntRange = 1..7, maxSize: Long = 4096): Arb<Pair<Shape, Shape>> =
    broadcastShapes(2, rank, dim, maxSize).map { it[0] to it[1] }

private fun checkRanges(rank: IntRange, dim: IntRange) {
    require(!rank.isEmpty() && rank.first >= 0) { "shape: rank range $rank; expected a non-empty range from 0 up" }
    require(!dim.isEmpty() && dim.first >= 1) { "shape: dim range $dim; expected a non-empty range from 1 up" }
}

internal fun drawShape(random: Random, rank: IntRange, dim: IntRange, maxSize: Long): Shape {
    val dims = IntArray(random.nextInt(rank.first, rank.last + 1)) {
        if (random.nextInt(5) == 0) dim.first else random.nextInt(dim.first, dim.last + 1)
    }
    while (dims.fold(1L) { p, d -> p * d } > maxSize) {
        val reducible = dims.indices.filter { dims[it] > dim.first }
        if (reducible.isEmpty()) break
        val a = reducible.random(random)
        dims[a] = maxOf(dim.first, dims[a] / 2)
    }
    return Shape.of(*dims)
}

/**
 * [count] shapes that broadcast to [full]: each a trailing part of it (one in three shorter, down to [minRank]
 * axes) with one dimension in four set to 1.
 */
internal fun drawBroadcastShapes(random: Random, full: Shape, count: Int, minRank: Int = 0): List<Shape> = List(count) {
    val r = if (random.nextInt(3) == 0) random.nextInt(minOf(minRank, full.rank()), full.rank() + 1) else full.rank()
    Shape.of(*IntArray(r) { i -> if (random.nextInt(4) == 0) 1 else full.dim(full.rank() - r + i) })
}

/** Fewer axes first (all extra ones at once, then one at a time), then smaller dimensions. */
private class ShapeShrinker(private val rank: IntRange, private val dim: IntRange) : Shrinker<Shape> {
    override fun shrink(value: Shape): List<Shape> {
        val dims = value.dims()
        val out = mutableListOf<Shape>()
        if (dims.size > rank.first) {
            out += Shape.of(*dims.copyOfRange(dims.size - rank.first, dims.size))
            for (a in dims.indices) out += Shape.of(*dims.filterIndexed { i, _ -> i != a }.toIntArray())
        }
        out += Shape.of(*IntArray(dims.size) { dim.first })
        for (a in dims.indices) {
            for (smaller in listOf(dim.first, dims[a] / 2)) {
                if (smaller >= dim.first && smaller < dims[a]) out += Shape.of(*dims.clone().also { it[a] = smaller })
            }
        }
        return out
    }
}

/** Shrinks shapes aligned from the right, as broadcasting aligns them, so that they keep broadcasting. */
private class BroadcastShrinker(private val minRank: Int) : Shrinker<List<Shape>> {
    override fun shrink(value: List<Shape>): List<List<Shape>> {
        val rank = value.maxOf { it.rank() }
        val out = mutableListOf<List<Shape>>()
        if (rank > minRank) {
            out += value.map { s -> if (s.rank() == rank) Shape.of(*s.dims().copyOfRange(1, rank)) else s }
        }
        for (p in 0 until rank) { // p counts aligned positions from the right
            val largest = value.maxOf { s -> if (p < s.rank()) s.dim(s.rank() - 1 - p) else 1 }
            for (smaller in listOf(1, largest / 2).filter { it in 1 until largest }.distinct()) {
                out += value.map { s -> resized(s, p, smaller) }
            }
        }
        return out
    }

    /** [s] with its non-1 dimension at aligned position [p] set to [size]. */
    private fun resized(s: Shape, p: Int, size: Int): Shape {
        val a = s.rank() - 1 - p
        if (a < 0 || s.dim(a) == 1) return s
        return Shape.of(*s.dims().also { it[a] = size })
    }
}
