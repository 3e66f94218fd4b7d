package dev.cotangent.nn.weights;

import dev.cotangent.core.Shape;
import java.util.Arrays;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * How a file lays out a parameter's elements relative to the parameter's own row-major order: the parameter is
 * viewed with some dimensions, and the file stores that view with its axes permuted. PyTorch's layouts are
 * here: {@link #TRANSPOSED} for a Dense weight ([in, out] here, [out, in] in {@code nn.Linear}), {@link #OIHW}
 * for a convolution filter ([h, w, in, out] here, [out, in, h, w] in {@code nn.Conv2d}), and
 * {@link #flattenedNchw} for a Dense layer that follows a flattened feature map.
 */
public final class TensorLayout {
    /** Elements in the parameter's own order and shape. */
    public static final TensorLayout SAME = new TensorLayout("same", Shape::dims, null, false);

    /** A matrix stored transposed: [in, out] here is [out, in] in the file. */
    public static final TensorLayout TRANSPOSED = new TensorLayout("transposed [in, out] -> [out, in]",
            s -> rank("transposed", s, 2).dims(), new int[] {1, 0}, false);

    /** A filter [h, w, in, out] (HWIO) stored as [out, in, h, w] (OIHW). */
    public static final TensorLayout OIHW = new TensorLayout("HWIO -> OIHW", s -> rank("OIHW", s, 4).dims(),
            new int[] {3, 2, 0, 1}, false);

    private final String description;
    private final Function<Shape, int[]> view;
    private final int @Nullable [] permutation;
    private final boolean matrixInFile;

    /**
     * @param view         the parameter's shape seen as the dimensions the file permutes
     * @param permutation  file axis j holds view axis permutation[j]; null for the identity
     * @param matrixInFile whether the file's header gives the permuted view as a matrix [first axis, the rest]
     */
    private TensorLayout(String description, Function<Shape, int[]> view, int @Nullable [] permutation,
            boolean matrixInFile) {
        this.description = description;
        this.view = view;
        this.permutation = permutation;
        this.matrixInFile = matrixInFile;
    }

    /**
     * The weight [height · width · channels, out] of a Dense layer that follows {@code Flatten} of an NHWC
     * feature map [batch, height, width, channels], stored as PyTorch's {@code nn.Linear} after
     * {@code flatten(1)} of the NCHW map [batch, channels, height, width] sees it: [out, channels · height ·
     * width], its columns in channel-major order.
     */
    public static TensorLayout flattenedNchw(int height, int width, int channels) {
        if (height <= 0 || width <= 0 || channels <= 0) {
            throw new IllegalArgumentException("TensorLayout.flattenedNchw: height " + height + ", width " + width
                    + ", channels " + channels + "; expected positive sizes");
        }
        String name = "flattened NHWC [" + height + "x" + width + "x" + channels + ", out] -> [out, C*H*W]";
        return new TensorLayout(name, s -> {
            rank(name, s, 2);
            if ((long) height * width * channels != s.dim(0)) {
                throw new IllegalArgumentException(name + ": the weight has " + s.dim(0) + " inputs; expected "
                        + height + " * " + width + " * " + channels);
            }
            return new int[] {height, width, channels, s.dim(1)};
        }, new int[] {3, 2, 0, 1}, true);
    }

    /** The shape the file stores for a parameter of shape {@code parameter}. */
    public long[] fileShape(Shape parameter) {
        int[] v = view.apply(parameter);
        if (permutation == null) {
            return Arrays.stream(v).asLongStream().toArray();
        }
        long[] permuted = new long[v.length];
        for (int j = 0; j < v.length; j++) {
            permuted[j] = v[permutation[j]];
        }
        if (matrixInFile) {
            long rest = 1;
            for (int j = 1; j < permuted.length; j++) {
                rest *= permuted[j];
            }
            return new long[] {permuted[0], rest};
        }
        return permuted;
    }

    /** The view dimensions of a parameter of shape {@code parameter}. */
    int[] viewDims(Shape parameter) {
        return view.apply(parameter);
    }

    /** File axis j holds view axis {@code permutation()[j]}; null when the file keeps the parameter's order. */
    int @Nullable [] permutation() {
        return permutation == null ? null : permutation.clone();
    }

    private static Shape rank(String what, Shape s, int rank) {
        if (s.rank() != rank) {
            throw new IllegalArgumentException(what + ": a parameter of shape " + s + "; expected rank " + rank);
        }
        return s;
    }

    @Override
    public String toString() {
        return description;
    }
}
