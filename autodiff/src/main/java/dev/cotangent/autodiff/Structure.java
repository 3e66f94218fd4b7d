package dev.cotangent.autodiff;

import dev.cotangent.core.DType;
import dev.cotangent.core.NdArray;
import dev.cotangent.core.Shape;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Flattens differentiable values to their tensors, names them by path, and rebuilds values of the same
 * structure from new tensors.
 *
 * <p>Understood: {@link Tensor}; Java records, Kotlin data classes and Scala case classes (components by
 * reflection, {@link NoDerivative} ones carried as they are); {@link Differentiable} classes; {@link List}s,
 * object arrays and {@link Map}s with String keys of those. Values that hold no tensors (numbers, strings,
 * enums, functions, plain objects without tensor fields) are constants carried unchanged. Any other object
 * that holds tensors is an error naming its class: a tensor the library cannot rebuild must never silently
 * become a constant.
 */
final class Structure {
    private Structure() {}

    private enum Tag { TENSOR, DIFFERENTIABLE, PRODUCT, LIST, ARRAY, MAP, CONSTANT, OPAQUE }

    private record Kind(Tag tag, @Nullable ProductKind product) {}

    private static final ClassValue<Kind> KINDS = new ClassValue<>() {
        @Override
        protected Kind computeValue(Class<?> type) {
            return classify(type);
        }
    };

    // ---------------------------------------------------------------- flatten and name

    /** The tensors of {@code value}, depth first (map entries in key order). */
    static List<Tensor> flatten(@Nullable Object value) {
        return flatten("flatten", "the value", value);
    }

    private static List<Tensor> flattenOrNullFound(@Nullable Object value) {
        List<Tensor> out = new ArrayList<>();
        try {
            visit(value, null, out, null, false);
        } catch (IllegalArgumentException e) {
            namedOrNullFound(value); // the same error, now with the path of the offending part
            throw e;
        }
        return out;
    }

    /**
     * {@link #flatten(Object)} for op {@code op}'s parameter {@code what}: a null at the top or anywhere inside
     * is a {@link NullPointerException} naming the op, the parameter and the path to the null.
     */
    static List<Tensor> flatten(String op, String what, @Nullable Object value) {
        try {
            return flattenOrNullFound(value);
        } catch (NullFound e) {
            String where;
            try {
                namedOrNullFound(value);
                where = "";
            } catch (NullFound located) {
                where = located.path == null || located.path.isEmpty() ? "" : " at '" + located.path + "'";
            }
            throw new NullPointerException(op + ": " + what + " is null" + where + "; expected a tensor or a"
                    + " differentiable structure of tensors");
        }
    }

    /** A null met while flattening; {@code path} is known when paths were being tracked. */
    private static final class NullFound extends RuntimeException {
        final @Nullable String path;

        NullFound(@Nullable String path) {
            super(null, null, false, false);
            this.path = path;
        }
    }

    /** Every tensor in {@code value}, those under {@link NoDerivative} components included (for lifetimes). */
    static List<Tensor> allTensors(@Nullable Object value) {
        List<Tensor> out = new ArrayList<>();
        visit(value, null, out, null, true);
        return out;
    }

    /** Every tensor of {@code value} by its path ({@code layers.0.weight}), in {@link #flatten} order. */
    static Map<String, Tensor> named(@Nullable Object value) {
        flatten("named", "the value", value); // a null inside fails with its path
        return namedOrNullFound(value);
    }

    private static Map<String, Tensor> namedOrNullFound(@Nullable Object value) {
        List<Tensor> tensors = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        visit(value, "", tensors, paths, false);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < tensors.size(); i++) {
            out.put(paths.get(i), tensors.get(i));
        }
        return out;
    }

    /** Fails unless {@code value} is a tensor or a structure the library can rebuild (it may hold no tensors). */
    static void requireDifferentiable(String op, String parameter, @Nullable Object value) {
        if (value == null) {
            throw new IllegalArgumentException(op + ": " + parameter + " is null; expected a Tensor or a structure"
                    + " of tensors");
        }
        Tag tag = KINDS.get(value.getClass()).tag();
        if (tag == Tag.CONSTANT || tag == Tag.OPAQUE) {
            flatten(value); // an object holding tensors gets the more precise error
            throw new IllegalArgumentException(op + ": " + parameter + " is a " + value.getClass().getName()
                    + ", which holds no tensors; expected a Tensor or a structure of tensors (a record, Kotlin data"
                    + " class, Scala case class, List, Map with String keys, array, or Differentiable). Capture"
                    + " constants in the function instead of differentiating with respect to them");
        }
    }

    private static void visit(@Nullable Object value, @Nullable String path, List<Tensor> out,
                              @Nullable List<String> paths, boolean all) {
        if (value == null) {
            if (all) {
                return; // lifetimes only: a null constant under @NoDerivative holds nothing
            }
            throw new NullFound(path);
        }
        Kind kind = KINDS.get(value.getClass());
        switch (kind.tag()) {
            case TENSOR -> {
                out.add((Tensor) value);
                if (paths != null) {
                    paths.add(path);
                }
            }
            case DIFFERENTIABLE -> {
                Differentiable<?> d = (Differentiable<?>) value;
                List<Object> parts = parts(d);
                List<String> names = path == null ? List.of() : d.differentiablePartNames();
                for (int i = 0; i < parts.size(); i++) {
                    visit(parts.get(i), child(path, i < names.size() ? names.get(i) : i), out, paths, all);
                }
            }
            case PRODUCT -> {
                ProductKind p = kind.product();
                for (int i = 0; i < p.names.length; i++) {
                    if (p.differentiable[i] || all) {
                        visit(p.get(value, i), child(path, p.names[i]), out, paths, all);
                    }
                }
            }
            case LIST -> {
                List<?> list = (List<?>) value;
                for (int i = 0; i < list.size(); i++) {
                    visit(list.get(i), child(path, i), out, paths, all);
                }
            }
            case ARRAY -> {
                Object[] array = (Object[]) value;
                for (int i = 0; i < array.length; i++) {
                    visit(array[i], child(path, i), out, paths, all);
                }
            }
            case MAP -> {
                for (Map.Entry<String, ?> e : sortedEntries((Map<?, ?>) value, path)) {
                    visit(e.getValue(), child(path, e.getKey()), out, paths, all);
                }
            }
            case CONSTANT -> {}
            case OPAQUE -> rejectIfHoldsTensors(value, path, new IdentityHashMap<>(), 0);
        }
    }

    private static List<Object> parts(Differentiable<?> d) {
        List<Object> parts = d.differentiableParts();
        if (parts == null) {
            throw new NullPointerException(d.getClass().getName() + ".differentiableParts() returned null; expected"
                    + " a list of its differentiable parts");
        }
        return parts;
    }

    private static @Nullable String child(@Nullable String path, Object name) {
        if (path == null) {
            return null;
        }
        return path.isEmpty() ? String.valueOf(name) : path + "." + name;
    }

    private static List<Map.Entry<String, ?>> sortedEntries(Map<?, ?> map, @Nullable String path) {
        TreeMap<String, Object> sorted = new TreeMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new IllegalArgumentException("differentiable structure" + at(path) + ": a Map key is a "
                        + (e.getKey() == null ? "null" : e.getKey().getClass().getName())
                        + "; differentiable maps need String keys (they name the parameters)");
            }
            sorted.put(key, e.getValue());
        }
        return new ArrayList<>(sorted.entrySet());
    }

    private static String at(@Nullable String path) {
        return path == null || path.isEmpty() ? "" : " at '" + path + "'";
    }

    // ---------------------------------------------------------------- rebuild

    /** {@code template} rebuilt with tensors taken in order from {@code tensors}. */
    static <T> T rebuild(T template, Iterator<Tensor> tensors) {
        @SuppressWarnings("unchecked")
        T out = (T) rebuildAny(template, tensors, false);
        return out;
    }

    /**
     * A tangent of {@code template} from {@code tensors}: as {@link #rebuild}, except that tensors under
     * {@link NoDerivative} components become zeros, so that {@code p - lr * g} leaves them unchanged.
     */
    static <T> T rebuildTangent(T template, Iterator<Tensor> tensors) {
        @SuppressWarnings("unchecked")
        T out = (T) rebuildAny(template, tensors, true);
        return out;
    }

    /** {@code template} rebuilt with each tensor replaced by {@code f(tensor)}. */
    static <T> T map(T template, UnaryOperator<Tensor> f) {
        List<Tensor> flat = flatten(template);
        List<Tensor> mapped = new ArrayList<>(flat.size());
        for (Tensor t : flat) {
            mapped.add(f.apply(t));
        }
        return rebuild(template, mapped.iterator());
    }

    private static @Nullable Object rebuildAny(@Nullable Object value, Iterator<Tensor> tensors, boolean tangent) {
        if (value == null) {
            return null;
        }
        Kind kind = KINDS.get(value.getClass());
        return switch (kind.tag()) {
            case TENSOR -> tensors.next();
            case DIFFERENTIABLE -> rebuildDifferentiable((Differentiable<?>) value, tensors, tangent);
            case PRODUCT -> {
                ProductKind p = kind.product();
                Object[] args = new Object[p.names.length];
                for (int i = 0; i < args.length; i++) {
                    Object component = p.get(value, i);
                    args[i] = p.differentiable[i] ? rebuildAny(component, tensors, tangent)
                            : tangent ? zeroTensors(component) : component;
                }
                yield p.construct(args);
            }
            case LIST -> {
                List<?> list = (List<?>) value;
                List<Object> out = new ArrayList<>(list.size());
                for (Object o : list) {
                    out.add(rebuildAny(o, tensors, tangent));
                }
                yield Collections.unmodifiableList(out);
            }
            case ARRAY -> {
                Object[] array = (Object[]) value;
                Object[] out = (Object[]) Array.newInstance(array.getClass().getComponentType(), array.length);
                for (int i = 0; i < array.length; i++) {
                    out[i] = rebuildAny(array[i], tensors, tangent);
                }
                yield out;
            }
            case MAP -> {
                Map<String, Object> rebuilt = new TreeMap<>();
                for (Map.Entry<String, ?> e : sortedEntries((Map<?, ?>) value, null)) {
                    rebuilt.put(e.getKey(), rebuildAny(e.getValue(), tensors, tangent));
                }
                Map<String, Object> out = new LinkedHashMap<>(); // the template's own order
                for (Object key : ((Map<?, ?>) value).keySet()) {
                    out.put((String) key, rebuilt.get(key));
                }
                yield Collections.unmodifiableMap(out);
            }
            case CONSTANT, OPAQUE -> value;
        };
    }

    private static @Nullable Object zeroTensors(@Nullable Object component) {
        if (component == null) {
            return null;
        }
        Tag tag = KINDS.get(component.getClass()).tag();
        return tag == Tag.CONSTANT || tag == Tag.OPAQUE ? component : map(component, Tensor::zerosLike);
    }

    private static Object rebuildDifferentiable(Differentiable<?> d, Iterator<Tensor> tensors, boolean tangent) {
        List<Object> parts = new ArrayList<>();
        List<Tensor> given = new ArrayList<>();
        for (Object part : parts(d)) {
            Object rebuilt = rebuildAny(part, tensors, tangent);
            parts.add(rebuilt);
            given.addAll(flatten(rebuilt));
        }
        Object out = d.withDifferentiableParts(Collections.unmodifiableList(parts));
        String type = d.getClass().getName();
        if (out == null) {
            throw new IllegalStateException(type + ".withDifferentiableParts returned null");
        }
        List<Tensor> back = flatten(out);
        if (back.size() != given.size()) {
            throw new IllegalStateException(type + ".withDifferentiableParts built a value with " + back.size()
                    + " tensors from " + given.size() + "; it must use the parts it is given, in order");
        }
        for (int i = 0; i < back.size(); i++) {
            Shape s = back.get(i).shape();
            DType t = back.get(i).dtype();
            if (!s.equals(given.get(i).shape()) || t != given.get(i).dtype()) {
                throw new IllegalStateException(type + ".withDifferentiableParts put a " + given.get(i).dtype()
                        + given.get(i).shape() + " part where its differentiableParts() has a " + t + s
                        + " (tensor " + i + "); it must use the parts it is given, in order");
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- classification

    private static Kind classify(Class<?> type) {
        if (type == Tensor.class) {
            return new Kind(Tag.TENSOR, null);
        }
        if (Differentiable.class.isAssignableFrom(type)) {
            return new Kind(Tag.DIFFERENTIABLE, null);
        }
        if (type.isRecord()) {
            return new Kind(Tag.PRODUCT, ProductKind.ofRecord(type));
        }
        if (List.class.isAssignableFrom(type)) {
            return new Kind(Tag.LIST, null);
        }
        if (Map.class.isAssignableFrom(type)) {
            return new Kind(Tag.MAP, null);
        }
        if (type.isArray()) {
            return new Kind(type.getComponentType().isPrimitive() ? Tag.CONSTANT : Tag.ARRAY, null);
        }
        if (ProductKind.isKotlin(type)) {
            ProductKind p = ProductKind.ofKotlinDataClass(type);
            if (p != null) {
                return new Kind(Tag.PRODUCT, p);
            }
        }
        ProductKind scala = ProductKind.ofScalaProduct(type);
        if (scala != null) {
            return new Kind(Tag.PRODUCT, scala);
        }
        if (isConstantType(type)) {
            return new Kind(Tag.CONSTANT, null);
        }
        return new Kind(Tag.OPAQUE, null);
    }

    private static boolean isConstantType(Class<?> type) {
        if (type.isPrimitive() || type.isEnum() || type.isHidden() || type.isSynthetic()
                || Number.class.isAssignableFrom(type) || CharSequence.class.isAssignableFrom(type)
                || type == Boolean.class || type == Character.class || type == Class.class
                || type == DType.class || type == Shape.class || type == NdArray.class) {
            return true;
        }
        if (Collection.class.isAssignableFrom(type) || type == Optional.class) {
            return false; // a Set or an Optional of tensors must not pass silently
        }
        String name = type.getName();
        return name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.")
                || name.startsWith("sun.") || name.startsWith("kotlin.") || name.startsWith("scala.");
    }

    /** An object the library cannot rebuild is a constant only if no tensor hides in it. */
    private static void rejectIfHoldsTensors(Object value, @Nullable String path, IdentityHashMap<Object, Boolean> seen,
                                             int depth) {
        if (depth > 4 || seen.put(value, Boolean.TRUE) != null) {
            return;
        }
        String where = findTensor(value, seen, depth);
        if (where != null) {
            throw new IllegalArgumentException("differentiable structure" + at(path) + ": a "
                    + value.getClass().getName() + " holds tensors (" + where + ") but the library cannot rebuild"
                    + " it. Make it a record, a Kotlin data class or a Scala case class, implement"
                    + " dev.cotangent.autodiff.Differentiable, or mark the component that holds it @NoDerivative");
        }
    }

    private static @Nullable String findTensor(Object value, IdentityHashMap<Object, Boolean> seen, int depth) {
        Iterable<?> elements = null;
        if (value instanceof Collection<?> c) {
            elements = c;
        } else if (value instanceof Optional<?> o) {
            elements = o.stream().toList();
        }
        if (elements != null) {
            for (Object e : elements) {
                if (e != null && holdsTensor(e, seen, depth)) {
                    return "an element";
                }
            }
            return null;
        }
        for (Class<?> c = value.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (java.lang.reflect.Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()
                        || f.isAnnotationPresent(NoDerivative.class)) {
                    continue;
                }
                Object v;
                try {
                    f.setAccessible(true);
                    v = f.get(value);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    continue; // a field the library cannot read is not one it could differentiate either
                }
                if (v != null && holdsTensor(v, seen, depth)) {
                    return "field '" + f.getName() + "'";
                }
            }
        }
        return null;
    }

    private static boolean holdsTensor(Object v, IdentityHashMap<Object, Boolean> seen, int depth) {
        Tag tag = KINDS.get(v.getClass()).tag();
        return switch (tag) {
            case CONSTANT -> false;
            case OPAQUE -> depth < 4 && seen.put(v, Boolean.TRUE) == null && findTensor(v, seen, depth + 1) != null;
            default -> !flatten(v).isEmpty();
        };
    }
}
