package dev.cotangent.autodiff;

import org.jspecify.annotations.Nullable;

/**
 * The pullback of one recorded primitive (see {@link Tensor#record}): the cotangents of its inputs given the
 * cotangent {@code g} of its output {@code y}. An entry whose {@code needed} flag is false may be null. Written
 * in differentiable ops, it makes second derivatives through the primitive work as well.
 */
@FunctionalInterface
public interface PrimitivePullback {
    @Nullable Tensor[] apply(Tensor g, Tensor y, boolean[] needed);
}
