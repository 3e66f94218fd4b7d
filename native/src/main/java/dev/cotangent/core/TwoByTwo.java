package dev.cotangent.core;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FloatPooling}'s kernels for 2x2 windows with stride 2 that tile the image (LeNet's and ResNet's
 * pooling): the four inputs of a window are two adjacent pixels in two adjacent rows, read at fixed offsets, so
 * the loops carry no window bounds. The general loops computed those bounds for every channel vector and ran at
 * 7.5 GB/s on ResNet's 56x56x64 maps, a quarter of a copy.
 *
 * <p>Same results, bit for bit, as the general kernels: a max (and its gradient's first maximum) scans the window
 * in row-major order; an average adds from zero in that order, then scales by 1/4. Channels past the last whole
 * vector (few channels, such as 6) take scalar loops with the same rules.
 */
final class TwoByTwo {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat E = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final long ES = Float.BYTES;

    private TwoByTwo() {}

    static void max(Pooling.Geometry g, MemorySegment in, long inAt, MemorySegment out, long outAt) {
        int c = g.c();
        int whole = c - c % L;
        long pixel = c * ES;
        long row = g.w() * pixel;
        long o = outAt;
        for (int oy = 0; oy < g.oh(); oy++) {
            long top = inAt + 2L * oy * row;
            for (int ox = 0; ox < g.ow(); ox++, o += pixel) {
                long a = top + 2L * ox * pixel;
                long b = a + row;
                for (int ch = 0; ch < whole; ch += L) {
                    long at = ch * ES;
                    FloatVector.fromMemorySegment(S, in, a + at, NATIVE)
                            .max(FloatVector.fromMemorySegment(S, in, a + pixel + at, NATIVE))
                            .max(FloatVector.fromMemorySegment(S, in, b + at, NATIVE))
                            .max(FloatVector.fromMemorySegment(S, in, b + pixel + at, NATIVE))
                            .intoMemorySegment(out, o + at, NATIVE);
                }
                for (int ch = whole; ch < c; ch++) {
                    long at = ch * ES;
                    float m = Math.max(Math.max(Math.max(in.get(E, a + at), in.get(E, a + pixel + at)),
                            in.get(E, b + at)), in.get(E, b + pixel + at));
                    out.set(E, o + at, m);
                }
            }
        }
    }

    static void avg(Pooling.Geometry g, MemorySegment in, long inAt, MemorySegment out, long outAt) {
        int c = g.c();
        int whole = c - c % L;
        long pixel = c * ES;
        long row = g.w() * pixel;
        FloatVector zero = FloatVector.zero(S);
        long o = outAt;
        for (int oy = 0; oy < g.oh(); oy++) {
            long top = inAt + 2L * oy * row;
            for (int ox = 0; ox < g.ow(); ox++, o += pixel) {
                long a = top + 2L * ox * pixel;
                long b = a + row;
                for (int ch = 0; ch < whole; ch += L) {
                    long at = ch * ES;
                    zero.add(FloatVector.fromMemorySegment(S, in, a + at, NATIVE))
                            .add(FloatVector.fromMemorySegment(S, in, a + pixel + at, NATIVE))
                            .add(FloatVector.fromMemorySegment(S, in, b + at, NATIVE))
                            .add(FloatVector.fromMemorySegment(S, in, b + pixel + at, NATIVE))
                            .mul(0.25f)
                            .intoMemorySegment(out, o + at, NATIVE);
                }
                for (int ch = whole; ch < c; ch++) {
                    long at = ch * ES;
                    float sum = 0f + in.get(E, a + at);
                    sum += in.get(E, a + pixel + at);
                    sum += in.get(E, b + at);
                    sum += in.get(E, b + pixel + at);
                    out.set(E, o + at, sum * 0.25f);
                }
            }
        }
    }

    /** dx: each window's gradient to its first maximum (row-major), the other three elements zero. */
    static void maxBackward(Pooling.Geometry g, MemorySegment in, long inAt, MemorySegment grad, long gradAt,
            MemorySegment dx, long dxAt) {
        int c = g.c();
        int whole = c - c % L;
        long pixel = c * ES;
        long row = g.w() * pixel;
        FloatVector zero = FloatVector.zero(S);
        long o = gradAt;
        for (int oy = 0; oy < g.oh(); oy++) {
            long top = 2L * oy * row;
            for (int ox = 0; ox < g.ow(); ox++, o += pixel) {
                long a = top + 2L * ox * pixel; // relative to the image: the same place in the input and in dx
                long b = a + row;
                for (int ch = 0; ch < whole; ch += L) {
                    long at = ch * ES;
                    FloatVector v0 = FloatVector.fromMemorySegment(S, in, inAt + a + at, NATIVE);
                    FloatVector v1 = FloatVector.fromMemorySegment(S, in, inAt + a + pixel + at, NATIVE);
                    FloatVector v2 = FloatVector.fromMemorySegment(S, in, inAt + b + at, NATIVE);
                    FloatVector v3 = FloatVector.fromMemorySegment(S, in, inAt + b + pixel + at, NATIVE);
                    // Strictly greater: ties keep the first maximum, and a NaN wins only when it comes first.
                    VectorMask<Float> m1 = v1.compare(VectorOperators.GT, v0);
                    FloatVector best = v0.blend(v1, m1);
                    VectorMask<Float> m2 = v2.compare(VectorOperators.GT, best);
                    best = best.blend(v2, m2);
                    VectorMask<Float> m3 = v3.compare(VectorOperators.GT, best);
                    // The winner: 3 if m3, else 2 if m2, else 1 if m1, else 0.
                    VectorMask<Float> w3 = m3;
                    VectorMask<Float> w2 = m2.andNot(m3);
                    VectorMask<Float> w1 = m1.andNot(m2).andNot(m3);
                    VectorMask<Float> w0 = m1.or(m2).or(m3).not();
                    FloatVector gv = FloatVector.fromMemorySegment(S, grad, o + at, NATIVE);
                    zero.blend(gv, w0).intoMemorySegment(dx, dxAt + a + at, NATIVE);
                    zero.blend(gv, w1).intoMemorySegment(dx, dxAt + a + pixel + at, NATIVE);
                    zero.blend(gv, w2).intoMemorySegment(dx, dxAt + b + at, NATIVE);
                    zero.blend(gv, w3).intoMemorySegment(dx, dxAt + b + pixel + at, NATIVE);
                }
                for (int ch = whole; ch < c; ch++) {
                    long at = ch * ES;
                    long[] place = {a + at, a + pixel + at, b + at, b + pixel + at};
                    float best = in.get(E, inAt + place[0]);
                    int winner = 0;
                    for (int j = 1; j < 4; j++) {
                        float v = in.get(E, inAt + place[j]);
                        if (v > best) {
                            best = v;
                            winner = j;
                        }
                    }
                    float gv = grad.get(E, o + at);
                    for (int j = 0; j < 4; j++) {
                        dx.set(E, dxAt + place[j], j == winner ? gv : 0f);
                    }
                }
            }
        }
    }

    /** dx: a quarter of each window's gradient to each of its four elements. */
    static void avgBackward(Pooling.Geometry g, MemorySegment grad, long gradAt, MemorySegment dx, long dxAt) {
        int c = g.c();
        int whole = c - c % L;
        long pixel = c * ES;
        long row = g.w() * pixel;
        long o = gradAt;
        for (int oy = 0; oy < g.oh(); oy++) {
            long top = dxAt + 2L * oy * row;
            for (int ox = 0; ox < g.ow(); ox++, o += pixel) {
                long a = top + 2L * ox * pixel;
                long b = a + row;
                for (int ch = 0; ch < whole; ch += L) {
                    long at = ch * ES;
                    FloatVector share = FloatVector.fromMemorySegment(S, grad, o + at, NATIVE).mul(0.25f);
                    share.intoMemorySegment(dx, a + at, NATIVE);
                    share.intoMemorySegment(dx, a + pixel + at, NATIVE);
                    share.intoMemorySegment(dx, b + at, NATIVE);
                    share.intoMemorySegment(dx, b + pixel + at, NATIVE);
                }
                for (int ch = whole; ch < c; ch++) {
                    long at = ch * ES;
                    float share = grad.get(E, o + at) * 0.25f;
                    dx.set(E, a + at, share);
                    dx.set(E, a + pixel + at, share);
                    dx.set(E, b + at, share);
                    dx.set(E, b + pixel + at, share);
                }
            }
        }
    }
}
