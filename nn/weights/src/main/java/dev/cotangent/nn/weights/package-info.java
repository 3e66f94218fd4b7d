/**
 * Model weights as safetensors files: save and load any model by its parameter paths ({@code layers.0.weight}),
 * memory-mapped on load and copied straight into the parameters' off-heap memory; {@link
 * dev.cotangent.nn.weights.TorchMapping} converts names and layouts to and from a PyTorch {@code state_dict}.
 */
@NullMarked
package dev.cotangent.nn.weights;

import org.jspecify.annotations.NullMarked;
