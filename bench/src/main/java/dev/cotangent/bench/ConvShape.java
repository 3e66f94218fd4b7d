package dev.cotangent.bench;

import dev.cotangent.core.Conv2dParams;
import dev.cotangent.core.Padding;
import dev.cotangent.core.Shape;

/**
 * The convolution layers the conv2d group measures (NHWC input, [KH, KW, C_in, C_out] filter, stride 1); the
 * PyTorch peer (scripts/bench-peers/torch_peer.py, SHAPES) holds the same list under the same names.
 */
enum ConvShape {
    /** The CIFAR-sized layer the group has always measured: [64,32,32,3] * [5,5,3,32], SAME. */
    BENCH(Shape.of(64, 32, 32, 3), Shape.of(5, 5, 3, 32), Padding.SAME),
    /** LeNet's first layer on 32x32 RGB, batch 64. */
    LENET1(Shape.of(64, 32, 32, 3), Shape.of(5, 5, 3, 32), Padding.VALID),
    /** LeNet's second layer, after 2x2 pooling. */
    LENET2(Shape.of(64, 14, 14, 32), Shape.of(5, 5, 32, 64), Padding.VALID),
    /** The tutorial CNN's layer: small enough that per-call costs dominate. */
    TUTORIAL(Shape.of(10, 16, 16, 3), Shape.of(5, 5, 3, 6), Padding.VALID),
    /** A ResNet 3x3 layer at 56x56 with 64 channels in and out, batch 32. */
    RESNET(Shape.of(32, 56, 56, 64), Shape.of(3, 3, 64, 64), Padding.SAME);

    final Shape input;
    final Shape filter;
    final Conv2dParams params;

    ConvShape(Shape input, Shape filter, Padding padding) {
        this.input = input;
        this.filter = filter;
        this.params = Conv2dParams.of(1, padding);
    }

    /** The name used in JMH parameters, torch op names and RESULT keys. */
    String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Its output shape (stride 1: SAME keeps height and width, VALID loses the filter's extent minus one). */
    Shape output() {
        boolean same = params.padding() == Padding.SAME;
        int h = same ? input.dim(1) : input.dim(1) - filter.dim(0) + 1;
        int w = same ? input.dim(2) : input.dim(2) - filter.dim(1) + 1;
        return Shape.of(input.dim(0), h, w, filter.dim(3));
    }

    static ConvShape of(String key) {
        return valueOf(key.toUpperCase(java.util.Locale.ROOT));
    }
}
