package dev.cotangent.properties

import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit
import kotlin.io.path.listDirectoryEntries
import kotlin.io.path.readLines
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/**
 * No input crashes the JVM: [FuzzMain] runs thousands of adversarial calls ([FuzzCases]) in a JVM of its own, on
 * this run's backend (the suite runs once per backend), with its fatal-error log directed into a fresh directory.
 * The test fails when that log appears, when the JVM does not exit normally, or when a call threw anything but a
 * documented exception naming its op ([FuzzSteps]).
 */
class FuzzTest {
    @Test
    fun `no input crashes the JVM, and every error is a documented exception naming its op`() {
        val dir = Files.createTempDirectory("cotangent-fuzz")
        val trail = dir.resolve("trail.txt")
        val cases = PropertySettings.iterations * CASES_PER_ITERATION
        val command = listOf(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xss8m", "-Xmx1g",
            "-XX:ErrorFile=$dir/hs_err_pid%p.log", "-XX:-CreateCoredumpOnCrash",
            // Huge shapes must fail by their checks, not by filling the shared machine's memory.
            "-Dcotangent.maxArrayBytes=$MAX_ARRAY_BYTES",
            "-Dcotangent.backend=${PropertySettings.backend}",
            "-cp", System.getProperty("java.class.path"),
            FuzzMain::class.java.name, cases.toString(), (PropertySettings.seed * 31 + 7).toString(), trail.toString())
        val process = ProcessBuilder(command).redirectErrorStream(true).start()
        val output = String(process.inputStream.readAllBytes(), StandardCharsets.UTF_8)
        val finished = process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)
        if (!finished) process.destroyForcibly()
        val lastCall = if (Files.exists(trail)) trail.readLines().lastOrNull() else null
        val crashLogs = dir.listDirectoryEntries("hs_err*")
        assertTrue(crashLogs.isEmpty()) {
            "the JVM crashed during: $lastCall\n" + crashLogs.first().readLines().take(40).joinToString("\n")
        }
        assertTrue(finished) { "the fuzzing JVM ran over $TIMEOUT_SECONDS s; last call: $lastCall" }
        assertEquals(0, process.exitValue()) { "the fuzzing JVM failed during: $lastCall\n$output" }

        val values = output.lines().filter { "=" in it && !it.startsWith("finding:") }
            .associate { it.substringBefore('=') to it.substringAfter('=').trim() }
        val findings = output.lines().filter { it.startsWith("finding:") }
        assertTrue(findings.isEmpty()) { "${findings.size} finding(s):\n" + findings.joinToString("\n") }
        val calls = values.getValue("calls").toLong()
        val returned = values.getValue("returned").toLong()
        // A fuzzer whose calls all fail (or all succeed) tests little: both must be common.
        assertTrue(returned > calls / 5 && calls - returned > calls / 20) { "calls $calls, returned $returned:\n$output" }
        println("fuzz (${PropertySettings.backend}): " + output.lines().filter { "=" in it }.joinToString(" "))
        CaseCounts.cases(cases)
        dir.toFile().deleteRecursively()
    }

    private companion object {
        /** Cases per property iteration: 3,000 in the default run, 1,500 on the pure-Java backend. */
        const val CASES_PER_ITERATION = 30
        const val MAX_ARRAY_BYTES = 4L shl 20
        val TIMEOUT_SECONDS = 120L * Integer.getInteger("cotangent.properties.scale", 1)
    }
}
