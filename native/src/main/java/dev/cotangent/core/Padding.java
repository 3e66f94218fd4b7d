package dev.cotangent.core;

import java.util.function.Supplier;

/** How windowed ops (convolution, pooling) treat the borders, with TensorFlow's semantics. */
public enum Padding {
    /** No padding: windows lie wholly inside the input; output size {@code ceil((in - window + 1) / stride)}. */
    VALID,
    /**
     * Zero (or, for pooling, ignored) padding so that the output size is {@code ceil(in / stride)}; the total
     * padding {@code max((out - 1) * stride + window - in, 0)} is split with the smaller half before.
     */
    SAME;

    /**
     * Where the windows of one spatial axis fall: output size and padding before and after the input.
     *
     * @param outputSize number of window positions
     * @param padBefore  virtual elements before index 0 (the first window starts at {@code -padBefore})
     * @param padAfter   virtual elements after the last input element
     */
    public record Window(int outputSize, int padBefore, int padAfter) {}

    /**
     * The windows of one spatial axis of {@code inputSize} elements, for a window of {@code windowSize} taps
     * spaced {@code dilation} apart and moved by {@code stride}.
     *
     * @throws IllegalArgumentException naming {@code op} if, under VALID, the (dilated) window is larger than
     *     a non-empty input, if a size is out of range, or if the padded axis exceeds {@code 2^31 - 1}
     *     positions (so that no window position overflows an int)
     */
    public static Window window(String op, String axis, Padding padding, int inputSize, int windowSize, int stride,
            int dilation) {
        Checks.notNull(op, "Padding.window", "op");
        return window(() -> op, axis, padding, inputSize, windowSize, stride, dilation);
    }

    /**
     * As {@link #window(String, String, Padding, int, int, int, int)}, with the op's description made only for an
     * error: the kernels' geometry checks describe the op with its shapes, and building that string on every
     * call cost microseconds on small layers.
     */
    static Window window(Supplier<String> where, String axis, Padding padding, int inputSize,
            int windowSize, int stride, int dilation) {
        Checks.notNull(axis, "Padding.window", "axis");
        Checks.notNull(padding, "Padding.window", "padding");
        if (inputSize < 0 || windowSize < 1 || stride < 1 || dilation < 1) {
            String op = where.get();
            throw new IllegalArgumentException(op + ": " + axis + " input " + inputSize + ", window " + windowSize
                    + ", stride " + stride + ", dilation " + dilation
                    + "; expected input >= 0 and window, stride, dilation >= 1");
        }
        long extent = (long) (windowSize - 1) * dilation + 1;
        if (padding == VALID) {
            if (extent > inputSize) {
                if (inputSize == 0) {
                    return new Window(0, 0, 0);
                }
                throw new IllegalArgumentException(where.get() + ": the " + axis + " window spans " + extent
                        + " elements (" + windowSize + " taps, dilation " + dilation + ") but the input " + axis
                        + " is " + inputSize + " with VALID padding; expected a window no larger than the input"
                        + " (or SAME padding)");
            }
            checkSpan(where, axis, inputSize, 0, windowSize, stride, dilation);
            return new Window((int) ((inputSize - extent) / stride + 1), 0, 0);
        }
        int out = (int) (((long) inputSize + stride - 1) / stride);
        long total = Math.max((long) (out - 1) * stride + extent - inputSize, 0);
        if (out == 0) {
            total = 0;
        }
        checkSpan(where, axis, inputSize, total, windowSize, stride, dilation);
        int before = (int) (total / 2);
        return new Window(out, before, (int) (total - before));
    }

    // The kernels index window positions, which lie in the padded input, as ints.
    private static void checkSpan(Supplier<String> where, String axis, int inputSize,
            long padding, int windowSize, int stride, int dilation) {
        long span = inputSize + padding;
        if (span > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(where.get() + ": the padded " + axis + " axis (input " + inputSize
                    + ", padding " + padding + " for a window of " + windowSize + " taps, dilation " + dilation
                    + ", stride " + stride + ") spans " + span + " positions; expected at most " + Integer.MAX_VALUE);
        }
    }
}
