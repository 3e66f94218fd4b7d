package dev.cotangent.scala

import dev.cotangent.autodiff.Tensor
import dev.cotangent.nn

/**
 * Destructures a layer's output and backpropagator:
 * `val AppliedLayer(logits, backprop) = model.appliedForBackpropagation(x)`. Needs cotangent-nn on the classpath.
 */
object AppliedLayer:
  def unapply[L](a: nn.AppliedLayer[L]): (Tensor, Tensor => nn.LayerGradients[L]) =
    (a.output, cotangent => a.backpropagator.apply(cotangent))

/** Destructures the gradients of a layer and of its input: `val LayerGradients(dModel, dInput) = backprop(g)`. */
object LayerGradients:
  def unapply[L](g: nn.LayerGradients[L]): (L, Tensor) = (g.layer, g.input)
