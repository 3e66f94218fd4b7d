@file:OptIn(ExperimentalKotest::class)

package dev.cotangent.properties

import dev.cotangent.autodiff.GradientCheck
import dev.cotangent.autodiff.Tensor
import io.kotest.common.ExperimentalKotest
import io.kotest.property.Arb
import io.kotest.property.PropTestConfig
import io.kotest.property.PropertyContext
import io.kotest.property.checkAll
import kotlin.random.Random

/**
 * Checks the derivative of [f] against central finite differences (float64, [GradientCheck]) at inputs drawn
 * from [inputs]. A failure is shrunk to a minimal shape and value and reported as a [GradientPropertyFailure]
 * that names the function, the minimal inputs, the error and the seeds that replay it.
 *
 * ```kotlin
 * @Test fun softplus() = runBlocking {
 *     checkGradients("softplus", Arb.tensor(rank = 0..3).map { listOf(it) }) { (x) -> mySoftplus(x).sum() }
 * }
 * ```
 *
 * @param config Kotest's settings; without a seed, a random one is drawn and reported on failure
 * @param options the finite-difference settings (epsilon, tolerances, directions); its name is replaced by [name]
 * @return Kotest's context, which counts the cases checked
 */
suspend fun checkGradients(
    name: String,
    inputs: Arb<List<Tensor>>,
    config: PropTestConfig = PropTestConfig(),
    options: GradientCheck.Options = GradientCheck.options(),
    f: (List<Tensor>) -> Tensor,
): PropertyContext {
    val seed = config.seed ?: Random.nextLong()
    val check = options.name(name)
    var first: List<Tensor>? = null
    var last: Pair<List<Tensor>, Throwable>? = null
    try {
        return checkAll(config.copy(seed = seed), inputs) { xs ->
            try {
                check.check({ f(it) }, *xs.toTypedArray())
            } catch (t: Throwable) {
                if (first == null) first = xs
                last = xs to t
                throw t
            }
        }
    } catch (e: AssertionError) {
        val (minimal, cause) = last ?: throw e
        throw GradientPropertyFailure(name, seed, check, first.orEmpty(), minimal, cause, e)
    }
}

/**
 * A derivative that disagreed with finite differences (or a function that threw) in [checkGradients], at the
 * smallest inputs shrinking found.
 *
 * @property seed Kotest's seed: `PropTestConfig(seed = seed)` replays the same inputs
 * @property minimalInputs the shrunk inputs at which the check fails
 */
class GradientPropertyFailure internal constructor(
    val function: String,
    val seed: Long,
    options: GradientCheck.Options,
    initialInputs: List<Tensor>,
    val minimalInputs: List<Tensor>,
    failure: Throwable,
    propertyError: AssertionError,
) : AssertionError(message(function, seed, options, initialInputs, minimalInputs, failure), propertyError) {
    /** GradientCheck's report at the minimal inputs, when the derivative was wrong (rather than the function throwing). */
    val report: GradientCheck.Report? = (failure as? GradientCheck.GradientCheckFailure)?.report()

    private companion object {
        fun message(
            function: String,
            seed: Long,
            options: GradientCheck.Options,
            initial: List<Tensor>,
            minimal: List<Tensor>,
            failure: Throwable,
        ): String = buildString {
            val report = (failure as? GradientCheck.GradientCheckFailure)?.report()
            if (report != null) {
                append("checkGradients: the derivative of '$function' disagrees with finite differences\n")
            } else {
                append("checkGradients: '$function' threw ${failure.javaClass.simpleName}: ${failure.message}\n")
            }
            val shapes = minimal.map { it.shape() }
            append("  at shapes $shapes (shrunk from ${initial.map { it.shape() }}), inputs:\n")
            minimal.forEachIndexed { i, t -> append("    input $i: ${t.summary()}\n") }
            report?.inputs()?.filter { !it.passed() }?.forEach { append("  error: $it\n") }
            if (report != null) {
                append("  tolerance: |analytic - numeric| <= ${options.atol()} + ${options.rtol()} * |numeric|,")
                append(" epsilon ${options.epsilon()}\n")
            }
            append("  replay: checkGradients(\"$function\", ..., config = PropTestConfig(seed = ${seed}L))")
            append(" with GradientCheck.options().seed(${options.seed()}L)")
        }
    }
}
