package dev.cotangent.examples.scala

import dev.cotangent.autodiff.{Diff, DifferentiableFunction, DifferentiableFunction2, Tensor, ValueWithPullback2}
import dev.cotangent.autodiff.ValueWithPullback as Vjp

/**
 * The tutorial's own gradient-checkpointing API, written from the public pieces: the same differentiable
 * function, except that when it is differentiated the values its derivative needs are recomputed in the
 * pullback instead of being kept from the forward pass.
 */
def makeRecomputedInGradient[T](original: T => Tensor): DifferentiableFunction[T] =
  val f: DifferentiableFunction[T] = original(_)
  Diff.differentiableFunction(x => Vjp.of(f(x), v => Diff.pullback(x, f)(v)))

/** The same for binary functions. */
def makeRecomputedInGradient[T, U](original: (T, U) => Tensor): DifferentiableFunction2[T, U] =
  val f: DifferentiableFunction2[T, U] = original(_, _)
  Diff.differentiableFunction2((x, y) => ValueWithPullback2.of(f(x, y), v => Diff.pullback(x, y, f)(v)))
