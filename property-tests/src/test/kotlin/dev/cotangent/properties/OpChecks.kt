package dev.cotangent.properties

import dev.cotangent.autodiff.Diff
import dev.cotangent.autodiff.GradientCheck
import dev.cotangent.autodiff.Tensor
import dev.cotangent.core.DType
import dev.cotangent.core.RandomArrays
import dev.cotangent.core.Shape
import kotlin.math.abs

/** The checks run on every [OpCase]: first and second order against finite differences, float32, linearity. */
internal object OpChecks {
    private val seed = PropertySettings.seed

    /** The VJP against central differences in float64: random directions, and every element of small inputs. */
    fun firstOrder(case: OpCase): GradientCheck.Report =
        options("$case", case).check({ case.callFloat64(it) }, *case.variables.toTypedArray())

    /**
     * The second-order VJP: h(x) = Σᵢ ⟨pullbackᵢ(w), uᵢ⟩ for fixed w and u, differentiated once more and checked
     * against central differences of h, i.e. of the first-order pullback.
     */
    fun secondOrder(case: OpCase): GradientCheck.Report {
        val w = normal(case.call(case.variables), seed + 1)
        val us = case.variables.mapIndexed { i, x -> normal(x, seed + 2 + i) }
        return options("second order of $case", case).check({ xs ->
            val grads = pullback(case, xs, w)
            grads.zip(us) { g, u -> (g.toType(DType.F64) * u).sum() }.reduce(Tensor::plus)
        }, *case.variables.toTypedArray())
    }

    /** The value and the VJP in float32 agree with float64 within float32 tolerances. */
    fun float32Agreement(case: OpCase) {
        val single = case.float32()
        val y64 = case.call(case.variables)
        val y32 = single.call(single.variables)
        assertClose("$case: float32 value", y32, y64)
        val v = normal(y64, seed + 7)
        val g64 = pullback(case, case.variables, v)
        val g32 = pullback(single, single.variables, v.toType(y32.dtype()))
        g32.zip(g64).forEachIndexed { k, (a, b) ->
            assertClose("$case: float32 gradient of input ${case.differentiable[k]}", a, b)
        }
    }

    /** pb(a·u + b·v) = a·pb(u) + b·pb(v): a pullback is linear in the cotangent. */
    fun linearity(case: OpCase) {
        val y = case.call(case.variables)
        val (u, v) = normal(y, seed + 11) to normal(y, seed + 12)
        val (a, b) = 0.75 to -1.25
        val lhs = pullback(case, case.variables, u * a + v * b)
        val rhs = pullback(case, case.variables, u).zip(pullback(case, case.variables, v)) { pu, pv -> pu * a + pv * b }
        val tolerance = if (y.dtype() == DType.F32) 1e-5 else 1e-11
        lhs.zip(rhs).forEachIndexed { k, (l, r) -> assertClose("$case: linearity for input $k", l, r, tolerance, tolerance) }
    }

    private fun options(name: String, case: OpCase) = GradientCheck.options().name(name).seed(seed).epsilon(case.epsilon)

    private fun pullback(case: OpCase, at: List<Tensor>, cotangent: Tensor): List<Tensor> =
        Diff.pullback(at) { xs: List<Tensor> -> case.call(xs) }.apply(cotangent)

    /** Standard normal values shaped and typed like [like]. */
    fun normal(like: Tensor, seed: Long): Tensor = normal(like.shape(), seed).toType(like.dtype())

    fun normal(shape: Shape, seed: Long): Tensor = Tensor.of(RandomArrays.normal(DType.F64, shape, 0.0, 1.0, seed))

    /** |got - want| <= relative·|want| + absolute·max(1, max|want|), element by element. */
    fun assertClose(what: String, got: Tensor, want: Tensor, relative: Double = 1e-3, absolute: Double = 1e-4) {
        if (got.shape() != want.shape()) throw AssertionError("$what: shape ${got.shape()}; expected ${want.shape()}")
        val a = got.toDoubleArray()
        val b = want.toDoubleArray()
        val scale = maxOf(1.0, b.maxOfOrNull { abs(it) } ?: 0.0)
        val i = a.indices.firstOrNull { abs(a[it] - b[it]) > relative * abs(b[it]) + absolute * scale } ?: return
        throw AssertionError("$what: element $i (of ${want.shape()}) is ${a[i]}; expected ${b[i]} within" +
            " $relative relative + ${absolute * scale} absolute (error ${abs(a[i] - b[i])})")
    }
}
