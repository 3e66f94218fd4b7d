package dev.cotangent.properties

import dev.cotangent.autodiff.OpRegistry
import dev.cotangent.core.Scope
import io.kotest.property.checkAll
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.DynamicTest.dynamicTest
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestFactory

/**
 * Every registered op, found in [OpRegistry] rather than listed here: its VJP against central differences in
 * float64 (GradientCheck), and its value and VJP in float32 against float64.
 */
class EveryOpTest {
    @Test
    fun `every registered op has a case generator for its signature`() {
        val missing = OpRegistry.all().filter { !SignatureCases.canGenerate(it) }
        assertTrue(missing.isEmpty()) {
            "ops whose signature the suite cannot generate: ${missing.map { "${it.name()} (${it.signature()})" }}"
        }
    }

    @TestFactory
    fun `every op's derivative matches finite differences, in float64 and float32`(): List<DynamicTest> {
        val ops = OpRegistry.all()
        return ops.map { op ->
            dynamicTest(op.name()) {
                runBlocking {
                    checkAll(PropertySettings.config("first order of ${op.name()}"), SignatureCases.of(op)) { case ->
                        Scope.open().use {
                            OpChecks.firstOrder(case)
                            OpChecks.float32Agreement(case)
                        }
                        CaseCounts.cases()
                    }
                }
                CaseCounts.opChecked(op.name(), ops.size)
            }
        }
    }
}
