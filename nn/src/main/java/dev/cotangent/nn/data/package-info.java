/**
 * Data for training: IDX files (the MNIST family's format, plain or gzip) held off-heap, labelled image data
 * sets, and shuffled mini-batches assembled straight into tensors, prefetched on a background thread.
 */
@NullMarked
package dev.cotangent.nn.data;

import org.jspecify.annotations.NullMarked;
