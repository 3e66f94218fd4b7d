package dev.cotangent.autodiff;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Flattens differentiable values to their tensors and rebuilds values of the same structure from new tensors.
 *
 * <p>Understood: {@link Tensor}; records (components by reflection, {@link NoDerivative} ones carried as they
 * are); {@link Differentiable} classes; {@link List}s and object arrays of those. Anything else is a
 * non-differentiable leaf carried unchanged.
 */
final class Structure {
    private Structure() {}

    /** The tensors of {@code value}, depth first. */
    static List<Tensor> flatten(Object value) {
        List<Tensor> out = new ArrayList<>();
        flattenInto(value, out);
        return out;
    }

    private static void flattenInto(Object value, List<Tensor> out) {
        switch (value) {
            case Tensor t -> out.add(t);
            case Differentiable<?> d -> {
                for (Object part : d.differentiableParts()) {
                    flattenInto(part, out);
                }
            }
            case Record r -> {
                RecordInfo info = RecordInfo.of(r.getClass());
                for (int i = 0; i < info.accessors.length; i++) {
                    if (info.differentiable[i]) {
                        flattenInto(info.get(r, i), out);
                    }
                }
            }
            case List<?> list -> {
                for (Object o : list) {
                    flattenInto(o, out);
                }
            }
            case Object[] array -> {
                for (Object o : array) {
                    flattenInto(o, out);
                }
            }
            default -> {}
        }
    }

    /**
     * The tensors of {@code value} in {@link #flatten} order, each under its path: record components by name,
     * list and array elements and unnamed {@link Differentiable} parts by index, joined with dots
     * ({@code layers.0.weight}). A lone tensor has the empty path.
     */
    static Map<String, Tensor> named(Object value) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        namedInto(value, "", out);
        return out;
    }

    private static void namedInto(Object value, String path, Map<String, Tensor> out) {
        switch (value) {
            case Tensor t -> out.put(path, t);
            case Differentiable<?> d -> {
                List<Object> parts = d.differentiableParts();
                List<String> names = d.differentiablePartNames();
                for (int i = 0; i < parts.size(); i++) {
                    namedInto(parts.get(i), join(path, i < names.size() ? names.get(i) : String.valueOf(i)), out);
                }
            }
            case Record r -> {
                RecordInfo info = RecordInfo.of(r.getClass());
                for (int i = 0; i < info.accessors.length; i++) {
                    if (info.differentiable[i]) {
                        namedInto(info.get(r, i), join(path, info.names[i]), out);
                    }
                }
            }
            case List<?> list -> {
                for (int i = 0; i < list.size(); i++) {
                    namedInto(list.get(i), join(path, String.valueOf(i)), out);
                }
            }
            case Object[] array -> {
                for (int i = 0; i < array.length; i++) {
                    namedInto(array[i], join(path, String.valueOf(i)), out);
                }
            }
            default -> {}
        }
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
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
                for (Object part : d.differentiableParts()) {
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
        final String[] names;
        final boolean[] differentiable;
        final MethodHandle constructor;
        final Class<?> type;

        private RecordInfo(Class<?> type) {
            this.type = type;
            RecordComponent[] components = type.getRecordComponents();
            accessors = new MethodHandle[components.length];
            names = new String[components.length];
            differentiable = new boolean[components.length];
            Class<?>[] types = new Class<?>[components.length];
            try {
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                for (int i = 0; i < components.length; i++) {
                    var accessor = components[i].getAccessor();
                    accessor.setAccessible(true);
                    accessors[i] = lookup.unreflect(accessor);
                    names[i] = components[i].getName();
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
