package dev.cotangent.nn.weights;

import dev.cotangent.autodiff.Differentiable;
import dev.cotangent.nn.ActivationDiscarding;
import dev.cotangent.nn.AvgPool2D;
import dev.cotangent.nn.BatchNorm;
import dev.cotangent.nn.Conv2D;
import dev.cotangent.nn.Dropout;
import dev.cotangent.nn.Flatten;
import dev.cotangent.nn.MaxPool2D;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Finds the object at a parameter path's prefix ({@code layers.0} of {@code layers.0.weight}) by walking the
 * model as the structure traversal names it: record components and named {@link Differentiable} parts by name,
 * list and array elements by index, map entries by key, and Kotlin or Scala properties through their getters.
 */
final class LayerPaths {
    private LayerPaths() {}

    /** The object at {@code path} in {@code root} ("" is the root), or null when the walk cannot follow it. */
    static @Nullable Object at(Object root, String path) {
        Object current = root;
        if (path.isEmpty()) {
            return current;
        }
        for (String name : path.split("\\.")) {
            current = child(current, name);
            if (current == null) {
                return null;
            }
        }
        return current;
    }

    /**
     * Whether the layer at {@code path} directly follows a {@link Flatten} (dropout aside) that directly follows
     * a convolution or pooling layer, among its siblings in declaration order: its input is then a flattened
     * feature map.
     */
    static boolean followsFlattenedFeatureMap(Object root, String path) {
        int dot = path.lastIndexOf('.');
        Object parent = at(root, dot < 0 ? "" : path.substring(0, dot));
        String name = path.substring(dot + 1);
        List<@Nullable Object> siblings = new ArrayList<>();
        int position = -1;
        if (parent instanceof List<?> list) {
            siblings.addAll(list);
            position = index(name);
        } else if (parent != null && parent.getClass().isRecord()) {
            RecordComponent[] components = parent.getClass().getRecordComponents();
            for (int i = 0; i < components.length; i++) {
                siblings.add(component(parent, components[i]));
                if (components[i].getName().equals(name)) {
                    position = i;
                }
            }
        }
        int i = position - 1;
        while (i >= 0 && i < siblings.size() && siblings.get(i) instanceof Dropout) {
            i--;
        }
        if (i < 0 || i >= siblings.size() || !(siblings.get(i) instanceof Flatten)) {
            return false;
        }
        i--;
        while (i >= 0 && (siblings.get(i) instanceof Dropout || siblings.get(i) instanceof BatchNorm)) {
            i--;
        }
        Object before = i < 0 ? null : unwrapped(siblings.get(i));
        return before instanceof Conv2D || before instanceof MaxPool2D || before instanceof AvgPool2D;
    }

    /** The layer inside an {@link ActivationDiscarding} wrapper. */
    private static @Nullable Object unwrapped(@Nullable Object layer) {
        return layer instanceof ActivationDiscarding<?> a ? a.wrapped() : layer;
    }

    private static @Nullable Object child(Object parent, String name) {
        if (parent instanceof Differentiable<?> d) {
            List<String> names = d.differentiablePartNames();
            int i = names.isEmpty() ? index(name) : names.indexOf(name);
            List<Object> parts = d.differentiableParts();
            return i >= 0 && i < parts.size() ? parts.get(i) : null;
        }
        if (parent.getClass().isRecord()) {
            for (RecordComponent c : parent.getClass().getRecordComponents()) {
                if (c.getName().equals(name)) {
                    return component(parent, c);
                }
            }
            return null;
        }
        if (parent instanceof List<?> list) {
            int i = index(name);
            return i >= 0 && i < list.size() ? list.get(i) : null;
        }
        if (parent instanceof Map<?, ?> map) {
            return map.get(name);
        }
        if (parent instanceof Object[] array) {
            int i = index(name);
            return i >= 0 && i < array.length ? array[i] : null;
        }
        return property(parent, name);
    }

    private static @Nullable Object component(Object record, RecordComponent c) {
        try {
            Method accessor = c.getAccessor();
            accessor.setAccessible(true);
            return accessor.invoke(record);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** A Kotlin ({@code getName()}) or Scala ({@code name()}) property. */
    private static @Nullable Object property(Object owner, String name) {
        String getter = "get" + name.substring(0, 1).toUpperCase(Locale.ROOT) + name.substring(1);
        for (String candidate : List.of(getter, name)) {
            try {
                Method m = owner.getClass().getMethod(candidate);
                m.setAccessible(true);
                return m.invoke(owner);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // try the next spelling
            }
        }
        return null;
    }

    private static int index(String name) {
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
