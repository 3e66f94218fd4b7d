package dev.cotangent.nn.weights;

import dev.cotangent.autodiff.Tensor;
import dev.cotangent.core.NdArray;
import dev.cotangent.core.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A safetensors file, memory-mapped and checked when opened: an 8-byte little-endian header length, a JSON
 * header of tensor entries (dtype, shape, data_offsets) and optional {@code __metadata__}, then the raw
 * little-endian data. Tensors are copied from the mapping straight into off-heap arrays. Closing unmaps it;
 * reading after that throws {@link IllegalStateException}.
 *
 * {@snippet :
 * try (SafeTensorsFile f = SafeTensorsFile.open(Path.of("model.safetensors"))) {
 *     for (TensorEntry e : f.entries()) System.out.println(e);
 *     Tensor w = f.read("layers.0.weight");
 * }
 * }
 */
public final class SafeTensorsFile implements AutoCloseable {
    private static final ValueLayout.OfLong LENGTH = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Arena arena;
    private final MemorySegment data;
    private final SafeTensorsHeader header;
    private final Map<String, TensorEntry> byName = new LinkedHashMap<>();

    private SafeTensorsFile(Path path, Arena arena, MemorySegment data, SafeTensorsHeader header) {
        this.path = path;
        this.arena = arena;
        this.data = data;
        this.header = header;
        for (TensorEntry e : header.entries()) {
            byName.put(e.name(), e);
        }
    }

    /**
     * Maps {@code file} and checks its header: a length that fits the file, valid JSON, known dtypes, and byte
     * ranges that match the shapes and tile the data section.
     *
     * @throws WeightFileException if the file is malformed
     * @throws UncheckedIOException if it cannot be read
     */
    public static SafeTensorsFile open(Path file) {
        Arena arena = Arena.ofShared(); // any thread may read; close() unmaps once no read is under way
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw new WeightFileException(file, "the file has " + size + " bytes; a safetensors file starts"
                        + " with an 8-byte header length");
            }
            MemorySegment whole = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long headerBytes = whole.get(LENGTH, 0);
            if (headerBytes < 0 || headerBytes > SafeTensorsHeader.MAX_HEADER_BYTES) {
                throw new WeightFileException(file, "the header length field says " + Long.toUnsignedString(headerBytes)
                        + " bytes; expected at most " + SafeTensorsHeader.MAX_HEADER_BYTES + " (a corrupt or foreign file)");
            }
            if (headerBytes > size - 8) {
                throw new WeightFileException(file, "the header length field says " + headerBytes
                        + " bytes, longer than the " + (size - 8) + " bytes that follow it in the file");
            }
            String json = decode(file, whole.asSlice(8, headerBytes));
            MemorySegment data = whole.asSlice(8 + headerBytes);
            return new SafeTensorsFile(file, arena, data, SafeTensorsHeader.parse(file, json, data.byteSize()));
        } catch (IOException e) {
            arena.close();
            throw new UncheckedIOException(file + ": cannot read the weight file", e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static String decode(Path file, MemorySegment bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes.toArray(ValueLayout.JAVA_BYTE));
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(buffer).toString();
        } catch (CharacterCodingException e) {
            throw new WeightFileException(file, "the header is not valid UTF-8 (" + e + ")", e);
        }
    }

    /** The file's path. */
    public Path path() {
        return path;
    }

    /** The tensors in header order. */
    public List<TensorEntry> entries() {
        return header.entries();
    }

    /** The tensor named {@code name}, if the file has one. */
    public Optional<TensorEntry> entry(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The header's {@code __metadata__} (empty when it has none). */
    public Map<String, String> metadata() {
        return header.metadata();
    }

    /**
     * A new tensor holding the file's tensor {@code name} in its own layout (F32 or F64).
     *
     * @throws WeightFileException if there is no such tensor, or its dtype has no Cotangent array
     */
    public Tensor read(String name) {
        TensorEntry e = entry(name).orElseThrow(() -> new WeightFileException(path, "no tensor named '" + name
                + "'; the file has " + byName.keySet()));
        if (e.dtype().dtype() == null) {
            throw new WeightFileException(path, "tensor '" + name + "' is " + e.describe()
                    + "; expected F32 or F64 to read it into a tensor");
        }
        long[] shape = e.shape();
        int[] dims = new int[shape.length];
        for (int i = 0; i < dims.length; i++) {
            if (shape[i] > Integer.MAX_VALUE) {
                throw new WeightFileException(path, "tensor '" + name + "' " + e.describe()
                        + " has a dimension beyond 2^31 - 1, which no array here can hold");
            }
            dims[i] = (int) shape[i];
        }
        NdArray array = NdArray.empty(e.dtype().dtype(), Shape.of(dims));
        copyInto(e, array, TensorLayout.SAME);
        return Tensor.of(array);
    }

    /** Entry {@code e}'s elements written into {@code target}, which has been checked to fit it under {@code layout}. */
    void copyInto(TensorEntry e, NdArray target, TensorLayout layout) {
        LayoutCopy.fileToParameter(data, e.begin(), target, layout);
    }

    @Override
    public void close() {
        arena.close();
    }

    /** One tensor to write: a name, its array, and the layout the file gives it. */
    record Source(String name, NdArray array, TensorLayout layout) {}

    /**
     * Writes {@code sources} (names unique, arrays contiguous, F32 or F64) and {@code metadata} to {@code file}:
     * first to a temporary file beside it through a writable mapping, then moved into place, so that a
     * failure never leaves half a file under the name.
     */
    static void write(Path file, List<Source> sources, Map<String, String> metadata) {
        List<TensorEntry> entries = new ArrayList<>(sources.size());
        long offset = 0;
        for (Source s : sources) {
            long bytes = s.array().size() * s.array().dtype().byteSize();
            entries.add(new TensorEntry(s.name(), WeightDType.of(s.array().dtype()),
                    s.layout().fileShape(s.array().shape()), offset, offset + bytes));
            offset += bytes;
        }
        byte[] json = new SafeTensorsHeader(entries, metadata).toJson();
        long total = 8 + json.length + offset;
        Path absolute = file.toAbsolutePath();
        Path temporary = absolute.resolveSibling(absolute.getFileName() + ".partial");
        try {
            try (Arena arena = Arena.ofConfined();
                 FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
                         StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                MemorySegment out = channel.map(FileChannel.MapMode.READ_WRITE, 0, total, arena);
                out.set(LENGTH, 0, json.length);
                MemorySegment.copy(json, 0, out, ValueLayout.JAVA_BYTE, 8, json.length);
                long dataStart = 8 + json.length;
                for (int i = 0; i < sources.size(); i++) {
                    Source s = sources.get(i);
                    LayoutCopy.parameterToFile(s.array(), out, dataStart + entries.get(i).begin(), s.layout());
                }
                out.force();
            }
            Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new UncheckedIOException(file + ": cannot write the weight file", e);
        }
    }
}
