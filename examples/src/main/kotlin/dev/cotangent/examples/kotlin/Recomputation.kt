/**
 * The tutorial's own gradient-checkpointing API, written from the public pieces as the tutorial writes it:
 * `differentiableFunction` for the value and a pullback that evaluates the original again.
 */
package dev.cotangent.examples.kotlin

import dev.cotangent.autodiff.Diff
import dev.cotangent.autodiff.DifferentiableFunction
import dev.cotangent.autodiff.DifferentiableFunction2
import dev.cotangent.autodiff.ValueWithPullback
import dev.cotangent.autodiff.ValueWithPullback2
import dev.cotangent.autodiff.Tensor

/**
 * The same differentiable function, except that when it is differentiated the values its derivative needs are
 * recomputed in the pullback instead of being kept from the forward pass.
 */
fun <T : Any> makeRecomputedInGradient(original: (T) -> Tensor): DifferentiableFunction<T> {
    val f = DifferentiableFunction(original)
    return Diff.differentiableFunction { x -> ValueWithPullback.of(f(x)) { v -> Diff.pullback(x, f)(v) } }
}

/** The same for binary functions. */
fun <T : Any, U : Any> makeRecomputedInGradient(original: (T, U) -> Tensor): DifferentiableFunction2<T, U> {
    val f = DifferentiableFunction2(original)
    return Diff.differentiableFunction2 { x, y -> ValueWithPullback2.of(f(x, y)) { v -> Diff.pullback(x, y, f)(v) } }
}
