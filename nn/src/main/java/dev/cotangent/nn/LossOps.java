package dev.cotangent.nn;

import static dev.cotangent.autodiff.Domain.REAL;

import dev.cotangent.autodiff.CaseGenerator;
import dev.cotangent.autodiff.Diff;
import dev.cotangent.autodiff.ElementwiseOps;
import dev.cotangent.autodiff.OpDefinition;
import dev.cotangent.autodiff.OpParams;
import dev.cotangent.autodiff.OpRegistry;
import dev.cotangent.autodiff.Signature;
import dev.cotangent.autodiff.SoftmaxOps;
import dev.cotangent.autodiff.Tensor;
import dev.cotangent.core.Elementwise;
import dev.cotangent.core.NdArray;
import dev.cotangent.core.Reductions;
import dev.cotangent.core.Shape;
import dev.cotangent.core.Softmax;
import java.util.Arrays;
import java.util.List;

/** The fused loss primitives: softmax cross-entropy with integer labels, and sigmoid cross-entropy. */
final class LossOps {
    private LossOps() {}

    /** Integer class labels, one per row of the logits. */
    record Labels(int[] labels) implements OpParams.Custom {
        @Override
        public String toString() {
            return "labels " + Arrays.toString(labels);
        }
    }

    static void register(OpRegistry r) {
        r.add(new OpDefinition("softmaxCrossEntropy", Signature.CUSTOM, List.of(REAL), true,
                (in, p) -> softmaxCrossEntropy(in.get(0), NnOps.params("softmaxCrossEntropy", p, Labels.class).labels()), random -> {
                    int n = 1 + random.nextInt(6);
                    int c = 1 + random.nextInt(9);
                    return new CaseGenerator.Layout(List.of(Shape.of(n, c)),
                            new Labels(random.ints(n, 0, c).toArray()));
                }));
        r.add(new OpDefinition("sigmoidCrossEntropy", Signature.CUSTOM, List.of(REAL, REAL), true,
                (in, p) -> sigmoidCrossEntropy(in.get(0), in.get(1)), random -> {
                    Shape s = Shape.of(1 + random.nextInt(5), 1 + random.nextInt(9));
                    return new CaseGenerator.Layout(List.of(s, s), OpParams.NONE);
                }));
    }

    /** Mean over rows of -log softmax(logits)[label]: logits [batch, classes], one label per row. */
    static Tensor softmaxCrossEntropy(Tensor logits, int[] labels) {
        Shape s = logits.shape();
        if (s.rank() != 2 || s.dim(0) != labels.length || s.dim(1) == 0) {
            throw new IllegalArgumentException("softmaxCrossEntropy: logits " + logits.dtype() + s + " and "
                    + labels.length + " labels; expected logits [batch, classes] with one label per row");
        }
        int n = s.dim(0);
        int classes = s.dim(1);
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("softmaxCrossEntropy: label " + labels[i] + " at index " + i
                        + " is out of range for logits " + logits.dtype() + s + "; expected 0 <= label < " + classes);
            }
        }
        NdArray logProbabilities = Softmax.logSoftmax(logits.value(), 1);
        double total = 0;
        for (int i = 0; i < n; i++) {
            total -= logProbabilities.getDouble(i, labels[i]);
        }
        logProbabilities.close();
        NdArray loss = NdArray.scalar(logits.dtype(), total / n);
        return Tensor.record("softmaxCrossEntropy", loss, logits, (g, y, need) -> {
            if (g.isTracked() || (Diff.isRecording() && logits.isTracked())) { // differentiable, for second order
                Tensor oneHot = Tensor.of(oneHot(logits.dtype(), s, labels));
                return new Tensor[] {SoftmaxOps.softmax(logits, 1).minus(oneHot).times(g.div(n))};
            }
            NdArray dx = Softmax.softmax(logits.value(), 1);
            for (int i = 0; i < n; i++) {
                dx.setDouble(dx.getDouble(i, labels[i]) - 1, i, labels[i]);
            }
            Elementwise.scaleInPlace(dx, g.doubleValue() / n);
            return new Tensor[] {Tensor.of(dx)}; // dx = (softmax(x) - onehot(labels)) g / n
        });
    }

    private static NdArray oneHot(dev.cotangent.core.DType dtype, Shape s, int[] labels) {
        NdArray out = NdArray.zeros(dtype, s.dim(0), s.dim(1));
        for (int i = 0; i < labels.length; i++) {
            out.setDouble(1, i, labels[i]);
        }
        return out;
    }

    /** Mean of max(x, 0) - x z + log(1 + exp(-|x|)), the stable form of -z log σ(x) - (1 - z) log(1 - σ(x)). */
    static Tensor sigmoidCrossEntropy(Tensor logits, Tensor labels) {
        if (!logits.shape().equals(labels.shape()) || logits.dtype() != labels.dtype()) {
            throw new IllegalArgumentException("sigmoidCrossEntropy: logits " + logits.dtype() + logits.shape()
                    + " and labels " + labels.dtype() + labels.shape() + "; expected the same shape and dtype");
        }
        NdArray x = logits.value();
        NdArray z = labels.value();
        NdArray softplusNegAbs = Elementwise.log(Elementwise.add(Elementwise.exp(Elementwise.neg(Elementwise.abs(x))), 1));
        NdArray terms = Elementwise.add(Elementwise.sub(Elementwise.relu(x), Elementwise.mul(x, z)), softplusNegAbs);
        long n = Math.max(1, logits.size());
        return Tensor.record("sigmoidCrossEntropy", Reductions.mean(terms), logits, labels, (g, y, need) -> {
            Tensor scale = g.div(n);
            return new Tensor[] {
                need[0] ? ElementwiseOps.sigmoid(logits).minus(labels).times(scale) : null, // dx = (σ(x) - z) g / n
                need[1] ? logits.times(scale).unaryMinus() : null}; // dz = -x g / n
        });
    }
}
