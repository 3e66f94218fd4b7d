package dev.cotangent.autodiff;

/**
 * A group of primitives registered together. Families outside this module are found with
 * {@link java.util.ServiceLoader}: list the implementing class in
 * {@code META-INF/services/dev.cotangent.autodiff.OpFamily}, and every op it adds is enumerated by
 * {@link OpRegistry#all()} and so checked by the property suite like the built-in ones.
 */
@FunctionalInterface
public interface OpFamily {
    /** Adds this family's ops to {@code registry}. */
    void register(OpRegistry registry);
}
