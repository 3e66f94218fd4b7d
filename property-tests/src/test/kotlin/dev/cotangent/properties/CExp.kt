package dev.cotangent.properties

import dev.cotangent.autodiff.Diff
import dev.cotangent.autodiff.DifferentiableFunction
import dev.cotangent.autodiff.Tensor
import dev.cotangent.autodiff.ValueWithPullback
import java.lang.foreign.FunctionDescriptor
import java.lang.foreign.Linker
import java.lang.foreign.ValueLayout.JAVA_DOUBLE
import java.lang.invoke.MethodHandle

/** libm's `exp`, called through Panama element by element: a C function the library knows nothing about. */
internal object CExp {
    private val exp: MethodHandle = Linker.nativeLinker().let { linker ->
        linker.downcallHandle(linker.defaultLookup().find("exp").orElseThrow(), FunctionDescriptor.of(JAVA_DOUBLE, JAVA_DOUBLE))
    }

    /** Counts calls of the plain (undifferentiated) function. */
    @Volatile var plainCalls = 0

    fun exp(x: Double): Double = exp.invoke(x) as Double

    /** exp of every element, computed in C; not differentiable by itself. */
    fun apply(x: Tensor): Tensor = x.toDoubleArray().let { v -> tensorOf(DoubleArray(v.size) { exp(v[it]) }, x.shape(), x.dtype()) }

    /** The C function with its derivative given: undifferentiated calls run C alone; dx = v * exp(x). */
    val differentiable: DifferentiableFunction<Tensor> = Diff.withCustomDerivative(
        { x -> plainCalls++; apply(x) },
        { x -> apply(x).let { y -> ValueWithPullback.of(y) { v -> v * y } } })
}
