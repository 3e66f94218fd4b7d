package dev.cotangent.properties

import io.kotest.common.ExperimentalKotest
import io.kotest.property.PropTestConfig

/** The suite's knobs, from system properties that the pom and scripts/properties set. */
internal object PropertySettings {
    /**
     * Cases per property: the pom gives fewer to the pure-Java backend run, and `scripts/properties --long` sets
     * `cotangent.properties.scale` to 10.
     */
    val iterations: Int = Integer.getInteger("cotangent.properties.iterations", 100) *
        Integer.getInteger("cotangent.properties.scale", 1)

    /** Fixed in CI; every failure message names the seed to replay. */
    val seed: Long = java.lang.Long.getLong("cotangent.properties.seed", 20250917L)

    /** The backend this run uses ("auto" or "java"), which names its counts file. */
    val backend: String = System.getProperty("cotangent.backend").orEmpty().ifBlank { "auto" }

    /** Kotest settings for the property [name]: its own fixed seed and [cases] cases. */
    @OptIn(ExperimentalKotest::class)
    fun config(name: String, cases: Int = iterations): PropTestConfig =
        PropTestConfig(seed = seed * 31 + name.hashCode(), iterations = cases.coerceAtLeast(1))
}
