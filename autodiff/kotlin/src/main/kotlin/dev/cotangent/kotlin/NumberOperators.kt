/** Arithmetic with a number on the left, which only Kotlin extensions can give: `2f * x`, `1.0 - x`. */
package dev.cotangent.kotlin

import dev.cotangent.autodiff.Tensor

operator fun Float.times(x: Tensor): Tensor = x.times(this)
operator fun Double.times(x: Tensor): Tensor = x.times(this)
operator fun Int.times(x: Tensor): Tensor = x.times(this)

operator fun Float.plus(x: Tensor): Tensor = x.plus(this)
operator fun Double.plus(x: Tensor): Tensor = x.plus(this)
operator fun Int.plus(x: Tensor): Tensor = x.plus(this)

operator fun Float.minus(x: Tensor): Tensor = (-x).plus(this)
operator fun Double.minus(x: Tensor): Tensor = (-x).plus(this)
operator fun Int.minus(x: Tensor): Tensor = (-x).plus(this)

operator fun Float.div(x: Tensor): Tensor = x.pow(-1.0).times(this)
operator fun Double.div(x: Tensor): Tensor = x.pow(-1.0).times(this)
operator fun Int.div(x: Tensor): Tensor = x.pow(-1.0).times(this)
