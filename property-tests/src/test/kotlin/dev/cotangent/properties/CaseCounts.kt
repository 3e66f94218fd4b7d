package dev.cotangent.properties

import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.ConcurrentSkipListSet
import java.util.concurrent.atomic.AtomicLong

/**
 * What this test JVM checked: cases, and the registered ops whose derivatives passed. Written when the JVM exits
 * to `target/property-counts/<backend>.properties`, which scripts/properties sums over both backend runs.
 */
internal object CaseCounts {
    private val cases = AtomicLong()
    private val opsChecked = ConcurrentSkipListSet<String>()
    @Volatile private var registered = 0

    init {
        Runtime.getRuntime().addShutdownHook(Thread(::write, "property-counts"))
    }

    fun cases(n: Int = 1) {
        cases.addAndGet(n.toLong())
    }

    fun opChecked(name: String, registeredOps: Int) {
        opsChecked += name
        registered = registeredOps
    }

    private fun write() {
        val dir = System.getProperty("cotangent.properties.countsDir") ?: return
        val text = "cases=${cases.get()}\nregistered=$registered\nops=${opsChecked.joinToString(",")}\n"
        Files.createDirectories(Path.of(dir))
        Files.writeString(Path.of(dir, "${PropertySettings.backend}.properties"), text)
    }
}
