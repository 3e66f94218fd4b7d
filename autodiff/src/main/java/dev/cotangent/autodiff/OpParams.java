package dev.cotangent.autodiff;

import dev.cotangent.core.Checks;
import dev.cotangent.core.Conv2dParams;
import dev.cotangent.core.DType;
import dev.cotangent.core.PoolParams;
import dev.cotangent.core.Shape;

/** The non-tensor arguments of an op, one record per {@link Signature} family. */
public sealed interface OpParams {
    /** No parameters. */
    record None() implements OpParams {}

    /** A real constant. */
    record Scalar(double value) implements OpParams {}

    /** Axes to reduce (empty: all) and whether to keep them as size 1. */
    record Axes(int[] axes, boolean keepDims) implements OpParams {
        public Axes {
            Checks.notNull(axes, "OpParams.Axes", "axes");
        }
    }

    /** One axis. */
    record Axis(int axis) implements OpParams {}

    /** A target shape. */
    record Target(Shape shape) implements OpParams {
        public Target {
            Checks.notNull(shape, "OpParams.Target", "shape");
        }
    }

    /** An axis permutation. */
    record Permutation(int[] perm) implements OpParams {
        public Permutation {
            Checks.notNull(perm, "OpParams.Permutation", "perm");
        }
    }

    /** A slice along one axis. */
    record Slice(int axis, int start, int end, int step) implements OpParams {}

    /** A target dtype. */
    record Cast(DType dtype) implements OpParams {
        public Cast {
            Checks.notNull(dtype, "OpParams.Cast", "dtype");
        }
    }

    /** Whether each matmul operand is transposed. */
    record Matmul(boolean transposeA, boolean transposeB) implements OpParams {}

    /** Convolution geometry, plus the shape produced by backward products. */
    record Conv(Conv2dParams params, Shape resultShape) implements OpParams {
        public Conv {
            Checks.notNull(params, "OpParams.Conv", "params");
            Checks.notNull(resultShape, "OpParams.Conv", "resultShape");
        }
    }

    /** Pooling geometry, plus the input shape for backward products. */
    record Pool(PoolParams params, Shape inputShape) implements OpParams {
        public Pool {
            Checks.notNull(params, "OpParams.Pool", "params");
            Checks.notNull(inputShape, "OpParams.Pool", "inputShape");
        }
    }

    /** Parameters of an op defined outside this module (of {@link Signature#CUSTOM} signature). */
    non-sealed interface Custom extends OpParams {}

    OpParams NONE = new None();
}
