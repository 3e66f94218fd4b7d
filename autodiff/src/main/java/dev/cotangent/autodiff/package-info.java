/**
 * Differentiable tensors and the derivative operators: {@link dev.cotangent.autodiff.Diff},
 * {@link dev.cotangent.autodiff.Tensor}, custom derivatives, differentiable structures and gradient checks.
 */
@NullMarked
package dev.cotangent.autodiff;

import org.jspecify.annotations.NullMarked;
