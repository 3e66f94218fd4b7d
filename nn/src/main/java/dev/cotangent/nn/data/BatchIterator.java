package dev.cotangent.nn.data;

import dev.cotangent.autodiff.Tensor;
import dev.cotangent.core.DType;
import dev.cotangent.core.NdArray;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.jspecify.annotations.Nullable;

/**
 * One pass of {@link Batches} over a data set. With prefetch, a background thread assembles up to that many
 * batches ahead into a bounded queue, so a training step rarely waits for data; an exception there is thrown
 * from {@link #next()} on the consumer's thread; {@link #close()} stops the thread and frees batches not taken.
 *
 * <p>Each batch's pixels go straight from the data set's bytes into the off-heap float32 buffer of its image
 * tensor, with no per-sample array on the heap.
 *
 * <p>NOTE: a prefetched batch is allocated on the background thread, which never opens a scope, so it belongs
 * to no scope: the consumer may use it inside its own scopes and close it on its thread (a release from another
 * thread goes to the pool's shared deques, which are thread-safe). The queue hands each batch over with a
 * happens-before edge, so the consumer sees every pixel written.
 */
public final class BatchIterator implements Iterator<Batch>, AutoCloseable {
    /** What the background thread puts in the queue after the last batch, or instead of the next on failure. */
    private record End(@Nullable Throwable failure) {}

    private final Batches batches;
    private final int[] order;
    private final int count;
    private final @Nullable BlockingQueue<Object> queue;
    private final @Nullable Thread worker;
    private volatile boolean closed;
    private int served;

    BatchIterator(Batches batches) {
        this.batches = batches;
        this.order = batches.order();
        this.count = batches.count();
        if (batches.prefetch() > 0 && count > 0) {
            queue = new ArrayBlockingQueue<>(batches.prefetch());
            worker = Thread.ofPlatform().daemon().name("cotangent-batches").unstarted(this::produce);
            worker.start();
        } else {
            queue = null;
            worker = null;
        }
    }

    /** The number of batches this pass yields in all. */
    public int count() {
        return count;
    }

    @Override
    public boolean hasNext() {
        return served < count && !closed;
    }

    /**
     * The next batch; close it when done with it.
     *
     * @throws IllegalStateException if assembling it failed (the cause attached) or the iterator was closed
     */
    @Override
    public Batch next() {
        if (closed) {
            throw new IllegalStateException("BatchIterator: next() after close()");
        }
        if (served >= count) {
            throw new NoSuchElementException("BatchIterator: all " + count + " batches were served");
        }
        int index = served;
        Object item;
        if (queue == null) {
            item = assemble(index);
        } else {
            try {
                item = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("BatchIterator: interrupted while waiting for batch " + index, e);
            }
        }
        if (item instanceof End end) {
            closed = true;
            throw new IllegalStateException("BatchIterator: batch " + index + " of " + count + " from " + batches.dataset()
                    + " could not be assembled: " + end.failure(), end.failure());
        }
        served++;
        return (Batch) item;
    }

    private void produce() {
        BlockingQueue<Object> queue = java.util.Objects.requireNonNull(this.queue);
        try {
            for (int b = 0; b < count && !closed; b++) {
                Batch batch = assemble(b);
                try {
                    queue.put(batch);
                } catch (InterruptedException e) {
                    batch.close(); // closed while waiting for room: nobody will take it
                    return;
                }
            }
        } catch (Throwable t) {
            // The consumer rethrows it; offer never blocks for long since the consumer drains or closes.
            try {
                queue.put(new End(t));
            } catch (InterruptedException e) {
                // closed: nobody is waiting
            }
        }
    }

    /** Batch {@code b}: its samples' pixels scaled into a new float32 array, and their labels. */
    private Batch assemble(int b) {
        Dataset data = batches.dataset();
        int start = b * batches.batchSize();
        int n = Math.min(batches.batchSize(), order.length - start);
        int sample = data.sampleSize();
        MemorySegment pixels = data.images().data();
        NdArray images = NdArray.empty(DType.F32, n, data.height(), data.width(), data.channels());
        try {
            MemorySegment out = images.segment();
            float scale = batches.scale();
            float shift = batches.shift();
            int[] labels = new int[n];
            int[] indices = new int[n];
            for (int i = 0; i < n; i++) {
                int index = order[start + i];
                indices[i] = index;
                labels[i] = data.label(index);
                long from = (long) index * sample;
                long to = (long) i * sample;
                for (int p = 0; p < sample; p++) {
                    int v = Byte.toUnsignedInt(pixels.get(ValueLayout.JAVA_BYTE, from + p));
                    out.setAtIndex(ValueLayout.JAVA_FLOAT, to + p, v * scale + shift);
                }
            }
            return new Batch(Tensor.of(images), labels, indices);
        } catch (RuntimeException | Error e) {
            images.close();
            throw e;
        }
    }

    /** Stops the background thread, waits for it, and frees every batch prepared but not taken. Idempotent. */
    @Override
    public void close() {
        closed = true;
        if (worker == null) {
            return;
        }
        worker.interrupt();
        boolean interrupted = false;
        while (true) {
            try {
                worker.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        for (Object item; (item = queue.poll()) != null; ) {
            if (item instanceof Batch batch) {
                batch.close();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
