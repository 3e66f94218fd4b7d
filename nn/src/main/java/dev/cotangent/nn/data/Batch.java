package dev.cotangent.nn.data;

import dev.cotangent.autodiff.Tensor;
import dev.cotangent.core.DType;
import dev.cotangent.core.NdArray;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One mini-batch: images as a float32 tensor [batch, height, width, channels] (NHWC), their class labels as
 * {@link dev.cotangent.nn.Losses#softmaxCrossEntropy(Tensor, int[])} takes them, and the samples' indices in the
 * data set.
 *
 * <p>The images belong to no scope (they may have been made on the prefetch thread): {@link #close()} returns
 * their memory to the pool at once, on any thread; a batch not closed is reclaimed when unreachable.
 */
public record Batch(Tensor images, int[] labels, int[] indices) implements AutoCloseable {
    /** The number of samples. */
    public int size() {
        return labels.length;
    }

    /** The labels as one-hot rows, float32 [batch, classes], allocated in the current scope. */
    public Tensor oneHotLabels(int classes) {
        NdArray out = NdArray.zeros(DType.F32, labels.length, classes);
        MemorySegment s = out.segment();
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] >= classes) {
                out.close();
                throw new IllegalArgumentException("Batch.oneHotLabels: label " + labels[i] + " of sample "
                        + indices[i] + " with " + classes + " classes; expected labels below " + classes);
            }
            s.setAtIndex(ValueLayout.JAVA_FLOAT, (long) i * classes + labels[i], 1f);
        }
        return Tensor.of(out);
    }

    /** Returns the images' memory to the pool; the images tensor throws when touched afterwards. */
    @Override
    public void close() {
        images.value().close();
    }
}
