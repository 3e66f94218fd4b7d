package dev.cotangent.core;

import java.lang.foreign.ValueLayout;

/** The element type of an array: 32- or 64-bit IEEE floating point. */
public enum DType {
    F32(ValueLayout.JAVA_FLOAT, "float32"),
    F64(ValueLayout.JAVA_DOUBLE, "float64");

    private final ValueLayout layout;
    private final String displayName;

    DType(ValueLayout layout, String displayName) {
        this.layout = layout;
        this.displayName = displayName;
    }

    /** Bytes per element. */
    public int byteSize() {
        return (int) layout.byteSize();
    }

    /** The memory layout of one element. */
    public ValueLayout layout() {
        return layout;
    }

    @Override
    public String toString() {
        return displayName;
    }

    /** The dtype both operands share; mixing float32 and float64 needs an explicit conversion. */
    public static DType common(String op, DType a, DType b) {
        Checks.notNull(op, "DType.common", "op");
        Checks.notNull(a, op + " (DType.common)", "a");
        Checks.notNull(b, op + " (DType.common)", "b");
        if (a != b) {
            throw new IllegalArgumentException(op + ": dtypes differ (" + a + " and " + b
                    + "); convert one operand with toType(...) first");
        }
        return a;
    }
}
