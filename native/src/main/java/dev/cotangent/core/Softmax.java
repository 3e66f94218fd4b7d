package dev.cotangent.core;

import java.lang.foreign.MemorySegment;

/**
 * Softmax, log-softmax and log-sum-exp along one axis, made numerically stable by subtracting the maximum.
 *
 * <p>Each is composed of the vectorized elementwise and reduction kernels, updating its own intermediate
 * arrays in place so that it allocates the result, the per-row maxima and the per-row sums only.
 */
public final class Softmax {
    private Softmax() {}

    /** {@code exp(a - max) / sum(exp(a - max))} along {@code axis}. */
    public static NdArray softmax(NdArray a, int axis) {
        int ax = checkAxis("softmax", a, axis);
        if (a.shape().dim(ax) == 0) {
            return NdArray.allocate("softmax", a.dtype(), a.shape());
        }
        NdArray shift = shift(a, ax);
        NdArray out = Elementwise.binary("softmax", BinaryOp.SUB, a, shift);
        Elementwise.unaryInto(UnaryOp.EXP, out, out);
        NdArray total = Reductions.sum(out, true, ax);
        Elementwise.binaryInto(BinaryOp.DIV, out, total, out);
        shift.close();
        total.close();
        return out;
    }

    /** {@code a - max - log(sum(exp(a - max)))} along {@code axis}. */
    public static NdArray logSoftmax(NdArray a, int axis) {
        int ax = checkAxis("logSoftmax", a, axis);
        if (a.shape().dim(ax) == 0) {
            return NdArray.allocate("logSoftmax", a.dtype(), a.shape());
        }
        NdArray shift = shift(a, ax);
        NdArray out = Elementwise.binary("logSoftmax", BinaryOp.SUB, a, shift);
        NdArray e = Elementwise.unary("logSoftmax", UnaryOp.EXP, out);
        NdArray logTotal = Reductions.sum(e, true, ax);
        e.close();
        Elementwise.unaryInto(UnaryOp.LOG, logTotal, logTotal);
        Elementwise.binaryInto(BinaryOp.SUB, out, logTotal, out);
        shift.close();
        logTotal.close();
        return out;
    }

    /** {@code log(sum(exp(a)))} along {@code axis}, without overflow; -inf over an empty axis. */
    public static NdArray logSumExp(NdArray a, int axis, boolean keepDims) {
        int ax = checkAxis("logSumExp", a, axis);
        Shape reduced = a.shape().reduce(new int[] {ax}, keepDims);
        if (a.shape().dim(ax) == 0) {
            NdArray out = NdArray.allocate("logSumExp", a.dtype(), reduced);
            Layouts.fill(out, Double.NEGATIVE_INFINITY);
            return out;
        }
        NdArray shift = shift(a, ax);
        NdArray e = Elementwise.binary("logSumExp", BinaryOp.SUB, a, shift);
        Elementwise.unaryInto(UnaryOp.EXP, e, e);
        NdArray out = Reductions.sum(e, true, ax);
        e.close();
        Elementwise.unaryInto(UnaryOp.LOG, out, out);
        Elementwise.binaryInto(BinaryOp.ADD, out, shift, out);
        shift.close();
        return keepDims ? out : out.reshape(reduced.dims());
    }

    /** The normalized axis; also proves, before any work, that an intermediate of a's size can be allocated. */
    private static int checkAxis(String op, NdArray a, int axis) {
        Checks.notNull(a, op, "a").checkAlive();
        int ax = a.shape().normalizeAxis(op, axis);
        Allocation.bytes(op, a.dtype(), a.shape());
        return ax;
    }

    // The maximum along the axis (kept as size 1), with non-finite maxima replaced by 0.
    // NOTE: a row of -inf would otherwise compute -inf - (-inf) = NaN; with 0 it gives exp(-inf) = 0, so
    // logSumExp is -inf (softmax 0/0 = NaN, as in PyTorch). A +inf maximum likewise needs a finite shift.
    private static NdArray shift(NdArray a, int axis) {
        NdArray m = Reductions.max(a, true, axis);
        MemorySegment s = m.segment();
        for (long i = 0; i < m.size(); i++) {
            if (!Double.isFinite(Layouts.get(s, m.dtype(), i))) {
                Layouts.put(s, m.dtype(), i, 0);
            }
        }
        return m;
    }
}
