package dev.cotangent.nn;

import static dev.cotangent.autodiff.Domain.REAL;

import dev.cotangent.autodiff.CaseGenerator;
import dev.cotangent.autodiff.OpDefinition;
import dev.cotangent.autodiff.OpFamily;
import dev.cotangent.autodiff.OpParams;
import dev.cotangent.autodiff.OpRegistry;
import dev.cotangent.autodiff.Signature;
import dev.cotangent.core.Conv2dParams;
import dev.cotangent.core.Padding;
import dev.cotangent.core.Shape;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * nn's primitives (fused dense, convolution with bias, losses, batch norm) and its composed activations,
 * registered through {@link OpFamily} so that the property suite finds and checks them like the built-in ops.
 */
public final class NnOps implements OpFamily {
    /** Convolution geometry for the case generator. */
    record Conv(Conv2dParams params) implements OpParams.Custom {}

    @Override
    public void register(OpRegistry r) {
        for (boolean relu : new boolean[] {false, true}) {
            r.add(new OpDefinition(relu ? DenseOps.OP_RELU : DenseOps.OP, Signature.CUSTOM, List.of(REAL, REAL, REAL),
                    true, (in, p) -> DenseOps.affine(in.get(0), in.get(1), in.get(2), relu), NnOps::denseCase));
            r.add(new OpDefinition(relu ? ConvOps.OP_RELU : ConvOps.OP, Signature.CUSTOM, List.of(REAL, REAL, REAL),
                    true, (in, p) -> ConvOps.conv2dBias(in.get(0), in.get(1), in.get(2), convParams(relu, p), relu),
                    NnOps::convCase));
        }
        LossOps.register(r);
        BatchNormOps.register(r);
        r.add("leakyRelu", Signature.UNARY, List.of(dev.cotangent.autodiff.Domain.NONZERO),
                (in, p) -> Activations.leakyRelu(in.get(0)));
        r.add("gelu", Signature.UNARY, List.of(REAL), (in, p) -> Activations.gelu(in.get(0)));
        r.add("meanSquaredError", Signature.BINARY, List.of(REAL, REAL),
                (in, p) -> Losses.meanSquaredError(in.get(0), in.get(1)));
    }

    private static Conv2dParams convParams(boolean relu, OpParams p) {
        return params(relu ? ConvOps.OP_RELU : ConvOps.OP, p, Conv.class).params();
    }

    /**
     * {@code p} as the {@code type} that the CUSTOM op {@code op} takes: such ops receive any OpParams, and
     * another kind is a caller's error, not a ClassCastException.
     */
    static <T extends OpParams.Custom> T params(String op, OpParams p, Class<T> type) {
        if (type.isInstance(p)) {
            return type.cast(p);
        }
        throw new IllegalArgumentException(op + ": parameters " + p + " are a " + p.getClass().getSimpleName()
                + "; expected " + type.getSimpleName() + ", as its case generator draws");
    }

    private static CaseGenerator.Layout denseCase(RandomGenerator random) {
        int n = 1 + random.nextInt(5);
        int in = 1 + random.nextInt(9);
        int out = 1 + random.nextInt(9);
        return new CaseGenerator.Layout(List.of(Shape.of(n, in), Shape.of(in, out), Shape.of(out)), OpParams.NONE);
    }

    private static CaseGenerator.Layout convCase(RandomGenerator random) {
        int kh = 1 + random.nextInt(3);
        int kw = 1 + random.nextInt(3);
        int dilation = 1 + random.nextInt(2);
        Padding padding = random.nextBoolean() ? Padding.VALID : Padding.SAME;
        int h = (kh - 1) * dilation + 1 + random.nextInt(4);
        int w = (kw - 1) * dilation + 1 + random.nextInt(4);
        int c = 1 + random.nextInt(3);
        int o = 1 + random.nextInt(3);
        var params = new Conv2dParams(1 + random.nextInt(2), 1 + random.nextInt(2), padding, dilation, dilation);
        return new CaseGenerator.Layout(List.of(Shape.of(1 + random.nextInt(2), h, w, c), Shape.of(kh, kw, c, o),
                Shape.of(o)), new Conv(params));
    }
}
