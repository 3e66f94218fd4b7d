package dev.cotangent.properties

import dev.cotangent.core.Scope
import io.kotest.common.ExperimentalKotest
import io.kotest.property.Arb
import io.kotest.property.PropTestConfig
import io.kotest.property.arbitrary.long
import io.kotest.property.checkAll
import java.io.FileOutputStream
import java.nio.file.Path
import kotlin.random.Random
import kotlinx.coroutines.runBlocking

/**
 * The fuzzer's own JVM (FuzzTest starts it): `FuzzMain <cases> <seed> <trail file>` runs that many cases of
 * [FuzzCases] and prints what it saw, one `key=value` per line, then each finding on a `finding:` line.
 */
object FuzzMain {
    @OptIn(ExperimentalKotest::class)
    @JvmStatic
    fun main(args: Array<String>) {
        val cases = args[0].toInt()
        val seed = args[1].toLong()
        val start = System.nanoTime()
        FileOutputStream(Path.of(args[2]).toFile()).use { trail ->
            val steps = FuzzSteps(trail)
            // Kotest draws each case's seed; the case draws everything else from it, so a finding replays alone.
            runBlocking {
                checkAll(PropTestConfig(seed = seed, iterations = cases), Arb.long()) { caseSeed ->
                    Scope.open().use { FuzzCases(Random(caseSeed), steps).run() }
                }
            }
            println("cases=$cases")
            println("calls=${steps.calls}")
            println("returned=${steps.returned}")
            steps.thrown.forEach { (type, n) -> println("thrown.$type=$n") }
            println("seconds=${(System.nanoTime() - start) / 1_000_000_000}")
            // One example per kind of fault: the same bug met a hundred times is one finding.
            steps.findings.groupBy { it.kind }.forEach { (kind, all) -> println("finding: ${all.size}x $kind: ${all.first().example}") }
        }
    }
}
