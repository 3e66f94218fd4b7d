package dev.cotangent.nn;

import dev.cotangent.autodiff.Tangents;
import dev.cotangent.autodiff.Tensor;
import dev.cotangent.core.NdArray;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Lines up a model's parameters with the gradient and the optimizer state for an in-place update, checking that
 * the gradient has the model's structure (paths, shapes, dtypes) and that the parameters may be written.
 */
final class ParameterSlots {
    private ParameterSlots() {}

    /** Per parameter: {parameter, gradient, state...}, all contiguous; the gradient may be a fresh copy. */
    static List<NdArray[]> of(String optimizer, Object model, Object gradient, List<?> states) {
        if (model.getClass() != gradient.getClass()) {
            throw new IllegalArgumentException(optimizer + ".update: gradient of type " + gradient.getClass().getName()
                    + " for a model of type " + model.getClass().getName() + "; expected a gradient of the model's"
                    + " structure (as Diff.gradient(model, ...) returns)");
        }
        Map<String, Tensor> params = Tangents.named(model);
        Map<String, Tensor> grads = Tangents.named(gradient);
        if (!params.keySet().equals(grads.keySet())) {
            throw new IllegalArgumentException(optimizer + ".update: gradient has parameters " + grads.keySet()
                    + "; expected the model's " + params.keySet());
        }
        List<Iterator<Tensor>> stateTensors = new ArrayList<>();
        for (Object s : states) {
            stateTensors.add(Tangents.tensors(s).iterator());
        }
        List<NdArray[]> out = new ArrayList<>(params.size());
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            String path = e.getKey();
            Tensor p = e.getValue();
            Tensor g = grads.get(path);
            if (!g.shape().equals(p.shape()) || g.dtype() != p.dtype()) {
                throw new IllegalArgumentException(optimizer + ".update: gradient of parameter '" + path + "' is "
                        + g.dtype() + g.shape() + "; expected " + p.dtype() + p.shape() + " like the parameter");
            }
            if (p.isTracked() || !p.value().isContiguous() || p.value().isReleased()) {
                throw new IllegalStateException(optimizer + ".update: parameter '" + path + "' " + p.dtype() + p.shape()
                        + " cannot be written in place (it is tracked by a running derivative, a strided view, or"
                        + " released)");
            }
            NdArray[] slot = new NdArray[2 + states.size()];
            slot[0] = p.value();
            slot[1] = g.value().isContiguous() ? g.value() : g.value().contiguous();
            for (int k = 0; k < states.size(); k++) {
                slot[2 + k] = stateTensors.get(k).next().value();
            }
            out.add(slot);
        }
        return out;
    }

    /** Zeros of the model's structure, for optimizer state; made where the model lives, they live as long. */
    static <M> M zeros(M model) {
        return Tangents.zero(model);
    }
}
