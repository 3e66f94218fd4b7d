package dev.cotangent.autodiff;

import java.lang.annotation.Annotation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A value class taken apart through named components and rebuilt through one constructor: Java records, Kotlin
 * data classes (primary-constructor properties, {@code componentN}) and Scala case classes ({@code Product}).
 *
 * <p>A component is not differentiated when {@link NoDerivative} sits on any place a language may put it: the
 * record component, its accessor or getter ({@code @get:}), its field ({@code @field:}), the constructor
 * parameter ({@code @param:}, Kotlin's and Scala's default) or Kotlin's synthetic property-annotation holder.
 */
final class ProductKind {
    final Class<?> type;
    final String[] names;
    final boolean[] differentiable;
    private final MethodHandle[] getters;
    private final MethodHandle constructor;
    private static final MethodType GETTER = MethodType.methodType(Object.class, Object.class);
    private static final MethodType CONSTRUCTOR = MethodType.methodType(Object.class, Object[].class);

    private ProductKind(Class<?> type, String[] names, Method[] getters, Constructor<?> ctor) {
        this.type = type;
        this.names = names;
        this.getters = new MethodHandle[getters.length];
        this.differentiable = new boolean[getters.length];
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            for (int i = 0; i < getters.length; i++) {
                getters[i].setAccessible(true);
                this.getters[i] = lookup.unreflect(getters[i]).asType(GETTER);
                differentiable[i] = !noDerivative(type, names[i], getters[i], ctor, i);
            }
            ctor.setAccessible(true);
            // Spread and erased once, so that each rebuild is an exact call, not invokeWithArguments' generic path
            // (which allocated on every rebuild, that is for every model and gradient of every step).
            this.constructor = lookup.unreflectConstructor(ctor).asSpreader(Object[].class, ctor.getParameterCount())
                    .asType(CONSTRUCTOR);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalArgumentException("differentiable structure " + type.getName() + ": its components or"
                    + " constructor are not accessible (" + e + "); make the class public or open its package", e);
        }
    }

    /** A Java record, by its components and canonical constructor. */
    static ProductKind ofRecord(Class<?> type) {
        RecordComponent[] components = type.getRecordComponents();
        String[] names = new String[components.length];
        Method[] getters = new Method[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            names[i] = components[i].getName();
            getters[i] = components[i].getAccessor();
            types[i] = components[i].getType();
        }
        try {
            return new ProductKind(type, names, getters, type.getDeclaredConstructor(types));
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("record " + type.getName() + " has no canonical constructor", e);
        }
    }

    /** Whether {@code type} is a Kotlin class (it carries {@code kotlin.Metadata}). */
    static boolean isKotlin(Class<?> type) {
        for (Annotation a : type.getDeclaredAnnotations()) {
            if (a.annotationType().getName().equals("kotlin.Metadata")) {
                return true;
            }
        }
        return false;
    }

    /** A Kotlin data class by {@code component1..N} and the primary constructor, or null if it is not one. */
    static @Nullable ProductKind ofKotlinDataClass(Class<?> type) {
        List<Method> components = new ArrayList<>();
        for (int i = 1; ; i++) {
            Method m = publicNoArg(type, "component" + i);
            if (m == null) {
                break;
            }
            components.add(m);
        }
        if (components.isEmpty()) {
            return null;
        }
        Class<?>[] types = components.stream().map(Method::getReturnType).toArray(Class<?>[]::new);
        Constructor<?> ctor;
        try {
            ctor = type.getDeclaredConstructor(types);
        } catch (NoSuchMethodException e) {
            return null;
        }
        // NOTE: the backing fields of primary-constructor properties come first, in order, in the class file;
        // their names are the property names (componentN itself carries none).
        String[] names = new String[types.length];
        List<Field> fields = instanceFields(type);
        for (int i = 0; i < names.length; i++) {
            names[i] = i < fields.size() && fields.get(i).getType() == types[i] ? fields.get(i).getName()
                    : "component" + (i + 1);
        }
        return new ProductKind(type, names, components.toArray(Method[]::new), ctor);
    }

    /** A Scala case class (a {@code scala.Product} with a constructor of its arity), or null. */
    static @Nullable ProductKind ofScalaProduct(Class<?> type) {
        if (!implementsByName(type, "scala.Product")) {
            return null;
        }
        // Case-class fields are the constructor's parameters, declared first and in order; Scala's
        // getters have the fields' names.
        List<Field> fields = instanceFields(type);
        for (Constructor<?> ctor : type.getDeclaredConstructors()) {
            Class<?>[] params = ctor.getParameterTypes();
            if (params.length == 0 || params.length > fields.size()) {
                continue;
            }
            Method[] getters = new Method[params.length];
            String[] names = new String[params.length];
            boolean ok = true;
            for (int i = 0; i < params.length && ok; i++) {
                Field f = fields.get(i);
                Method g = publicNoArg(type, f.getName());
                ok = f.getType() == params[i] && g != null && g.getReturnType() == params[i];
                getters[i] = g;
                names[i] = f.getName();
            }
            if (ok) {
                return new ProductKind(type, names, getters, ctor);
            }
        }
        return null;
    }

    Object get(Object value, int i) {
        try {
            return (Object) getters[i].invokeExact(value);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    Object construct(Object[] args) {
        try {
            return (Object) constructor.invokeExact(args);
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
        return new IllegalStateException("differentiable structure " + type.getName() + ": " + e, e);
    }

    private static boolean noDerivative(Class<?> type, String name, Method getter, Constructor<?> ctor, int index) {
        if (getter.isAnnotationPresent(NoDerivative.class)) {
            return true;
        }
        Annotation[][] params = ctor.getParameterAnnotations();
        // Inner classes and enums have synthetic leading parameters: align from the end.
        int p = index + params.length - ctor.getParameterCount();
        if (p >= 0 && p < params.length && Arrays.stream(params[p]).anyMatch(a -> a instanceof NoDerivative)) {
            return true;
        }
        if (type.isRecord()) {
            for (RecordComponent rc : type.getRecordComponents()) {
                if (rc.getName().equals(name) && rc.isAnnotationPresent(NoDerivative.class)) {
                    return true;
                }
            }
        }
        for (Field f : instanceFields(type)) {
            if (f.getName().equals(name) && f.isAnnotationPresent(NoDerivative.class)) {
                return true;
            }
        }
        String cap = name.isEmpty() ? name : Character.toUpperCase(name.charAt(0)) + name.substring(1);
        for (String holder : List.of("get" + cap + "$annotations", name + "$annotations", "get" + cap)) {
            for (Method m : type.getDeclaredMethods()) {
                if (m.getName().equals(holder) && m.isAnnotationPresent(NoDerivative.class)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static @Nullable Method publicNoArg(Class<?> type, String name) {
        try {
            Method m = type.getMethod(name);
            return Modifier.isStatic(m.getModifiers()) ? null : m;
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    static List<Field> instanceFields(Class<?> type) {
        List<Field> out = new ArrayList<>();
        for (Field f : type.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers()) && !f.isSynthetic()) {
                out.add(f);
            }
        }
        return out;
    }

    static boolean implementsByName(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                if (i.getName().equals(name) || implementsByName(i, name)) {
                    return true;
                }
            }
        }
        return false;
    }
}
