package dev.cotangent.properties

import java.io.FileOutputStream
import java.nio.charset.StandardCharsets
import java.util.TreeMap

/**
 * Runs and judges the fuzzer's calls. A call may return, or throw one of the documented exceptions with a message
 * naming its op:
 * - IllegalArgumentException: a shape, dtype, axis, parameter or size the op does not accept;
 * - IllegalStateException: a released array or closed scope, or a setting that is not valid;
 * - UnsupportedOperationException: a feature the library does not have (never a silent default);
 * - NullPointerException: a null argument (its message names the op and the parameter).
 * Anything else (IndexOutOfBoundsException, ArithmeticException, AssertionError, an exception from inside a
 * kernel...), or a message without the op's name, is a finding.
 *
 * Before each call its description goes to [trail] with an unbuffered write, so that when the JVM dies the
 * last line names the call that killed it.
 */
internal class FuzzSteps(private val trail: FileOutputStream?) {
    var calls = 0L
        private set
    var returned = 0L
        private set
    /** Documented exceptions by class. */
    val thrown = TreeMap<String, Long>()
    /** Undocumented exceptions and messages that do not name their op, with the call and the stack top. */
    val findings = mutableListOf<Finding>()

    /** A finding: [kind] groups the same fault (op, exception, throwing frame); [example] is one call showing it. */
    data class Finding(val kind: String, val example: String)

    /**
     * Runs [call] of [op] (described by [what]); its result, or null when it threw a documented exception.
     * [alsoNamed] are other names a message may give instead of the op's (such as the parameter at fault).
     */
    fun <T> step(op: String, what: String, vararg alsoNamed: String, call: () -> T?): T? {
        calls++
        trail?.write("$op: $what\n".toByteArray(StandardCharsets.UTF_8))
        return try {
            call().also { returned++ }
        } catch (e: Throwable) {
            if (e is VirtualMachineError) throw e
            val documented = e.javaClass in DOCUMENTED
            val message = e.message.orEmpty()
            val named = (listOf(op) + alsoNamed).any { message.contains(it) }
            if (documented && named) {
                thrown.merge(e.javaClass.simpleName, 1L, Long::plus)
            } else {
                val why = if (documented) "message does not name $op" else "undocumented exception"
                val top = e.stackTrace.take(10).joinToString(" <- ") { "${it.className.substringAfterLast('.')}.${it.methodName}:${it.lineNumber}" }
                val origin = e.stackTrace.firstOrNull { it.className.startsWith("dev.cotangent.") && !it.className.startsWith("dev.cotangent.properties.") }
                val at = origin?.let { "${it.className.substringAfterLast('.')}.${it.methodName}:${it.lineNumber}" }
                findings += Finding("$why: $op: ${e.javaClass.name} from $at", "$what: $e at $top")
            }
            null
        }
    }

    companion object {
        val DOCUMENTED: Set<Class<out Throwable>> = setOf(
            IllegalArgumentException::class.java,
            IllegalStateException::class.java,
            UnsupportedOperationException::class.java,
            NullPointerException::class.java,
        )
    }
}
