package dev.cotangent.nn.weights;

import java.util.Arrays;

/**
 * One tensor of a safetensors file: its name, dtype, shape and byte range [begin, end) in the data section
 * (after the header), as the header's {@code data_offsets} give it.
 */
public record TensorEntry(String name, WeightDType dtype, long[] shape, long begin, long end) {
    public TensorEntry {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The number of elements, the product of the shape (1 for a scalar). */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** The shape and dtype as error messages write them, {@code F32[256, 784]}. */
    public String describe() {
        return dtype + Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorEntry e && e.name.equals(name) && e.dtype == dtype && Arrays.equals(e.shape, shape)
                && e.begin == begin && e.end == end;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + describe() + " @[" + begin + ", " + end + ")";
    }
}
