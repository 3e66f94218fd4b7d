package dev.cotangent.properties

import dev.cotangent.autodiff.Domain
import kotlin.math.abs
import kotlin.math.max
import kotlin.math.roundToLong
import kotlin.math.sign
import kotlin.random.Random

/**
 * Values drawn from an op input's [Domain], and their simplifications for shrinking.
 *
 * Every simplification stays inside its domain, and each one is strictly simpler than the values it replaces
 * (it lowers their [level]), so shrinking always ends.
 */
internal object DomainValues {
    /** The smallest distance between two values of DISTINCT tensors drawn together. */
    const val DISTINCT_GAP = 0.05

    /**
     * Values for tensors of [sizes] drawn from [domains]. The DISTINCT ones are cut from one shuffled grid, so they
     * are distinct across tensors too (maximum(x, y) then has no ties, not even after broadcasting).
     */
    fun draw(domains: List<Domain>, sizes: List<Int>, random: Random): List<DoubleArray> {
        val distinctCount = domains.indices.filter { domains[it] == Domain.DISTINCT }.sumOf { sizes[it] }
        val pool = jitteredGrid(distinctCount, random).apply { shuffle(random) }
        var taken = 0
        return domains.mapIndexed { i, domain ->
            if (domain == Domain.DISTINCT) {
                pool.copyOfRange(taken, taken + sizes[i]).also { taken += sizes[i] }
            } else {
                DoubleArray(sizes[i]) { one(domain, random) }
            }
        }
    }

    private fun one(domain: Domain, random: Random): Double = when (domain) {
        Domain.REAL -> random.nextDouble(-2.0, 2.0)
        Domain.POSITIVE -> random.nextDouble(0.2, 3.0)
        Domain.NONZERO -> random.nextDouble(0.2, 2.0) * if (random.nextBoolean()) 1 else -1
        Domain.CONDITION -> if (random.nextBoolean()) 1.0 else 0.0
        Domain.DISTINCT -> error("DISTINCT values are drawn together, from one grid")
    }

    /** [n] ascending values spread over [-2, 2] (wider when they would be closer than [DISTINCT_GAP]). */
    fun grid(n: Int): DoubleArray {
        if (n <= 1) return DoubleArray(n) { 0.5 }
        val step = max(4.0 / (n - 1), DISTINCT_GAP)
        return DoubleArray(n) { (it - (n - 1) / 2.0) * step }
    }

    /** The grid with each value moved at random by less than the slack between neighbours. */
    private fun jitteredGrid(n: Int, random: Random): DoubleArray {
        val g = grid(n)
        if (n <= 1) return DoubleArray(n) { random.nextDouble(-2.0, 2.0) }
        val slack = (g[1] - g[0] - DISTINCT_GAP) / 2
        return if (slack <= 0) g else DoubleArray(n) { g[it] + random.nextDouble(-slack, slack) }
    }

    // ---------------------------------------------------------------- shrinking

    /**
     * Each domain's simplifications, simplest first. Each one's image lies inside the next one's, so "the first
     * simplification that leaves the values unchanged" is a well-defined complexity [level].
     */
    private val simplifications: Map<Domain, List<(Double) -> Double>> = mapOf(
        Domain.REAL to listOf({ _ -> 1.0 }, { x -> roundTo(x, 1) }, { x -> roundTo(x, 2) }, { x -> roundTo(x, 10) }),
        Domain.POSITIVE to listOf(
            { _ -> 1.0 },
            { x -> roundTo(x, 1).coerceIn(1.0, 3.0) },
            { x -> roundTo(x, 2).coerceIn(0.5, 3.0) },
            { x -> roundTo(x, 10).coerceIn(0.2, 3.0) }),
        Domain.NONZERO to listOf(
            { _ -> 1.0 },
            { x -> sign(x) },
            { x -> sign(x) * roundTo(abs(x), 2).coerceIn(0.5, 2.0) },
            { x -> sign(x) * roundTo(abs(x), 10).coerceIn(0.2, 2.0) }),
        Domain.CONDITION to listOf({ _ -> 1.0 }),
    )

    /** [x] rounded to a multiple of 1 / [parts], written as the short decimal a reader expects (1.5, not 1.5000000000000002). */
    private fun roundTo(x: Double, parts: Int): Double = (x * parts).roundToLong().toDouble() / parts

    /** How far [values] are from the simplest values of [domain]: 0 is simplest. */
    fun level(domain: Domain, values: DoubleArray): Int {
        val steps = simplifications.getValue(domain)
        val fixed = steps.indexOfFirst { s -> values.all { s(it) == it } }
        return if (fixed < 0) steps.size else fixed
    }

    /** Strictly simpler values of [domain] for [values], most aggressive first. */
    fun simpler(domain: Domain, values: DoubleArray): List<DoubleArray> {
        val steps = simplifications.getValue(domain)
        return steps.take(level(domain, values)).map { s -> DoubleArray(values.size) { s(values[it]) } }
    }

    /** 0: the ascending grid in order; 1: the grid in the order of [values] (ties and argmaxes kept); 2: other. */
    fun distinctLevel(values: DoubleArray): Int {
        val g = grid(values.size)
        return when {
            values.contentEquals(g) -> 0
            values.sortedArray().contentEquals(g) -> 1
            else -> 2
        }
    }

    /** Strictly simpler DISTINCT values: the grid by rank (same ordering), then the grid in order. */
    fun simplerDistinct(values: DoubleArray): List<DoubleArray> {
        val g = grid(values.size)
        val byRank = DoubleArray(values.size).also { out ->
            values.indices.sortedBy { values[it] }.forEachIndexed { rank, i -> out[i] = g[rank] }
        }
        return listOf(g, byRank).take(distinctLevel(values))
    }
}
