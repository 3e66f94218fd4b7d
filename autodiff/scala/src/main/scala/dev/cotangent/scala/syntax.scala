package dev.cotangent.scala

import dev.cotangent.autodiff.Tensor

/** Symbolic operators on tensors: `x + y`, `-x`, `x * 2.0`, `2.0 * x`, `x ** 2`, `x(i, j)`. */
extension (x: Tensor)
  def +(y: Tensor): Tensor = x.plus(y)
  def +(c: Double): Tensor = x.plus(c)
  def -(y: Tensor): Tensor = x.minus(y)
  def -(c: Double): Tensor = x.minus(c)
  def *(y: Tensor): Tensor = x.times(y)
  def *(c: Double): Tensor = x.times(c)
  def /(y: Tensor): Tensor = x.div(y)
  def /(c: Double): Tensor = x.div(c)
  def unary_- : Tensor = x.unaryMinus()
  def **(p: Double): Tensor = x.pow(p)
  def **(p: Tensor): Tensor = x.pow(p)
  def >(y: Tensor): Tensor = x.greater(y)
  def >(c: Double): Tensor = x.greater(c)
  def <(y: Tensor): Tensor = x.less(y)
  def <(c: Double): Tensor = x.less(c)
  def apply(index: Int*): Double = x.get(index*)

// A number on the left: Scala widens Int and Float literals to Double only as arguments, not as receivers.
extension (c: Double)
  def +(x: Tensor): Tensor = x.plus(c)
  def -(x: Tensor): Tensor = x.unaryMinus().plus(c)
  def *(x: Tensor): Tensor = x.times(c)
  def /(x: Tensor): Tensor = x.pow(-1.0).times(c)

extension (c: Float)
  def +(x: Tensor): Tensor = x.plus(c)
  def -(x: Tensor): Tensor = x.unaryMinus().plus(c)
  def *(x: Tensor): Tensor = x.times(c)
  def /(x: Tensor): Tensor = x.pow(-1.0).times(c)

extension (c: Int)
  def +(x: Tensor): Tensor = x.plus(c)
  def -(x: Tensor): Tensor = x.unaryMinus().plus(c)
  def *(x: Tensor): Tensor = x.times(c)
  def /(x: Tensor): Tensor = x.pow(-1.0).times(c)
