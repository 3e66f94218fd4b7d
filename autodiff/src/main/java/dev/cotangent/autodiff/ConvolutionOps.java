package dev.cotangent.autodiff;

import static dev.cotangent.autodiff.Domain.DISTINCT;
import static dev.cotangent.autodiff.Domain.REAL;
import static dev.cotangent.autodiff.Tensor.input;

import dev.cotangent.core.Conv2dParams;
import dev.cotangent.core.Convolution;
import dev.cotangent.core.PoolParams;
import dev.cotangent.core.Pooling;
import dev.cotangent.core.Shape;
import java.util.List;

/**
 * Convolution and pooling in NHWC. Convolution and its two backward products are each other's adjoints, so
 * all three are differentiable to any order; average pooling likewise. Max pooling's pullback routes the
 * cotangent to the window maxima and is first-order only.
 */
public final class ConvolutionOps {
    private ConvolutionOps() {}

    static void register(OpRegistry r) {
        r.add("conv2d", Signature.CONV2D, List.of(REAL, REAL),
                (in, p) -> conv2d(in.get(0), in.get(1), ((OpParams.Conv) p).params()));
        r.add("conv2dBackwardInput", Signature.CONV2D_BACKWARD_INPUT, List.of(REAL, REAL), (in, p) -> {
            OpParams.Conv c = (OpParams.Conv) p;
            return conv2dBackwardInput(in.get(0), in.get(1), c.resultShape(), c.params());
        });
        r.add("conv2dBackwardFilter", Signature.CONV2D_BACKWARD_FILTER, List.of(REAL, REAL), (in, p) -> {
            OpParams.Conv c = (OpParams.Conv) p;
            return conv2dBackwardFilter(in.get(0), in.get(1), c.resultShape(), c.params());
        });
        r.add("avgPool2d", Signature.POOL2D, List.of(REAL),
                (in, p) -> avgPool2d(in.get(0), ((OpParams.Pool) p).params()));
        r.add("avgPool2dBackward", Signature.POOL2D_BACKWARD, List.of(REAL), (in, p) -> {
            OpParams.Pool pp = (OpParams.Pool) p;
            return avgPool2dBackward(in.get(0), pp.inputShape(), pp.params());
        });
        r.addFirstOrderOnly("maxPool2d", Signature.POOL2D, List.of(DISTINCT),
                (in, p) -> maxPool2d(in.get(0), ((OpParams.Pool) p).params()));
    }

    /** Convolution of NHWC {@code input} with filter [kh, kw, cIn, cOut]. */
    public static Tensor conv2d(Tensor input, Tensor filter, Conv2dParams p) {
        var out = Convolution.conv2d(input(input, "conv2d", "input"), input(filter, "conv2d", "filter"), p);
        return Tensor.record("conv2d", out, input, filter, (g, y, need) -> new Tensor[] {
            need[0] ? conv2dBackwardInput(g, filter, input.shape(), p) : null, // dx = convᵀ(g, w)
            need[1] ? conv2dBackwardFilter(input, g, filter.shape(), p) : null}); // dw = corr(x, g)
    }

    /** The input-gradient product of conv2d: linear in both arguments. */
    public static Tensor conv2dBackwardInput(Tensor gradOutput, Tensor filter, Shape inputShape, Conv2dParams p) {
        var out = Convolution.conv2dBackwardInput(input(gradOutput, "conv2dBackwardInput", "gradOutput"),
                input(filter, "conv2dBackwardInput", "filter"), inputShape, p);
        return Tensor.record("conv2dBackwardInput", out, gradOutput, filter, (g, y, need) -> new Tensor[] {
            need[0] ? conv2d(g, filter, p) : null, // d(gradOutput) = conv(g, w)
            need[1] ? conv2dBackwardFilter(g, gradOutput, filter.shape(), p) : null}); // dw = corr(g, gradOutput)
    }

    /** The filter-gradient product of conv2d: linear in both arguments. */
    public static Tensor conv2dBackwardFilter(Tensor input, Tensor gradOutput, Shape filterShape, Conv2dParams p) {
        var out = Convolution.conv2dBackwardFilter(input(input, "conv2dBackwardFilter", "input"),
                input(gradOutput, "conv2dBackwardFilter", "gradOutput"), filterShape, p);
        return Tensor.record("conv2dBackwardFilter", out, input, gradOutput, (g, y, need) -> new Tensor[] {
            need[0] ? conv2dBackwardInput(gradOutput, g, input.shape(), p) : null, // dx = convᵀ(gradOutput, g)
            need[1] ? conv2d(input, g, p) : null}); // d(gradOutput) = conv(x, g)
    }

    /** Average pooling; with SAME padding each window averages its valid elements only. */
    public static Tensor avgPool2d(Tensor input, PoolParams p) {
        var out = Pooling.avgPool2d(input(input, "avgPool2d", "input"), p);
        return Tensor.record("avgPool2d", out, input,
                (g, y, need) -> new Tensor[] {avgPool2dBackward(g, input.shape(), p)}); // dx = g spread over windows
    }

    /** The adjoint of average pooling. */
    public static Tensor avgPool2dBackward(Tensor gradOutput, Shape inputShape, PoolParams p) {
        var out = Pooling.avgPool2dBackward(input(gradOutput, "avgPool2dBackward", "gradOutput"), inputShape, p);
        return Tensor.record("avgPool2dBackward", out, gradOutput,
                (g, y, need) -> new Tensor[] {avgPool2d(g, p)}); // d(gradOutput) = avgPool(g)
    }

    /** Max pooling; the derivative goes to the first maximum of each window. */
    public static Tensor maxPool2d(Tensor input, PoolParams p) {
        var out = Pooling.maxPool2d(input(input, "maxPool2d", "input"), p);
        return Tensor.record("maxPool2d", out, input, (g, y, need) -> {
            if (g.isTracked()) {
                throw new UnsupportedOperationException("maxPool2d: second derivatives through max pooling are not"
                        + " supported (its pullback is first-order only)");
            }
            return new Tensor[] {Tensor.of(Pooling.maxPool2dBackward(input.value(), g.value(), p))}; // dx = g at argmax
        });
    }
}
