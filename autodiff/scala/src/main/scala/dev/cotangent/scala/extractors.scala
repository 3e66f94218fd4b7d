package dev.cotangent.scala

import dev.cotangent.autodiff
import dev.cotangent.autodiff.Tensor

/** Destructures gradients with respect to two arguments: `val Gradients2(dx, dy) = Diff.gradient(x, y, f)`. */
object Gradients2:
  def unapply[A, B](g: autodiff.Gradients2[A, B]): (A, B) = (g.first, g.second)

/** Destructures gradients with respect to three arguments. */
object Gradients3:
  def unapply[A, B, C](g: autodiff.Gradients3[A, B, C]): (A, B, C) = (g.first, g.second, g.third)

/** Destructures a value and its pullback: `val ValueWithPullback(y, pullback) = Diff.valueWithPullback(x, f)`. */
object ValueWithPullback:
  def unapply[A](v: autodiff.ValueWithPullback[A]): (Tensor, autodiff.Pullback[A]) = (v.value, v.pullback)

/** Destructures a value and its gradient. */
object ValueWithGradient:
  def unapply[A](v: autodiff.ValueWithGradient[A]): (Tensor, A) = (v.value, v.gradient)
