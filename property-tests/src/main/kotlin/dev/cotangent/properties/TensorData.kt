package dev.cotangent.properties

import dev.cotangent.autodiff.Tensor
import dev.cotangent.core.DType
import dev.cotangent.core.NdArray
import dev.cotangent.core.Shape

/** A tensor of [dtype] and [shape] holding [values] in row-major order (rank 0 included). */
internal fun tensorOf(values: DoubleArray, shape: Shape, dtype: DType): Tensor {
    require(values.size.toLong() == shape.size()) { "tensorOf: ${values.size} values for shape $shape" }
    // NOTE: NdArray.of without dimensions makes a vector, so rank 0 needs its own constructor.
    if (shape.rank() == 0) return Tensor.of(NdArray.scalar(dtype, values[0]))
    val array = NdArray.of(values, *shape.dims())
    return Tensor.of(if (dtype == DType.F64) array else array.toType(dtype))
}

/** The tensor's shape, dtype and (the first few of) its values, for failure messages. */
fun Tensor.summary(maxValues: Int = 12): String {
    val values = toDoubleArray()
    val shown = values.take(maxValues).joinToString(", ") { it.toString() }
    val more = if (values.size > maxValues) ", … (${values.size} values)" else ""
    return "${dtype()}${shape()} [$shown$more]"
}

/**
 * Where each axis of [to] lies in [from], when [to] is [from] with axes removed and sizes cut down (matching
 * from the right, as broadcasting does); null when it is not.
 */
internal fun embedding(from: Shape, to: Shape): IntArray? {
    val axes = IntArray(to.rank())
    var a = from.rank() - 1
    for (j in to.rank() - 1 downTo 0) {
        while (a >= 0 && from.dim(a) < to.dim(j)) a--
        if (a < 0) return null
        axes[j] = a--
    }
    return axes
}

/**
 * The block of [values] (of shape [from]) that a smaller shape [to] keeps: the leading elements of each kept
 * axis, index 0 of each removed one. Any sub-block of domain values is still in the domain (DISTINCT included).
 */
internal fun project(values: DoubleArray, from: Shape, to: Shape): DoubleArray? {
    val axes = embedding(from, to) ?: return null
    val strides = from.contiguousStrides()
    val index = IntArray(to.rank())
    return DoubleArray(Math.toIntExact(to.size())) {
        var offset = 0L
        for (j in axes.indices) offset += index[j] * strides[axes[j]]
        for (j in to.rank() - 1 downTo 0) {
            if (++index[j] < to.dim(j)) break
            index[j] = 0
        }
        values[offset.toInt()]
    }
}
