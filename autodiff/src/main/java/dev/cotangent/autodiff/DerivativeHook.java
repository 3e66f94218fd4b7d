package dev.cotangent.autodiff;

/**
 * A body run on a derivative during backpropagation (see {@link Tensor#withDerivative}). It receives a private
 * copy: reading it observes, writing it in place ({@code fill}, {@code assign}) rewrites what flows on.
 */
@FunctionalInterface
public interface DerivativeHook {
    void accept(Tensor derivative);
}
