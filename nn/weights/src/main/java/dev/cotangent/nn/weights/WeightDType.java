package dev.cotangent.nn.weights;

import dev.cotangent.core.DType;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The element types a safetensors header may name. Every one is understood well enough to check a file's
 * offsets; only F32 and F64 load into parameters, the others are reported as a dtype mismatch.
 */
public enum WeightDType {
    F64(8, DType.F64),
    F32(4, DType.F32),
    F16(2, null),
    BF16(2, null),
    F8_E4M3(1, null),
    F8_E5M2(1, null),
    I64(8, null),
    I32(4, null),
    I16(2, null),
    I8(1, null),
    U64(8, null),
    U32(4, null),
    U16(2, null),
    U8(1, null),
    BOOL(1, null);

    private final int byteSize;
    private final @Nullable DType dtype;

    WeightDType(int byteSize, @Nullable DType dtype) {
        this.byteSize = byteSize;
        this.dtype = dtype;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** The array dtype this loads into, or null when no Cotangent array has it. */
    public @Nullable DType dtype() {
        return dtype;
    }

    /** The header code of {@code dtype} ({@code F32} for float32). */
    public static WeightDType of(DType dtype) {
        return dtype == DType.F32 ? F32 : F64;
    }

    /** The dtype named {@code code} in a header, or null when the format has no such dtype. */
    static @Nullable WeightDType parse(String code) {
        for (WeightDType d : values()) {
            if (d.name().equals(code)) {
                return d;
            }
        }
        return null;
    }

    static String known() {
        return Arrays.stream(values()).map(d -> d.name().toUpperCase(Locale.ROOT)).collect(Collectors.joining(", "));
    }
}
