package dev.cotangent.nn;

import dev.cotangent.core.DType;
import dev.cotangent.core.NdArray;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The optimizers' update rules as single fused in-place passes over a parameter, its gradient and its state
 * (Vector API for float32, a plain loop for float64). All arrays are contiguous and of one shape and dtype.
 */
final class OptimizerKernels {
    private OptimizerKernels() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    /** v = momentum v - lr g; p += v, or with Nesterov p += momentum v - lr g. */
    static void momentum(NdArray p, NdArray v, NdArray g, double lr64, double momentum64, boolean nesterov) {
        MemorySegment ps = p.segment(), vs = v.segment(), gs = g.segment();
        long po = p.byteOffset(), vo = v.byteOffset(), go = g.byteOffset(), n = p.size();
        if (p.dtype() == DType.F32) {
            float lr = (float) lr64, momentum = (float) momentum64;
            long i = 0;
            for (long bound = F.loopBound(n); i < bound; i += F.length()) {
                var gv = FloatVector.fromMemorySegment(F, gs, go + i * 4, ORDER).mul(-lr);
                var vv = FloatVector.fromMemorySegment(F, vs, vo + i * 4, ORDER).mul(momentum).add(gv);
                vv.intoMemorySegment(vs, vo + i * 4, ORDER);
                var step = nesterov ? vv.mul(momentum).add(gv) : vv;
                FloatVector.fromMemorySegment(F, ps, po + i * 4, ORDER).add(step).intoMemorySegment(ps, po + i * 4, ORDER);
            }
            for (; i < n; i++) {
                float gv = -lr * gs.get(FLOAT, go + i * 4);
                float vv = vs.get(FLOAT, vo + i * 4) * momentum + gv;
                vs.set(FLOAT, vo + i * 4, vv);
                ps.set(FLOAT, po + i * 4, ps.get(FLOAT, po + i * 4) + (nesterov ? vv * momentum + gv : vv));
            }
        } else {
            for (long i = 0; i < n; i++) {
                double gv = -lr64 * gs.get(DOUBLE, go + i * 8);
                double vv = vs.get(DOUBLE, vo + i * 8) * momentum64 + gv;
                vs.set(DOUBLE, vo + i * 8, vv);
                ps.set(DOUBLE, po + i * 8, ps.get(DOUBLE, po + i * 8) + (nesterov ? vv * momentum64 + gv : vv));
            }
        }
    }

    /**
     * Adam's moments and step: m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g²;
     * p = keep p - stepSize m / (√v + eps), where keep = 1 - lr·weightDecay (AdamW) or 1.
     */
    static void adam(NdArray p, NdArray m, NdArray v, NdArray g, double beta1d, double beta2d, double stepSized,
            double epsilond, double keepd) {
        MemorySegment ps = p.segment(), ms = m.segment(), vs = v.segment(), gs = g.segment();
        long po = p.byteOffset(), mo = m.byteOffset(), vo = v.byteOffset(), go = g.byteOffset(), n = p.size();
        if (p.dtype() == DType.F32) {
            float beta1 = (float) beta1d, beta2 = (float) beta2d, stepSize = (float) stepSized;
            float epsilon = (float) epsilond, keep = (float) keepd;
            long i = 0;
            for (long bound = F.loopBound(n); i < bound; i += F.length()) {
                var gv = FloatVector.fromMemorySegment(F, gs, go + i * 4, ORDER);
                var mv = FloatVector.fromMemorySegment(F, ms, mo + i * 4, ORDER).mul(beta1).add(gv.mul(1 - beta1));
                var vv = FloatVector.fromMemorySegment(F, vs, vo + i * 4, ORDER).mul(beta2).add(gv.mul(gv).mul(1 - beta2));
                mv.intoMemorySegment(ms, mo + i * 4, ORDER);
                vv.intoMemorySegment(vs, vo + i * 4, ORDER);
                var update = mv.mul(stepSize).div(vv.sqrt().add(epsilon));
                FloatVector.fromMemorySegment(F, ps, po + i * 4, ORDER).mul(keep).sub(update)
                        .intoMemorySegment(ps, po + i * 4, ORDER);
            }
            for (; i < n; i++) {
                float gv = gs.get(FLOAT, go + i * 4);
                float mv = ms.get(FLOAT, mo + i * 4) * beta1 + gv * (1 - beta1);
                float vv = vs.get(FLOAT, vo + i * 4) * beta2 + gv * gv * (1 - beta2);
                ms.set(FLOAT, mo + i * 4, mv);
                vs.set(FLOAT, vo + i * 4, vv);
                ps.set(FLOAT, po + i * 4, ps.get(FLOAT, po + i * 4) * keep - mv * stepSize / ((float) Math.sqrt(vv) + epsilon));
            }
        } else {
            for (long i = 0; i < n; i++) {
                double gv = gs.get(DOUBLE, go + i * 8);
                double mv = ms.get(DOUBLE, mo + i * 8) * beta1d + gv * (1 - beta1d);
                double vv = vs.get(DOUBLE, vo + i * 8) * beta2d + gv * gv * (1 - beta2d);
                ms.set(DOUBLE, mo + i * 8, mv);
                vs.set(DOUBLE, vo + i * 8, vv);
                ps.set(DOUBLE, po + i * 8, ps.get(DOUBLE, po + i * 8) * keepd - mv * stepSized / (Math.sqrt(vv) + epsilond));
            }
        }
    }

    /** RMSProp: a = rho a + (1 - rho) g²; p -= lr g / (√a + eps). */
    static void rmsProp(NdArray p, NdArray a, NdArray g, double lrd, double rhod, double epsilond) {
        MemorySegment ps = p.segment(), as = a.segment(), gs = g.segment();
        long po = p.byteOffset(), ao = a.byteOffset(), go = g.byteOffset(), n = p.size();
        if (p.dtype() == DType.F32) {
            float lr = (float) lrd, rho = (float) rhod, epsilon = (float) epsilond;
            long i = 0;
            for (long bound = F.loopBound(n); i < bound; i += F.length()) {
                var gv = FloatVector.fromMemorySegment(F, gs, go + i * 4, ORDER);
                var av = FloatVector.fromMemorySegment(F, as, ao + i * 4, ORDER).mul(rho).add(gv.mul(gv).mul(1 - rho));
                av.intoMemorySegment(as, ao + i * 4, ORDER);
                FloatVector.fromMemorySegment(F, ps, po + i * 4, ORDER).sub(gv.mul(lr).div(av.sqrt().add(epsilon)))
                        .intoMemorySegment(ps, po + i * 4, ORDER);
            }
            for (; i < n; i++) {
                float gv = gs.get(FLOAT, go + i * 4);
                float av = as.get(FLOAT, ao + i * 4) * rho + gv * gv * (1 - rho);
                as.set(FLOAT, ao + i * 4, av);
                ps.set(FLOAT, po + i * 4, ps.get(FLOAT, po + i * 4) - lr * gv / ((float) Math.sqrt(av) + epsilon));
            }
        } else {
            for (long i = 0; i < n; i++) {
                double gv = gs.get(DOUBLE, go + i * 8);
                double av = as.get(DOUBLE, ao + i * 8) * rhod + gv * gv * (1 - rhod);
                as.set(DOUBLE, ao + i * 8, av);
                ps.set(DOUBLE, po + i * 8, ps.get(DOUBLE, po + i * 8) - lrd * gv / (Math.sqrt(av) + epsilond));
            }
        }
    }
}
