package dev.cotangent.autodiff;

/** How an op is called: the inputs it takes and the {@link OpParams} it needs, so tests can call any op. */
public enum Signature {
    /** One tensor of any shape; no parameters. */
    UNARY(OpParams.None.class),
    /** One tensor and a real constant ({@link OpParams.Scalar}). */
    UNARY_SCALAR(OpParams.Scalar.class),
    /** Two tensors whose shapes broadcast. */
    BINARY(OpParams.None.class),
    /** A condition and two tensors, broadcast together. */
    SELECT(OpParams.None.class),
    /** One tensor reduced over axes ({@link OpParams.Axes}). */
    REDUCTION(OpParams.Axes.class),
    /** One tensor and an axis ({@link OpParams.Axis}). */
    AXIS(OpParams.Axis.class),
    /** One tensor summed down to a shape it broadcasts from ({@link OpParams.Target}). */
    SUM_TO(OpParams.Target.class),
    /** One tensor broadcast to a larger shape ({@link OpParams.Target}). */
    BROADCAST_TO(OpParams.Target.class),
    /** One tensor with a new shape of the same size ({@link OpParams.Target}). */
    RESHAPE(OpParams.Target.class),
    /** One tensor with permuted axes ({@link OpParams.Permutation}). */
    TRANSPOSE(OpParams.Permutation.class),
    /** One tensor sliced along an axis ({@link OpParams.Slice}). */
    SLICE(OpParams.Slice.class),
    /** One tensor converted to another dtype ({@link OpParams.Cast}). */
    CAST(OpParams.Cast.class),
    /** Two tensors [..., m, k] and [..., k, n] (or transposed, {@link OpParams.Matmul}). */
    MATMUL(OpParams.Matmul.class),
    /** NHWC input and [kh, kw, c, o] filter ({@link OpParams.Conv}). */
    CONV2D(OpParams.Conv.class),
    /** Output gradient and filter, to the input's shape ({@link OpParams.Conv}). */
    CONV2D_BACKWARD_INPUT(OpParams.Conv.class),
    /** Input and output gradient, to the filter's shape ({@link OpParams.Conv}). */
    CONV2D_BACKWARD_FILTER(OpParams.Conv.class),
    /** NHWC input pooled ({@link OpParams.Pool}). */
    POOL2D(OpParams.Pool.class),
    /** Output gradient of average pooling, to the input's shape ({@link OpParams.Pool}). */
    POOL2D_BACKWARD(OpParams.Pool.class),
    /** Shapes and parameters drawn by the op's own {@link CaseGenerator} (ops defined outside this module). */
    CUSTOM(OpParams.class);

    private final Class<? extends OpParams> params;

    Signature(Class<? extends OpParams> params) {
        this.params = params;
    }

    /** The {@link OpParams} record an op of this signature takes ({@link OpParams.None} for none). */
    public Class<? extends OpParams> params() {
        return params;
    }
}
