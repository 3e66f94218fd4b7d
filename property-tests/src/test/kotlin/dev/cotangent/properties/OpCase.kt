package dev.cotangent.properties

import dev.cotangent.autodiff.Domain
import dev.cotangent.autodiff.OpDefinition
import dev.cotangent.autodiff.OpParams
import dev.cotangent.autodiff.Tensor
import dev.cotangent.core.DType

/**
 * One call of a registered op: float64 inputs drawn from its domains, and its parameters.
 *
 * @property paramsFloat32 the parameters for the same call on float32 inputs (a cast goes the other way)
 * @property epsilon the finite-difference step; only a cast through float32 needs a large one, which is exact
 *     because the op is linear
 */
internal data class OpCase(
    val op: OpDefinition,
    val inputs: List<Tensor>,
    val params: OpParams,
    val paramsFloat32: OpParams = params,
    val epsilon: Double = 1e-6,
) {
    /** Which inputs are differentiated: all but CONDITION ones, which are held fixed. */
    val differentiable: List<Int> = op.domains().indices.filter { op.domains()[it] != Domain.CONDITION }

    /** The inputs that are differentiated. */
    val variables: List<Tensor> get() = differentiable.map { inputs[it] }

    /** The op as a function of its differentiable inputs, the others taken from [fixed]. */
    fun call(variables: List<Tensor>, fixed: List<Tensor> = inputs, params: OpParams = this.params): Tensor {
        val all = fixed.toMutableList()
        differentiable.forEachIndexed { k, i -> all[i] = variables[k] }
        return op.apply(all, params)
    }

    /** [call] with the result in float64, as GradientCheck needs. */
    fun callFloat64(variables: List<Tensor>): Tensor = call(variables).let { if (it.dtype() == DType.F64) it else it.toType(DType.F64) }

    /** The same case in float32. */
    fun float32(): OpCase = copy(inputs = inputs.map { it.toType(DType.F32) }, params = paramsFloat32)

    override fun toString(): String = "${op.name()}(${inputs.joinToString { it.summary(maxValues = 4) }}${describe(params)})"

    private fun describe(p: OpParams): String = when (p) {
        is OpParams.None -> ""
        is OpParams.Scalar -> ", ${p.value()}"
        is OpParams.Axes -> ", axes ${p.axes().contentToString()}, keepDims ${p.keepDims()}"
        is OpParams.Axis -> ", axis ${p.axis()}"
        is OpParams.Target -> ", to ${p.shape()}"
        is OpParams.Permutation -> ", perm ${p.perm().contentToString()}"
        is OpParams.Slice -> ", axis ${p.axis()} [${p.start()}:${p.end()}:${p.step()}]"
        is OpParams.Cast -> ", to ${p.dtype()}"
        is OpParams.Matmul -> ", transposeA ${p.transposeA()}, transposeB ${p.transposeB()}"
        is OpParams.Conv -> ", ${p.params()}, result ${p.resultShape()}"
        is OpParams.Pool -> ", ${p.params()}, input ${p.inputShape()}"
        is OpParams.Custom -> ", $p"
    }
}
