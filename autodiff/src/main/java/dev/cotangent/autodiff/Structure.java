package dev.cotangent.autodiff;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Flattens differentiable values to their tensors and rebuilds values of the same structure from new tensors.
 *
 * <p>Understood: {@link Tensor}; records (components by reflection, {@link NoDerivative} ones carried as they
 * are); {@link Differentiable} classes; {@link List}s and object arrays of those. A {@link Map} is an error (it
 * would otherwise come back unchanged as its own "gradient"), and so is a null anywhere inside. Anything else
 * is a non-differentiable leaf carried unchanged.
 */
final class Structure {
    private Structure() {}

    /** The tensors of {@code value}, depth first. */
    static List<Tensor> flatten(Object value) {
        return flatten("flatten", "the value", value);
    }

    /**
     * The tensors of {@code value}, depth first; a null inside it is an error naming op {@code op}, the value
     * ({@code what}) and where the null sits.
     */
    static List<Tensor> flatten(String op, String what, @Nullable Object value) {
        List<Tensor> out = new ArrayList<>();
        if (!flattenInto(value, out)) {
            throw new NullPointerException(op + ": " + what + " is null" + (value == null ? "" : " at "
                    + pathToNull(value, "")) + "; expected a tensor or a differentiable structure of tensors");
        }
        return out;
    }

    /** Adds the tensors of {@code value} to {@code out}; false, at once, on a null. */
    private static boolean flattenInto(@Nullable Object value, List<Tensor> out) {
        switch (value) {
            case null -> {
                return false;
            }
            case Tensor t -> out.add(t);
            case Differentiable<?> d -> {
                for (Object part : parts(d)) {
                    if (!flattenInto(part, out)) {
                        return false;
                    }
                }
            }
            case Record r -> {
                RecordInfo info = RecordInfo.of(r.getClass());
                for (int i = 0; i < info.accessors.length; i++) {
                    if (info.differentiable[i] && !flattenInto(info.get(r, i), out)) {
                        return false;
                    }
                }
            }
            case List<?> list -> {
                for (Object o : list) {
                    if (!flattenInto(o, out)) {
                        return false;
                    }
                }
            }
            case Object[] array -> {
                for (Object o : array) {
                    if (!flattenInto(o, out)) {
                        return false;
                    }
                }
            }
            case Map<?, ?> m -> throw new IllegalArgumentException("differentiable structure: a " + m.getClass().getName()
                    + " is not traversed (maps are not differentiable structures); expected a Tensor, a record, a"
                    + " Differentiable, or a List or array of them");
            default -> {}
        }
        return true;
    }

    /** The differentiable parts of {@code d}, checked to be a list. */
    private static List<Object> parts(Differentiable<?> d) {
        List<Object> parts = d.differentiableParts();
        if (parts == null) {
            throw new NullPointerException(d.getClass().getName() + ".differentiableParts() returned null; expected"
                    + " a list of its differentiable parts");
        }
        return parts;
    }

    /** Where the first null inside {@code value} sits, e.g. {@code .layers[1].weight}; only called on failure. */
    private static @Nullable String pathToNull(@Nullable Object value, String path) {
        switch (value) {
            case null -> {
                return path.isEmpty() ? "the top" : path;
            }
            case Tensor t -> {
                return null;
            }
            case Differentiable<?> d -> {
                List<Object> parts = parts(d);
                for (int i = 0; i < parts.size(); i++) {
                    String found = pathToNull(parts.get(i), path + ".differentiableParts()[" + i + "]");
                    if (found != null) {
                        return found;
                    }
                }
            }
            case Record r -> {
                RecordInfo info = RecordInfo.of(r.getClass());
                RecordComponent[] components = r.getClass().getRecordComponents();
                for (int i = 0; i < info.accessors.length; i++) {
                    String found = info.differentiable[i]
                            ? pathToNull(info.get(r, i), path + "." + components[i].getName()) : null;
                    if (found != null) {
                        return found;
                    }
                }
            }
            case List<?> list -> {
                for (int i = 0; i < list.size(); i++) {
                    String found = pathToNull(list.get(i), path + "[" + i + "]");
                    if (found != null) {
                        return found;
                    }
                }
            }
            case Object[] array -> {
                for (int i = 0; i < array.length; i++) {
                    String found = pathToNull(array[i], path + "[" + i + "]");
                    if (found != null) {
                        return found;
                    }
                }
            }
            default -> {}
        }
        return null;
    }

    /** {@code template} rebuilt with tensors taken in order from {@code tensors}. */
    static <T> T rebuild(T template, Iterator<Tensor> tensors) {
        @SuppressWarnings("unchecked")
        T out = (T) rebuildAny(template, tensors);
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

    private static Object rebuildAny(Object value, Iterator<Tensor> tensors) {
        return switch (value) {
            case Tensor t -> tensors.next();
            case Differentiable<?> d -> {
                List<Object> parts = new ArrayList<>();
                for (Object part : parts(d)) {
                    parts.add(rebuildAny(part, tensors));
                }
                yield d.withDifferentiableParts(parts);
            }
            case Record r -> {
                RecordInfo info = RecordInfo.of(r.getClass());
                Object[] args = new Object[info.accessors.length];
                for (int i = 0; i < args.length; i++) {
                    Object component = info.get(r, i);
                    args[i] = info.differentiable[i] ? rebuildAny(component, tensors) : component;
                }
                yield info.construct(args);
            }
            case List<?> list -> {
                List<Object> out = new ArrayList<>(list.size());
                for (Object o : list) {
                    out.add(rebuildAny(o, tensors));
                }
                yield List.copyOf(out);
            }
            case Object[] array -> {
                Object[] out = (Object[]) Array.newInstance(array.getClass().getComponentType(), array.length);
                for (int i = 0; i < array.length; i++) {
                    out[i] = rebuildAny(array[i], tensors);
                }
                yield out;
            }
            default -> value;
        };
    }

    /** Reflective access to one record class, computed once. */
    private static final class RecordInfo {
        private static final ClassValue<RecordInfo> CACHE = new ClassValue<>() {
            @Override
            protected RecordInfo computeValue(Class<?> type) {
                return new RecordInfo(type);
            }
        };

        final MethodHandle[] accessors;
        final boolean[] differentiable;
        final MethodHandle constructor;
        final Class<?> type;

        private RecordInfo(Class<?> type) {
            this.type = type;
            RecordComponent[] components = type.getRecordComponents();
            accessors = new MethodHandle[components.length];
            differentiable = new boolean[components.length];
            Class<?>[] types = new Class<?>[components.length];
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                for (int i = 0; i < components.length; i++) {
                    var accessor = components[i].getAccessor();
                    accessor.setAccessible(true);
                    accessors[i] = lookup.unreflect(accessor);
                    differentiable[i] = !components[i].isAnnotationPresent(NoDerivative.class);
                    types[i] = components[i].getType();
                }
                Constructor<?> ctor = type.getDeclaredConstructor(types);
                ctor.setAccessible(true);
                constructor = lookup.unreflectConstructor(ctor);
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalArgumentException("differentiable record " + type.getName()
                        + ": its components or canonical constructor are not accessible (" + e + "); make the"
                        + " record public or open its package", e);
            }
        }

        static RecordInfo of(Class<?> type) {
            return CACHE.get(type);
        }

        Object get(Record r, int i) {
            try {
                return accessors[i].invoke(r);
            } catch (Throwable e) {
                throw rethrow(e);
            }
        }

        Object construct(Object[] args) {
            try {
                return constructor.invokeWithArguments(args);
            } catch (Throwable e) {
                throw rethrow(e);
            }
        }

        private RuntimeException rethrow(Throwable e) {
            if (e instanceof RuntimeException re) {
                return re;
            }
            if (e instanceof Error err) {
                throw err;
            }
            return new IllegalStateException("differentiable record " + type.getName() + ": " + e, e);
        }
    }
}
