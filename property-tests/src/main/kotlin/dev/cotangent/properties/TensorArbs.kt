package dev.cotangent.properties

import dev.cotangent.autodiff.Domain
import dev.cotangent.autodiff.Tensor
import dev.cotangent.core.DType
import dev.cotangent.core.Shape
import io.kotest.property.Arb
import io.kotest.property.RTree
import io.kotest.property.RandomSource
import io.kotest.property.Sample
import io.kotest.property.arbitrary.constant
import io.kotest.property.arbitrary.map

/**
 * Tensors of [shape] whose values come from [domain] (REAL [-2, 2], POSITIVE [0.2, 3], NONZERO |x| in [0.2, 2],
 * DISTINCT pairwise at least 0.05 apart, CONDITION 0 or 1). Shrinks toward simple values (1.0, then integers,
 * halves and tenths), always inside the domain.
 */
fun Arb.Companion.tensor(shape: Shape, dtype: DType = DType.F64, domain: Domain = Domain.REAL): Arb<Tensor> =
    tensors(Arb.constant(listOf(shape)), dtype, listOf(domain)).map { it.single() }

/**
 * Tensors of random shape (see [shape]) whose values come from [domain]. Shrinks toward fewer axes, smaller
 * dimensions and simple values.
 *
 * ```kotlin
 * checkAll(Arb.tensor(rank = 0..3, dim = 1..17, domain = Domain.POSITIVE)) { x -> ... }
 * ```
 */
fun Arb.Companion.tensor(
    rank: IntRange = 0..4,
    dim: IntRange = 1..7,
    dtype: DType = DType.F64,
    domain: Domain = Domain.REAL,
): Arb<Tensor> = tensors(Arb.shape(rank, dim).map { listOf(it) }, dtype, listOf(domain)).map { it.single() }

/** Tensors whose shapes broadcast together (see [broadcastShapes]), one per domain of [domains]. */
fun Arb.Companion.broadcastTensors(
    domains: List<Domain> = listOf(Domain.REAL, Domain.REAL),
    rank: IntRange = 0..4,
    dim: IntRange = 1..7,
    dtype: DType = DType.F64,
): Arb<List<Tensor>> = tensors(broadcastShapes(domains.size, rank, dim), dtype, domains)

/**
 * One tensor per shape drawn by [shapes], the i-th with values from `domains[i]`; DISTINCT tensors are distinct
 * from each other as well. Shrinking follows the shapes' own shrinks (each tensor keeps the leading block of
 * its values), then simplifies values.
 */
fun Arb.Companion.tensors(shapes: Arb<List<Shape>>, dtype: DType = DType.F64, domains: List<Domain>): Arb<List<Tensor>> =
    TensorListArb(shapes, dtype, domains)

private class TensorListArb(
    private val shapes: Arb<List<Shape>>,
    private val dtype: DType,
    private val domains: List<Domain>,
) : Arb<List<Tensor>>() {

    /** One point of the shrink tree: shapes (with their own shrinks) and values; tensors made once, on demand. */
    private inner class Node(val shapeTree: RTree<List<Shape>>, val shapes: List<Shape>, val values: List<DoubleArray>) {
        val tensors: List<Tensor> by lazy { shapes.indices.map { tensorOf(values[it], shapes[it], dtype) } }
    }

    override fun edgecase(rs: RandomSource): Sample<List<Tensor>>? = shapes.edgecase(rs)?.let { sampleOf(it, rs) }

    override fun sample(rs: RandomSource): Sample<List<Tensor>> = sampleOf(shapes.sample(rs), rs)

    private fun sampleOf(s: Sample<List<Shape>>, rs: RandomSource): Sample<List<Tensor>> {
        require(s.value.size == domains.size) {
            "tensors: ${s.value.size} shapes ${s.value} for ${domains.size} domains $domains; expected one per domain"
        }
        val values = DomainValues.draw(domains, s.value.map { Math.toIntExact(it.size()) }, rs.random)
        val root = Node(s.shrinks, s.value, values)
        return Sample(root.tensors, tree(root))
    }

    private fun tree(node: Node): RTree<List<Tensor>> =
        RTree({ node.tensors }, lazy { (smallerShapes(node) + simplerValues(node)).map(::tree) })

    private fun smallerShapes(node: Node): List<Node> = node.shapeTree.children.value.mapNotNull { child ->
        val smaller = child.value()
        val values = smaller.indices.map { project(node.values[it], node.shapes[it], smaller[it]) ?: return@mapNotNull null }
        Node(child, smaller, values)
    }

    /** All tensors at their simplest at once, then one tensor (or the DISTINCT group) at a time. */
    private fun simplerValues(node: Node): List<Node> {
        val distinct = domains.indices.filter { domains[it] == Domain.DISTINCT }
        val perTensor = domains.indices.filter { it !in distinct }.map { i ->
            DomainValues.simpler(domains[i], node.values[i]).map { mapOf(i to it) }
        }
        val group = DomainValues.simplerDistinct(joined(node, distinct)).map { split(it, node, distinct) }
        val options = perTensor + listOf(group)
        val allAtOnce = options.mapNotNull { it.firstOrNull() }.takeIf { it.size > 1 }?.reduce { a, b -> a + b }
        return (listOfNotNull(allAtOnce) + options.flatten()).map { change ->
            Node(node.shapeTree, node.shapes, node.values.mapIndexed { i, v -> change[i] ?: v })
        }
    }

    private fun joined(node: Node, indices: List<Int>): DoubleArray =
        indices.map { node.values[it] }.fold(DoubleArray(0)) { a, b -> a + b }

    private fun split(all: DoubleArray, node: Node, indices: List<Int>): Map<Int, DoubleArray> {
        var from = 0
        return indices.associateWith { i -> all.copyOfRange(from, from + node.values[i].size).also { from += it.size } }
    }
}
