package dev.cotangent.core;

import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector shapes and byte order every kernel uses.
 *
 * <p>NOTE: kernels call the Vector API directly inside their loops, never through helpers of their own: the
 * API's methods are force-inlined, but a helper is not inlined where C2 compiles a loop that has not run yet,
 * and every vector passing through it is then boxed (10x slower, for as long as that code lives).
 */
final class Simd {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private Simd() {}
}
