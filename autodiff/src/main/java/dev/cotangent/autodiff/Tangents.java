package dev.cotangent.autodiff;

import dev.cotangent.core.Checks;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Vector-space operations on tangents of any differentiable structure (a tensor, a record of tensors, a
 * model): zero, addition, scaling and {@code move(along:)}. A tangent has the structure of its value.
 */
public final class Tangents {
    private Tangents() {}

    /** The tensors of a differentiable value, in a fixed depth-first order. */
    public static List<Tensor> tensors(Object value) {
        return Structure.flatten("tensors", "value", value);
    }

    /**
     * The tensors of a differentiable value by path, in {@link #tensors} order: record components, data-class
     * properties, map keys and named {@link Differentiable} parts by name, list and array elements and unnamed parts
     * by index ({@code layers.0.weight}).
     */
    public static Map<String, Tensor> named(Object value) {
        return Structure.named(value);
    }

    /** A value of the structure of {@code template} built from {@code tensors} in {@link #tensors} order. */
    public static <T> T rebuild(T template, List<Tensor> tensors) {
        int expected = Structure.flatten("rebuild", "template", template).size();
        Checks.notNullElements(Checks.notNull(tensors, "rebuild", "tensors").toArray(new Tensor[0]), "rebuild",
                "tensors");
        if (tensors.size() != expected) {
            throw new IllegalArgumentException("rebuild: " + tensors.size() + " tensors for a structure of "
                    + expected + " (" + template.getClass().getSimpleName() + ")");
        }
        return Structure.rebuild(template, tensors.iterator());
    }

    /** The zero tangent of {@code value}. */
    public static <T> T zero(T value) {
        Structure.flatten("zero", "value", value);
        return Structure.map(value, Tensor::zerosLike);
    }

    /** {@code a + b}, component by component. */
    public static <T> T add(T a, T b) {
        return zip("add", a, b, Tensor::plus);
    }

    /** {@code factor * a}, component by component. */
    public static <T> T scale(T a, double factor) {
        Structure.flatten("scale", "a", a);
        return Structure.map(a, t -> t.times(factor));
    }

    /** {@code value} moved along {@code direction}: {@code value + direction}, as Swift's {@code move(along:)}. */
    public static <T> T move(T value, T direction) {
        return zip("move", value, direction, Tensor::plus);
    }

    private interface Combine {
        Tensor apply(Tensor a, Tensor b);
    }

    private static <T> T zip(String op, T a, T b, Combine f) {
        List<Tensor> ta = Structure.flatten(op, op.equals("move") ? "value" : "a", a);
        List<Tensor> tb = Structure.flatten(op, op.equals("move") ? "direction" : "b", b);
        if (ta.size() != tb.size()) {
            throw new IllegalArgumentException(op + ": structures differ (" + ta.size() + " vs " + tb.size()
                    + " tensors)");
        }
        List<Tensor> out = new ArrayList<>(ta.size());
        Iterator<Tensor> ib = tb.iterator();
        for (Tensor x : ta) {
            Tensor y = ib.next();
            if (!x.shape().equals(y.shape())) {
                throw new IllegalArgumentException(op + ": tensor " + out.size() + " has shape " + x.shape()
                        + " in the first structure and " + y.shape() + " in the second");
            }
            out.add(f.apply(x, y));
        }
        return Structure.rebuild(a, out.iterator());
    }
}
