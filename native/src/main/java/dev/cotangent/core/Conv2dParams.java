package dev.cotangent.core;

import java.util.Objects;

/**
 * How a 2-D convolution moves its filter: strides, padding and dilations (rows first, then columns).
 *
 * @param strideH   step between windows down the height, at least 1
 * @param strideW   step between windows across the width, at least 1
 * @param padding   VALID or SAME, as in TensorFlow
 * @param dilationH spacing of the filter taps down the height, at least 1
 * @param dilationW spacing of the filter taps across the width, at least 1
 */
public record Conv2dParams(int strideH, int strideW, Padding padding, int dilationH, int dilationW) {
    /** Validates every field. */
    public Conv2dParams {
        Objects.requireNonNull(padding, "Conv2dParams: padding is null; expected VALID or SAME");
        if (strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1) {
            throw new IllegalArgumentException("Conv2dParams: strides (" + strideH + ", " + strideW
                    + ") and dilations (" + dilationH + ", " + dilationW + "); expected all >= 1");
        }
    }

    /** The same stride along both axes and no dilation. */
    public static Conv2dParams of(int stride, Padding padding) {
        return new Conv2dParams(stride, stride, padding, 1, 1);
    }

    @Override
    public String toString() {
        return "strides (" + strideH + ", " + strideW + "), " + padding + ", dilations (" + dilationH + ", "
                + dilationW + ")";
    }
}
