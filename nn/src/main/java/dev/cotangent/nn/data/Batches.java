package dev.cotangent.nn.data;

import java.util.SplittableRandom;

/**
 * How a {@link Dataset} is cut into mini-batches: batch size, order (as stored, or shuffled by a seed), whether
 * the last partial batch is kept, how pixels become floats, and how many batches are prepared ahead on a
 * background thread. Immutable; each {@code with}-style method returns a refined copy, {@link #open()} starts
 * one pass over the data.
 *
 * <p>Pixels become {@code byte * scale + shift}: by default {@code byte / 255}, in [0, 1];
 * {@link #normalized(double, double)} gives {@code (byte / 255 - mean) / std}.
 *
 * @param prefetch batches prepared ahead on a background thread; 0 prepares each in {@code next()} on the caller's
 *     thread
 */
public record Batches(Dataset dataset, int batchSize, boolean shuffle, long seed, boolean dropLast, int prefetch,
        float scale, float shift) {
    /** Batches prepared ahead unless told otherwise: one being consumed while the next is assembled. */
    public static final int DEFAULT_PREFETCH = 2;

    public Batches {
        if (batchSize < 1) {
            throw new IllegalArgumentException("Batches: batch size " + batchSize + " for " + dataset
                    + "; expected at least 1");
        }
        if (prefetch < 0) {
            throw new IllegalArgumentException("Batches: prefetch " + prefetch + "; expected 0 (none) or more batches");
        }
        if (!Float.isFinite(scale) || !Float.isFinite(shift)) {
            throw new IllegalArgumentException("Batches: pixel transform byte * " + scale + " + " + shift
                    + "; expected finite numbers");
        }
    }

    static Batches of(Dataset dataset, int batchSize) {
        return new Batches(dataset, batchSize, false, 0, false, DEFAULT_PREFETCH, 1f / 255f, 0f);
    }

    /** The same batches in an order drawn from {@code seed}: one seed, one order, on every machine. */
    public Batches shuffled(long seed) {
        return new Batches(dataset, batchSize, true, seed, dropLast, prefetch, scale, shift);
    }

    /** Drops ({@code true}) or keeps ({@code false}, the default) a last batch smaller than the batch size. */
    public Batches dropLast(boolean drop) {
        return new Batches(dataset, batchSize, shuffle, seed, drop, prefetch, scale, shift);
    }

    /** Prepares up to {@code batches} batches ahead on a background thread; 0 prepares them on the caller's. */
    public Batches prefetch(int batches) {
        return new Batches(dataset, batchSize, shuffle, seed, dropLast, batches, scale, shift);
    }

    /** Pixels as {@code (byte / 255 - mean) / std}. */
    public Batches normalized(double mean, double std) {
        if (!(std > 0) || !Double.isFinite(mean)) {
            throw new IllegalArgumentException("Batches.normalized: mean " + mean + ", std " + std
                    + "; expected a finite mean and a positive std");
        }
        return new Batches(dataset, batchSize, shuffle, seed, dropLast, prefetch, (float) (1 / (255 * std)),
                (float) (-mean / std));
    }

    /** The number of batches one pass yields. */
    public int count() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** The sample indices of one pass, in the order they are served (before any batch is dropped). */
    public int[] order() {
        int n = dataset.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (shuffle) {
            // Fisher-Yates with a generator whose sequence is fixed by its seed on every JVM.
            SplittableRandom random = new SplittableRandom(seed);
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    /** Starts one pass; close the iterator to stop its background thread early. */
    public BatchIterator open() {
        return new BatchIterator(this);
    }
}
