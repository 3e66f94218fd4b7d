package dev.cotangent.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cotangent.core.Checks;
import dev.cotangent.core.Conv2dParams;
import dev.cotangent.core.DType;
import dev.cotangent.core.NdArray;
import dev.cotangent.core.Padding;
import dev.cotangent.core.PoolParams;
import dev.cotangent.core.Scope;
import dev.cotangent.core.Shape;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Every public method and constructor of the native and autodiff packages, called with null for each of its
 * reference parameters not marked {@code @Nullable}, throws a {@link NullPointerException} whose message names
 * the method and the parameter. Classes are found by scanning the packages, so a new method is checked without
 * editing this test.
 */
class NullArgumentsTest {
    private static final List<String> PACKAGES = List.of("dev.cotangent.core", "dev.cotangent.autodiff");

    /** Public types left out, and why. */
    private static final Map<Class<?>, String> EXCLUDED = Map.of(
            Checks.class, "writes these messages; its op and parameter arguments are literals at every call",
            Scope.class, "lifetimes belong to the memory work; keep(null) is left to it",
            Gradients2.class, "a result holder: a null inside is reported where it is used, naming the op",
            Gradients3.class, "a result holder (see Gradients2)",
            ValueWithPullback.class, "a result holder: the custom-derivative code reports a null value or pullback",
            ValueWithPullback2.class, "a result holder (see ValueWithPullback)",
            ValueWithGradient.class, "a result holder made by Diff only");

    private static final Map<Class<?>, Object> PRIMITIVES = Map.of(int.class, 1, long.class, 1L, double.class, 1.0,
            float.class, 1f, boolean.class, false);

    private Scope scope;

    @Test
    void everyReferenceParameterRejectsNullNamingTheMethodAndTheParameter() throws Exception {
        List<String> failures = new ArrayList<>();
        int checked = 0;
        try (Scope s = Scope.open()) {
            scope = s;
            for (Class<?> type : publicTypes()) {
                for (Executable e : publicExecutables(type)) {
                    for (int i = 0; i < e.getParameterCount(); i++) {
                        if (e.getParameterTypes()[i].isPrimitive()
                                || e.getAnnotatedParameterTypes()[i].isAnnotationPresent(Nullable.class)) {
                            continue;
                        }
                        checked++;
                        String problem = callWithNull(type, e, i);
                        if (problem != null) {
                            failures.add(type.getSimpleName() + "." + name(e) + "(" + e.getParameters()[i].getName()
                                    + " = null): " + problem);
                        }
                    }
                }
            }
        }
        assertTrue(checked > 250, "only " + checked + " parameters found; is the package scan broken?");
        assertEquals("", String.join("\n", failures), failures.size() + " of " + checked + " parameters");
    }

    private static String name(Executable e) {
        return e instanceof Constructor<?> ? "<init>" : e.getName();
    }

    /** Null for parameter {@code i}, samples for the rest; null when the outcome is right, else what went wrong. */
    private @Nullable String callWithNull(Class<?> type, Executable e, int i) throws ReflectiveOperationException {
        Object[] args = new Object[e.getParameterCount()];
        for (int j = 0; j < args.length; j++) {
            args[j] = j == i ? null : sample(e.getParameterTypes()[j], e.getGenericParameterTypes()[j]);
        }
        Throwable thrown;
        try {
            if (e instanceof Constructor<?> c) {
                c.newInstance(args);
            } else {
                Method m = (Method) e;
                m.invoke(Modifier.isStatic(m.getModifiers()) ? null : sample(type, type), args);
            }
            return "accepted null";
        } catch (InvocationTargetException ite) {
            thrown = ite.getCause();
        }
        String message = String.valueOf(thrown.getMessage());
        String param = e.getParameters()[i].getName();
        boolean namesOp = e instanceof Constructor<?> || e.getName().equals("of")
                ? message.contains(type.getSimpleName()) : message.contains(e.getName());
        if (!(thrown instanceof NullPointerException) || !namesOp || !message.contains(param)) {
            return thrown + " (expected a NullPointerException naming " + (namesOp ? "" : "the method and ") + "'"
                    + param + "')";
        }
        return null;
    }

    /** A valid value of {@code type}; interfaces become callbacks that must not be called. */
    private Object sample(Class<?> type, Type generic) {
        if (type.isPrimitive()) {
            return PRIMITIVES.get(type);
        } else if (type == NdArray.class) {
            return NdArray.of(new double[] {1, 2, 3, 4}, 2, 2);
        } else if (type == Tensor.class || type == Object.class) {
            return Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
        } else if (type == Shape.class) {
            return Shape.of(2, 2);
        } else if (type == String.class) {
            return "sample";
        } else if (type == Scope.class) {
            return scope;
        } else if (type == Conv2dParams.class) {
            return Conv2dParams.of(1, Padding.VALID);
        } else if (type == PoolParams.class) {
            return PoolParams.of(1, 1, Padding.VALID);
        } else if (type == OpParams.class) {
            return OpParams.NONE;
        } else if (type == OpRegistry.class) {
            return new OpRegistry();
        } else if (type == OpDefinition.class) {
            return OpRegistry.get("neg");
        } else if (type == GradientCheck.Options.class) {
            return GradientCheck.options();
        } else if (type.isEnum()) {
            return type.getEnumConstants()[0];
        } else if (type == List.class) {
            Type element = generic instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : Object.class;
            return List.of(sample(element instanceof Class<?> c ? c : Object.class, element));
        } else if (type.isArray()) {
            return sampleArray(type);
        } else if (type.isRecord()) {
            var components = type.getRecordComponents();
            Object[] values = new Object[components.length];
            Class<?>[] types = new Class<?>[components.length];
            for (int k = 0; k < components.length; k++) {
                types[k] = components[k].getType();
                values[k] = sample(types[k], components[k].getGenericType());
            }
            try {
                return type.getDeclaredConstructor(types).newInstance(values);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError("cannot make a sample " + type.getName(), e);
            }
        } else if (type.isInterface()) {
            return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, m, a) -> {
                if (m.getDeclaringClass() == Object.class) {
                    return m.getName().equals("equals") ? proxy == a[0] : m.getName().equals("hashCode") ? 0 : "callback";
                }
                throw new AssertionError("a sample callback was called: " + m);
            });
        }
        throw new AssertionError("no sample value for " + type.getName() + "; add one to this test");
    }

    private Object sampleArray(Class<?> type) {
        Class<?> c = type.getComponentType();
        if (c == int.class) {
            return new int[] {2, 2};
        } else if (c == long.class) {
            return new long[] {0, 0};
        } else if (c == float.class) {
            return new float[] {1, 2, 3, 4};
        } else if (c == double.class) {
            return new double[] {1, 2, 3, 4};
        } else if (c == float[].class) {
            return new float[][] {{1, 2}, {3, 4}};
        }
        Object array = java.lang.reflect.Array.newInstance(c, 1);
        java.lang.reflect.Array.set(array, 0, sample(c, c));
        return array;
    }

    /** Public methods and constructors declared by {@code type}, except those callers implement or the JDK makes. */
    private static List<Executable> publicExecutables(Class<?> type) {
        List<Executable> out = new ArrayList<>();
        if (!type.isInterface() && !Modifier.isAbstract(type.getModifiers())) {
            for (Constructor<?> c : type.getConstructors()) {
                out.add(c);
            }
        }
        for (Method m : type.getDeclaredMethods()) {
            int mod = m.getModifiers();
            boolean implementedByCallers = type.isInterface() && !Modifier.isStatic(mod);
            boolean jdk = m.getName().equals("equals") || (type.isEnum() && m.getName().equals("valueOf"));
            if (Modifier.isPublic(mod) && !m.isSynthetic() && !m.isBridge() && !implementedByCallers && !jdk) {
                out.add(m);
            }
        }
        return out;
    }

    /** The public top-level and nested types of {@link #PACKAGES}, found on the class path. */
    private static List<Class<?>> publicTypes() throws IOException, URISyntaxException, ClassNotFoundException {
        List<String> names = new ArrayList<>();
        ClassLoader loader = NullArgumentsTest.class.getClassLoader();
        for (String pkg : PACKAGES) {
            String dir = pkg.replace('.', '/');
            for (URL url : Collections.list(loader.getResources(dir))) {
                if (url.getProtocol().equals("jar")) {
                    var jar = ((JarURLConnection) url.openConnection()).getJarFile();
                    jar.stream().map(entry -> entry.getName())
                            .filter(n -> n.startsWith(dir + "/") && n.indexOf('/', dir.length() + 1) < 0)
                            .forEach(names::add);
                } else {
                    try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
                        files.map(f -> dir + "/" + f.getFileName()).forEach(names::add);
                    }
                }
            }
        }
        List<Class<?>> types = new ArrayList<>();
        for (String n : names) {
            if (!n.endsWith(".class") || n.endsWith("package-info.class")) {
                continue;
            }
            Class<?> c = Class.forName(n.substring(0, n.length() - 6).replace('/', '.'), false, loader);
            if (isPublicApi(c) && !c.isAnnotation() && !EXCLUDED.containsKey(c) && !types.contains(c)) {
                types.add(c);
            }
        }
        assertTrue(types.contains(NdArray.class) && types.contains(Diff.class), "scan found " + types);
        return types;
    }

    private static boolean isPublicApi(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            if (!Modifier.isPublic(k.getModifiers()) || k.isAnonymousClass() || k.isLocalClass() || k.isSynthetic()) {
                return false;
            }
        }
        return true;
    }
}
