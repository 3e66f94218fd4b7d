/**
 * Neural networks on top of autodiff: layers that are differentiable structures and functions, activations,
 * losses, initializers, in-place optimizers and activation recomputation.
 */
@NullMarked
package dev.cotangent.nn;

import org.jspecify.annotations.NullMarked;
