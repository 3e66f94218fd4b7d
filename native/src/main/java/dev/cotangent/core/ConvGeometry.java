package dev.cotangent.core;

import java.util.function.Supplier;

/**
 * The checked sizes of one 2-D convolution: input [n, h, w, c], filter [kh, kw, c, f], output [n, oh, ow, f],
 * padding before each spatial axis, strides and dilations.
 */
record ConvGeometry(String op, Shape inputShape, Shape filterShape, Conv2dParams params,
        int n, int h, int w, int c, int kh, int kw, int f, int oh, int ow, int padTop, int padLeft) {

    /** Validates ranks, channels and windows, naming {@code op}, the shapes and the parameters on failure. */
    static ConvGeometry of(String op, Shape input, Shape filter, Conv2dParams p) {
        Checks.notNull(p, op, "p");
        if (input.rank() != 4) {
            throw new IllegalArgumentException(op + ": input " + input + " has rank " + input.rank()
                    + "; expected rank 4 [batch, height, width, channels] (NHWC)");
        }
        if (filter.rank() != 4) {
            throw new IllegalArgumentException(op + ": filter " + filter + " has rank " + filter.rank()
                    + "; expected rank 4 [height, width, inChannels, outChannels]");
        }
        if (input.dim(3) != filter.dim(2)) {
            throw new IllegalArgumentException(op + ": input " + input + " has " + input.dim(3)
                    + " channels but filter " + filter + " expects " + filter.dim(2)
                    + " (filter axis 2); expected equal input channels");
        }
        Supplier<String> where = () -> op + " (input " + input + ", filter " + filter + ", " + p + ")";
        Padding.Window rows = Padding.window(where, "height", p.padding(), input.dim(1), filter.dim(0),
                p.strideH(), p.dilationH());
        Padding.Window cols = Padding.window(where, "width", p.padding(), input.dim(2), filter.dim(1),
                p.strideW(), p.dilationW());
        // The kernels count output rows (image x row) and im2col columns (tap x channel) in ints, with room to
        // step one chunk past the end.
        long units = (long) input.dim(0) * rows.outputSize();
        long k = (long) filter.dim(0) * filter.dim(1) * filter.dim(2);
        if (units > MAX_COUNT || k > MAX_COUNT) {
            throw new IllegalArgumentException(where.get() + ": " + units + " output rows (batch x height) and " + k
                    + " filter taps x channels; expected at most " + MAX_COUNT + " of each");
        }
        return new ConvGeometry(op, input, filter, p, input.dim(0), input.dim(1), input.dim(2), input.dim(3),
                filter.dim(0), filter.dim(1), filter.dim(3), rows.outputSize(), cols.outputSize(), rows.padBefore(),
                cols.padBefore());
    }

    /** Most output rows, and most filter taps times channels, that one convolution takes: 2^30. */
    static final int MAX_COUNT = 1 << 30;

    /** Throws unless {@code grad} is the output shape [n, oh, ow, f]. */
    void checkGradOutput(Shape grad) {
        Shape expected = Shape.of(n, oh, ow, f);
        if (!grad.equals(expected)) {
            throw new IllegalArgumentException(op + ": gradOutput " + grad + " does not match the output of input "
                    + inputShape + " and filter " + filterShape + " with " + params + "; expected " + expected);
        }
    }

    /** Columns of the im2col matrix: one per filter tap and input channel. */
    int k() {
        return kh * kw * c;
    }

    /** Output-row units (one per image and output row); the im2col matrix has {@code ow} rows per unit. */
    int units() {
        return n * oh; // at most MAX_COUNT, checked in of()
    }

    int strideH() {
        return params.strideH();
    }

    int strideW() {
        return params.strideW();
    }

    int dilationH() {
        return params.dilationH();
    }

    int dilationW() {
        return params.dilationW();
    }

    /** Stride 1 and dilation 1 in both directions. */
    boolean unitSteps() {
        return strideH() == 1 && strideW() == 1 && dilationH() == 1 && dilationW() == 1;
    }

    /**
     * For {@link #unitSteps}: the input gradient as a forward convolution of the output gradient [n, oh, ow, f]
     * with the filter flipped in space and its channel axes swapped, [kh, kw, f, c], padded {@code kh - 1 -
     * padTop} above and {@code kw - 1 - padLeft} to the left; its output is [n, h, w, c]. (dx[iy] sums dy[oy]
     * over oy = iy + padTop - ky, which is iy - (kh - 1 - padTop) + (kh - 1 - ky).)
     */
    ConvGeometry adjoint() {
        if (!unitSteps()) {
            throw new IllegalStateException(op + ": internal error: adjoint geometry of a strided or dilated "
                    + params);
        }
        return new ConvGeometry(op, Shape.of(n, oh, ow, f), Shape.of(kh, kw, f, c), params, n, oh, ow, f, kh, kw, c, h,
                w, kh - 1 - padTop, kw - 1 - padLeft);
    }

    /** A 1x1 filter at stride 1 without padding: the input's rows already are the im2col matrix. */
    boolean pointwise() {
        return kh == 1 && kw == 1 && strideH() == 1 && strideW() == 1 && padTop == 0 && padLeft == 0;
    }
}
