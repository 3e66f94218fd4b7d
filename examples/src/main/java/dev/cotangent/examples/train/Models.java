package dev.cotangent.examples.train;

import dev.cotangent.nn.Activation;
import dev.cotangent.nn.Conv2D;
import dev.cotangent.nn.Dense;
import dev.cotangent.nn.Flatten;
import dev.cotangent.nn.MaxPool2D;
import dev.cotangent.nn.Sequential;

/** The two networks the training command offers, for 28×28×1 images in ten classes. */
public enum Models {
    /** Flatten, dense 784 → 256 relu, dense 256 → 10. */
    MLP {
        @Override
        public Sequential build() {
            return new Sequential(new Flatten(), new Dense(28 * 28, 256, Activation.RELU), new Dense(256, 10));
        }
    },
    /**
     * The LeNet shape: conv 5×5 1 → 32 relu, max-pool 2, conv 5×5 32 → 64 relu, max-pool 2, flatten, dense → 256
     * relu, dense 256 → 10 (VALID convolutions: 28 → 24 → 12 → 8 → 4, so the first dense layer sees 4·4·64).
     */
    CNN {
        @Override
        public Sequential build() {
            return new Sequential(new Conv2D(5, 5, 1, 32, Activation.RELU), new MaxPool2D(2, 2, 2, 2),
                    new Conv2D(5, 5, 32, 64, Activation.RELU), new MaxPool2D(2, 2, 2, 2), new Flatten(),
                    new Dense(4 * 4 * 64, 256, Activation.RELU), new Dense(256, 10));
        }
    };

    /** A new model with initial weights drawn from the global initializer seed. */
    public abstract Sequential build();
}
