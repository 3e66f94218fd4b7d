package dev.cotangent.autodiff;

/** How an op is called: the inputs it takes and the {@link OpParams} it needs, so tests can call any op. */
public enum Signature {
    /** One tensor of any shape; no parameters. */
    UNARY,
    /** One tensor and a real constant ({@link OpParams.Scalar}). */
    UNARY_SCALAR,
    /** Two tensors whose shapes broadcast. */
    BINARY,
    /** A condition and two tensors, broadcast together. */
    SELECT,
    /** One tensor reduced over axes ({@link OpParams.Axes}). */
    REDUCTION,
    /** One tensor and an axis ({@link OpParams.Axis}). */
    AXIS,
    /** One tensor summed down to a shape it broadcasts from ({@link OpParams.Target}). */
    SUM_TO,
    /** One tensor broadcast to a larger shape ({@link OpParams.Target}). */
    BROADCAST_TO,
    /** One tensor with a new shape of the same size ({@link OpParams.Target}). */
    RESHAPE,
    /** One tensor with permuted axes ({@link OpParams.Permutation}). */
    TRANSPOSE,
    /** One tensor sliced along an axis ({@link OpParams.Slice}). */
    SLICE,
    /** One tensor converted to another dtype ({@link OpParams.Cast}). */
    CAST,
    /** Two tensors [..., m, k] and [..., k, n] (or transposed, {@link OpParams.Matmul}). */
    MATMUL,
    /** NHWC input and [kh, kw, c, o] filter ({@link OpParams.Conv}). */
    CONV2D,
    /** Output gradient and filter, to the input's shape ({@link OpParams.Conv}). */
    CONV2D_BACKWARD_INPUT,
    /** Input and output gradient, to the filter's shape ({@link OpParams.Conv}). */
    CONV2D_BACKWARD_FILTER,
    /** NHWC input pooled ({@link OpParams.Pool}). */
    POOL2D,
    /** Output gradient of average pooling, to the input's shape ({@link OpParams.Pool}). */
    POOL2D_BACKWARD,
    /** Shapes and parameters drawn by the op's own {@link CaseGenerator} (ops defined outside this module). */
    CUSTOM
}
