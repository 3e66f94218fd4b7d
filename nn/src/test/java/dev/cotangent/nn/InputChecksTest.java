package dev.cotangent.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cotangent.autodiff.OpParams;
import dev.cotangent.autodiff.OpRegistry;
import dev.cotangent.autodiff.Tensor;
import dev.cotangent.core.Conv2dParams;
import dev.cotangent.core.DType;
import dev.cotangent.core.Padding;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Found by the fuzz property: the fused bias passes check the bias they add (a wrong one was read out of bounds, or
 * as the wrong dtype), batch normalization its scale and offset, and CUSTOM ops the kind of their parameters.
 */
class InputChecksTest {
    private static final Tensor X = Tensor.ones(DType.F32, 2, 2);
    private static final Tensor W = Tensor.ones(DType.F32, 2, 3);

    @Test
    void denseRejectsABiasOfTheWrongSizeRankOrDtype() {
        for (Tensor bias : List.of(Tensor.ones(DType.F32, 2), Tensor.ones(DType.F32, 0), Tensor.ones(DType.F32, 1, 3),
                Tensor.ones(DType.F64, 3))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DenseOps.affine(X, W, bias, true));
            assertEquals("denseRelu: bias " + bias.dtype() + bias.shape() + " does not fit the float32[2, 3] product it"
                    + " is added to; expected a float32[3] bias", e.getMessage());
        }
    }

    @Test
    void denseAddsTheBiasAlongTheLastAxis() {
        Tensor y = DenseOps.affine(X, W, Tensor.of(new float[] {1, -5, 3}, 3), true);
        assertArrayEquals(new float[] {3, 0, 5, 3, 0, 5}, y.toFloatArray());
    }

    @Test
    void conv2dBiasRejectsABiasOfTheWrongSize() {
        Tensor images = Tensor.ones(DType.F64, 1, 3, 3, 2);
        Tensor filter = Tensor.ones(DType.F64, 1, 1, 2, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConvOps.conv2dBias(images,
                filter, Tensor.ones(DType.F64, 0), Conv2dParams.of(1, Padding.SAME), false));
        assertEquals("conv2dBias: bias float64[0] does not fit the float64[9, 2] product it is added to; expected a"
                + " float64[2] bias", e.getMessage());
    }

    @Test
    void theRegisteredConvolutionRejectsParametersOfAnotherKind() {
        Tensor images = Tensor.ones(DType.F64, 1, 3, 3, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OpRegistry.get("conv2dBias")
                .apply(List.of(images, Tensor.ones(DType.F64, 1, 1, 2, 2), Tensor.ones(DType.F64, 2)), OpParams.NONE));
        assertEquals("conv2dBias: parameters None[] are a None; expected Conv, as its case generator draws",
                e.getMessage());
        IllegalArgumentException loss = assertThrows(IllegalArgumentException.class, () -> OpRegistry.get(
                "softmaxCrossEntropy").apply(List.of(Tensor.ones(DType.F64, 1, 3)), OpParams.NONE));
        assertEquals("softmaxCrossEntropy: parameters None[] are a None; expected Labels, as its case generator"
                + " draws", loss.getMessage());
    }

    @Test
    void batchNormRejectsScaleAndOffsetThatAreNotPerChannel() {
        Tensor x = Tensor.ones(DType.F32, 3, 1);
        OpParams eps = OpRegistry.get("batchNorm").cases().draw(new java.util.Random(1)).params();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OpRegistry.get("batchNorm")
                .apply(List.of(x, Tensor.ones(DType.F32, 4), Tensor.ones(DType.F32, 4)), eps));
        assertEquals("batchNorm: input float32[3, 1], scale float32[4], offset float32[4]; expected an input of rank"
                + " >= 2, [..., channels], and scale and offset [channels]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OpRegistry.get("batchNorm")
                .apply(List.of(Tensor.ones(DType.F32, 3), Tensor.ones(DType.F32, 3), Tensor.ones(DType.F32, 3)), eps));
        assertThrows(IllegalArgumentException.class, () -> OpRegistry.get("batchNorm").apply(List.of(x, x, x), OpParams.NONE));
    }
}
