package dev.cotangent.properties

import dev.cotangent.core.Conv2dParams
import dev.cotangent.core.Padding
import dev.cotangent.core.PoolParams
import dev.cotangent.core.Shape
import kotlin.random.Random

/**
 * Small NHWC convolution and pooling geometries: strides 1-2, VALID and SAME, dilations 1-2, windows 1-3, sizes
 * up to 7 (VALID inputs at least as large as the dilated window), channel counts on both sides of the float32
 * convolution's direct-kernel limit and of one vector, and Winograd-sized 3x3 and 5x5 layers.
 */
internal object WindowCases {
    data class Conv(val input: Shape, val filter: Shape, val output: Shape, val params: Conv2dParams)

    data class Pool(val input: Shape, val output: Shape, val params: PoolParams)

    fun conv(r: Random): Conv {
        // One case in six is a 3x3 stride-1 layer with 16 or more channels on each side, or a 5x5 one with 16 in
        // and 16 or 32 out: float32 runs all three of its products as Winograd F(2x2, 3x3) or F(2x2, 5x5)
        // products, which the float32 agreement then checks.
        if (r.nextInt(6) == 0) {
            val k = if (r.nextBoolean()) 3 else 5
            val p = Conv2dParams.of(1, r.padding())
            val (h, w) = r.spatial(k, 1, p.padding()) to r.spatial(k, 1, p.padding())
            val (n, c, o) = if (k == 3) Triple(r.nextInt(1, 3), r.nextInt(16, 25), r.nextInt(16, 41))
                else Triple(r.nextInt(1, 3), 16, 16 * r.nextInt(1, 3))
            val oh = Padding.window("conv2d", "height", p.padding(), h, k, 1, 1).outputSize()
            val ow = Padding.window("conv2d", "width", p.padding(), w, k, 1, 1).outputSize()
            return Conv(Shape.of(n, h, w, c), Shape.of(k, k, c, o), Shape.of(n, oh, ow, o), p)
        }
        val p = Conv2dParams(r.nextInt(1, 3), r.nextInt(1, 3), r.padding(), r.nextInt(1, 3), r.nextInt(1, 3))
        val (kh, kw) = r.nextInt(1, 4) to r.nextInt(1, 4)
        val h = r.spatial(kh, p.dilationH(), p.padding())
        val w = r.spatial(kw, p.dilationW(), p.padding())
        // Mostly tiny; one case in four has more input channels (float32 then leaves the direct kernels for
        // im2col), one in four more output channels than a vector holds (the direct kernels' wider tiles).
        val n = r.nextInt(1, 3)
        val c = if (r.nextInt(4) == 0) r.nextInt(5, 9) else r.nextInt(1, 4)
        val o = if (r.nextInt(4) == 0) r.nextInt(17, 40) else r.nextInt(1, 4)
        val oh = Padding.window("conv2d", "height", p.padding(), h, kh, p.strideH(), p.dilationH()).outputSize()
        val ow = Padding.window("conv2d", "width", p.padding(), w, kw, p.strideW(), p.dilationW()).outputSize()
        return Conv(Shape.of(n, h, w, c), Shape.of(kh, kw, c, o), Shape.of(n, oh, ow, o), p)
    }

    fun pool(r: Random): Pool {
        val p = PoolParams(r.nextInt(1, 4), r.nextInt(1, 4), r.nextInt(1, 3), r.nextInt(1, 3), r.padding())
        val h = r.spatial(p.poolH(), 1, p.padding())
        val w = r.spatial(p.poolW(), 1, p.padding())
        // One case in four has channels over more than one vector.
        val (n, c) = r.nextInt(1, 3) to (if (r.nextInt(4) == 0) r.nextInt(17, 24) else r.nextInt(1, 4))
        val oh = Padding.window("pool", "height", p.padding(), h, p.poolH(), p.strideH(), 1).outputSize()
        val ow = Padding.window("pool", "width", p.padding(), w, p.poolW(), p.strideW(), 1).outputSize()
        return Pool(Shape.of(n, h, w, c), Shape.of(n, oh, ow, c), p)
    }

    private fun Random.padding(): Padding = if (nextBoolean()) Padding.VALID else Padding.SAME

    /** An input size for a window of [taps] taps [dilation] apart: any size under SAME, no smaller than it under VALID. */
    private fun Random.spatial(taps: Int, dilation: Int, padding: Padding): Int {
        val least = if (padding == Padding.VALID) (taps - 1) * dilation + 1 else 1
        return nextInt(least, maxOf(least, 7) + 1)
    }
}
