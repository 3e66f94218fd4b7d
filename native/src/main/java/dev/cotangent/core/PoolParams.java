package dev.cotangent.core;

import java.util.Objects;

/**
 * The windows of a 2-D pooling: window size, strides and padding (rows first, then columns).
 *
 * @param poolH   window height, at least 1
 * @param poolW   window width, at least 1
 * @param strideH step between windows down the height, at least 1
 * @param strideW step between windows across the width, at least 1
 * @param padding VALID or SAME, as in TensorFlow (padded positions never count)
 */
public record PoolParams(int poolH, int poolW, int strideH, int strideW, Padding padding) {
    /** Validates every field. */
    public PoolParams {
        Objects.requireNonNull(padding, "PoolParams: padding is null; expected VALID or SAME");
        if (poolH < 1 || poolW < 1 || strideH < 1 || strideW < 1) {
            throw new IllegalArgumentException("PoolParams: window (" + poolH + ", " + poolW + ") and strides ("
                    + strideH + ", " + strideW + "); expected all >= 1");
        }
    }

    /** A square window of {@code size} moved by {@code stride} along both axes. */
    public static PoolParams of(int size, int stride, Padding padding) {
        return new PoolParams(size, size, stride, stride, padding);
    }

    @Override
    public String toString() {
        return "window (" + poolH + ", " + poolW + "), strides (" + strideH + ", " + strideW + "), " + padding;
    }
}
