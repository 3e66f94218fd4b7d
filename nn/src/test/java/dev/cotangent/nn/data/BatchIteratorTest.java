package dev.cotangent.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cotangent.autodiff.Tensor;
import dev.cotangent.core.DType;
import dev.cotangent.core.Scope;
import dev.cotangent.core.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Data sets from IDX pairs, and their mini-batches: order by seed, partial batches, pixels, prefetch. */
class BatchIteratorTest {
    @TempDir
    Path dir;

    /** Every batch of one pass, closed, as (indices, labels, sizes). */
    private static List<Batch> drain(Batches batches, List<float[]> pixels) {
        List<Batch> out = new ArrayList<>();
        try (BatchIterator it = batches.open()) {
            while (it.hasNext()) {
                try (Batch b = it.next()) {
                    pixels.add(b.images().value().toFloatArray());
                    out.add(b);
                }
            }
        }
        return out;
    }

    private static int[] servedOrder(List<Batch> batches) {
        return batches.stream().flatMapToInt(b -> Arrays.stream(b.indices())).toArray();
    }

    @Test
    void countMismatchNamesBothFilesAndCounts() {
        Path images = IdxFiles.write(dir, "images", IdxFiles.images(5, 3, 2));
        Path labels = IdxFiles.write(dir, "labels", IdxFiles.labels(4, 10));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Dataset.fromIdx(images, labels));
        assertTrue(e.getMessage().contains("IDX file " + labels + ", byte offset 4: it holds 4 labels but images file "
                + images + " holds 5 images"), e.getMessage());
    }

    @Test
    void labelsOfRankTwoAreRejected() {
        Path images = IdxFiles.write(dir, "images", IdxFiles.images(4, 3, 2));
        Path labels = IdxFiles.write(dir, "labels", IdxFiles.idx(new int[] {4, 1}, new byte[4]));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Dataset.fromIdx(images, labels));
        assertTrue(e.getMessage().contains("expected labels [count]"), e.getMessage());
    }

    @Test
    void inOrderBatchesHoldScaledPixelsInNhwcAndKeepTheLastPartialBatch() {
        try (Dataset data = IdxFiles.dataset(dir, 10)) {
            assertEquals(10, data.classes());
            List<float[]> pixels = new ArrayList<>();
            List<Batch> batches = drain(data.batches(4), pixels);
            assertEquals(List.of(4, 4, 2), batches.stream().map(Batch::size).toList());
            assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, servedOrder(batches));
            assertEquals(Shape.of(2, 3, 2, 1), batches.get(2).images().shape());
            assertEquals(DType.F32, batches.get(2).images().dtype());
            assertArrayEquals(new int[] {8, 9}, batches.get(2).labels());
            for (int b = 0; b < 3; b++) {
                for (int i = 0; i < batches.get(b).size(); i++) {
                    int sample = batches.get(b).indices()[i];
                    for (int p = 0; p < 6; p++) {
                        assertEquals(IdxFiles.pixel(sample, p) / 255f, pixels.get(b)[i * 6 + p], 1e-7);
                    }
                }
            }
        }
    }

    @Test
    void dropLastDropsOnlyTheShortBatch() {
        try (Dataset data = IdxFiles.dataset(dir, 10)) {
            Batches batches = data.batches(4).dropLast(true);
            assertEquals(2, batches.count());
            assertEquals(List.of(4, 4), drain(batches, new ArrayList<>()).stream().map(Batch::size).toList());
            assertEquals(List.of(5, 5), drain(data.batches(5).dropLast(true), new ArrayList<>()).stream()
                    .map(Batch::size).toList());
        }
    }

    @Test
    void oneSeedOneOrderAnotherSeedAnother() {
        try (Dataset data = IdxFiles.dataset(dir, 50)) {
            int[] first = servedOrder(drain(data.batches(8).shuffled(11), new ArrayList<>()));
            int[] again = servedOrder(drain(data.batches(8).shuffled(11).prefetch(0), new ArrayList<>()));
            int[] other = servedOrder(drain(data.batches(8).shuffled(12), new ArrayList<>()));
            assertArrayEquals(first, again);
            assertFalse(Arrays.equals(first, other));
            assertNotEquals(Arrays.toString(java.util.stream.IntStream.range(0, 50).toArray()), Arrays.toString(first));
            assertArrayEquals(java.util.stream.IntStream.range(0, 50).toArray(), Arrays.stream(first).sorted().toArray(),
                    "a shuffled pass serves every sample once");
            // The order is fixed by the seed alone, so it stays the same across releases and machines.
            assertArrayEquals(new int[] {first[0], first[1], first[2]}, Arrays.copyOf(data.batches(8).shuffled(11)
                    .order(), 3));
        }
    }

    @Test
    void labelsFollowTheirImagesWhenShuffled() {
        try (Dataset data = IdxFiles.dataset(dir, 30)) {
            List<float[]> pixels = new ArrayList<>();
            List<Batch> batches = drain(data.batches(7).shuffled(3), pixels);
            for (int b = 0; b < batches.size(); b++) {
                Batch batch = batches.get(b);
                for (int i = 0; i < batch.size(); i++) {
                    int sample = batch.indices()[i];
                    assertEquals(sample % 10, batch.labels()[i]);
                    assertEquals(IdxFiles.pixel(sample, 5) / 255f, pixels.get(b)[i * 6 + 5], 1e-7);
                }
            }
        }
    }

    @Test
    void normalizedPixels() {
        try (Dataset data = IdxFiles.dataset(dir, 3)) {
            List<float[]> pixels = new ArrayList<>();
            drain(data.batches(3).normalized(0.25, 0.5), pixels);
            for (int i = 0; i < 3; i++) {
                for (int p = 0; p < 6; p++) {
                    assertEquals((IdxFiles.pixel(i, p) / 255.0 - 0.25) / 0.5, pixels.get(0)[i * 6 + p], 1e-6);
                }
            }
            assertThrows(IllegalArgumentException.class, () -> data.batches(3).normalized(0, 0));
            double sum = 0;
            double squares = 0;
            for (int i = 0; i < 3; i++) {
                for (int p = 0; p < 6; p++) {
                    sum += IdxFiles.pixel(i, p) / 255.0;
                    squares += Math.pow(IdxFiles.pixel(i, p) / 255.0, 2);
                }
            }
            double[] stats = data.pixelMeanAndStd();
            assertEquals(sum / 18, stats[0], 1e-12);
            assertEquals(Math.sqrt(squares / 18 - Math.pow(sum / 18, 2)), stats[1], 1e-12);
        }
    }

    @Test
    void aPrefetchedBatchIsUsableAndReleasableOnTheConsumersThreadInsideItsScope() {
        try (Dataset data = IdxFiles.dataset(dir, 8); BatchIterator it = data.batches(4).open()) {
            Batch batch = it.next();
            try (Scope step = Scope.open()) {
                assertFalse(batch.images().value().belongsTo(step), "made on the prefetch thread, owned by no scope");
                Tensor doubled = batch.images().times(2f);
                assertEquals(2 * IdxFiles.pixel(0, 1) / 255f, doubled.value().toFloatArray()[1], 1e-6);
                batch.close();
            }
            assertTrue(batch.images().value().isReleased());
            assertThrows(IllegalStateException.class, () -> batch.images().value().toFloatArray());
        }
    }

    @Test
    void oneHotLabels() {
        try (Dataset data = IdxFiles.dataset(dir, 12); BatchIterator it = data.batches(12).prefetch(0).open();
                Batch batch = it.next()) {
            float[] oneHot = batch.oneHotLabels(10).value().toFloatArray();
            assertEquals(120, oneHot.length);
            assertEquals(1f, oneHot[11 * 10 + 1]);
            assertEquals(12f, (float) Arrays.stream(batch.labels()).count());
            assertThrows(IllegalArgumentException.class, () -> batch.oneHotLabels(5));
        }
    }

    @Test
    void aFailureOnThePrefetchThreadIsThrownOnTheConsumersWithItsCause() {
        Dataset data = IdxFiles.dataset(dir, 40);
        try (BatchIterator it = data.batches(1).prefetch(1).open()) {
            it.next().close();
            data.close(); // the background thread now reads freed memory: it must fail cleanly, not crash
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
                while (it.hasNext()) {
                    it.next().close();
                }
            });
            assertTrue(e.getMessage().contains("could not be assembled"), e.getMessage());
            assertTrue(e.getCause() != null);
            assertFalse(it.hasNext());
        }
    }

    @Test
    void closingEarlyStopsTheBackgroundThread() throws InterruptedException {
        try (Dataset data = IdxFiles.dataset(dir, 100)) {
            BatchIterator it = data.batches(1).prefetch(3).open();
            it.next().close();
            it.close();
            it.close();
            assertFalse(it.hasNext());
            assertThrows(IllegalStateException.class, it::next);
            assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("cotangent-batches")
                    && t.isAlive()), "the prefetch thread ends with close()");
        }
    }

    @Test
    void badOptionsAreRejected() {
        try (Dataset data = IdxFiles.dataset(dir, 3)) {
            assertThrows(IllegalArgumentException.class, () -> data.batches(0));
            assertThrows(IllegalArgumentException.class, () -> data.batches(2).prefetch(-1));
            assertEquals(0, data.batches(4).dropLast(true).count());
            try (BatchIterator it = data.batches(4).dropLast(true).open()) {
                assertFalse(it.hasNext());
            }
        }
    }
}
