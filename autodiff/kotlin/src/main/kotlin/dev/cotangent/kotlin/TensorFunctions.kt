/**
 * The derivative operators for the common tensor-to-tensor case, as free functions whose lambdas need no type
 * arguments (`withRecomputationInPullbacks { x -> x * x }`); the generic forms stay on [Diff].
 */
package dev.cotangent.kotlin

import dev.cotangent.autodiff.Diff
import dev.cotangent.autodiff.DifferentiableFunction
import dev.cotangent.autodiff.GradientFunction
import dev.cotangent.autodiff.Tensor
import dev.cotangent.autodiff.ValueWithPullback

/** [Diff.withRecomputationInPullbacks] for a function of one tensor. */
fun withRecomputationInPullbacks(f: (Tensor) -> Tensor): DifferentiableFunction<Tensor> =
    Diff.withRecomputationInPullbacks(DifferentiableFunction(f))

/** [Diff.differentiableFunction] for a function of one tensor: `vjp` returns the value and its pullback. */
fun differentiableFunction(vjp: (Tensor) -> ValueWithPullback<Tensor>): DifferentiableFunction<Tensor> =
    Diff.differentiableFunction(vjp)

/** [Diff.withCustomDerivative] for a function of one tensor. */
fun withCustomDerivative(
    original: (Tensor) -> Tensor,
    vjp: (Tensor) -> ValueWithPullback<Tensor>,
): DifferentiableFunction<Tensor> = Diff.withCustomDerivative(DifferentiableFunction(original), vjp)

/** The gradient function of `f`: `gradient { x -> sin(x) }(x)`. */
fun gradient(f: (Tensor) -> Tensor): GradientFunction<Tensor> = Diff.gradient(DifferentiableFunction(f))

/** A value with a pullback, destructured as `val (y, pb) = valueWithPullback(x) { ... }`. */
fun valueWithPullback(at: Tensor, f: (Tensor) -> Tensor): ValueWithPullback<Tensor> =
    Diff.valueWithPullback(at, DifferentiableFunction(f))
