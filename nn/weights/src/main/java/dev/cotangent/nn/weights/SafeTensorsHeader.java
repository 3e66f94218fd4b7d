package dev.cotangent.nn.weights;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import com.google.gson.stream.MalformedJsonException;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON header of a safetensors file, read with Gson's streaming reader in strict mode and checked against
 * the size of the data section: every tensor's byte range matches its dtype and shape, the ranges neither
 * overlap nor leave gaps, and together they cover the data exactly (the rules of the reference implementation).
 */
record SafeTensorsHeader(List<TensorEntry> entries, Map<String, String> metadata) {
    /** The reference implementation's limit; a longer header is taken for a corrupt length field. */
    static final long MAX_HEADER_BYTES = 100_000_000;

    static final String METADATA = "__metadata__";

    SafeTensorsHeader {
        entries = List.copyOf(entries);
        metadata = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** The header in {@code json}, checked against a data section of {@code dataBytes} bytes. */
    static SafeTensorsHeader parse(Path file, String json, long dataBytes) {
        List<TensorEntry> entries = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        try (JsonReader in = new JsonReader(new StringReader(json))) {
            in.setStrictness(Strictness.STRICT);
            in.beginObject();
            java.util.Set<String> seen = new java.util.HashSet<>();
            while (in.hasNext()) {
                String name = in.nextName();
                if (!seen.add(name)) {
                    throw new WeightFileException(file, "the header names '" + name + "' twice");
                }
                if (name.equals(METADATA)) {
                    readMetadata(file, in, metadata);
                } else {
                    entries.add(readEntry(file, in, name));
                }
            }
            in.endObject();
            if (in.peek() != JsonToken.END_DOCUMENT) {
                throw new WeightFileException(file, "the header has data after its JSON object");
            }
        } catch (MalformedJsonException | IllegalStateException | java.io.EOFException e) {
            String reason = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            throw new WeightFileException(file, "the header is not valid JSON (" + reason
                    + "); expected one object of tensor entries", e);
        } catch (NumberFormatException e) {
            throw new WeightFileException(file, "the header has a malformed number (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": reading the header", e);
        }
        checkCoverage(file, entries, dataBytes);
        return new SafeTensorsHeader(entries, metadata);
    }

    private static void readMetadata(Path file, JsonReader in, Map<String, String> metadata) throws IOException {
        if (in.peek() != JsonToken.BEGIN_OBJECT) {
            throw new WeightFileException(file, "__metadata__ is a " + in.peek() + "; expected an object of strings");
        }
        in.beginObject();
        while (in.hasNext()) {
            String key = in.nextName();
            if (in.peek() != JsonToken.STRING) {
                throw new WeightFileException(file, "__metadata__." + key + " is a " + in.peek()
                        + "; expected a string");
            }
            metadata.put(key, in.nextString());
        }
        in.endObject();
    }

    private static TensorEntry readEntry(Path file, JsonReader in, String name) throws IOException {
        if (in.peek() != JsonToken.BEGIN_OBJECT) {
            throw new WeightFileException(file, "tensor '" + name + "' is a " + in.peek()
                    + "; expected an object with dtype, shape and data_offsets");
        }
        WeightDType dtype = null;
        long[] shape = null;
        long[] offsets = null;
        in.beginObject();
        while (in.hasNext()) {
            String key = in.nextName();
            switch (key) {
                case "dtype" -> {
                    String code = in.peek() == JsonToken.STRING ? in.nextString() : null;
                    dtype = code == null ? null : WeightDType.parse(code);
                    if (dtype == null) {
                        throw new WeightFileException(file, "tensor '" + name + "' has dtype "
                                + (code == null ? in.peek().toString() : "'" + code + "'") + "; expected one of "
                                + WeightDType.known());
                    }
                }
                case "shape" -> shape = readLongs(file, in, name, "shape", -1);
                case "data_offsets" -> offsets = readLongs(file, in, name, "data_offsets", 2);
                default -> throw new WeightFileException(file, "tensor '" + name + "' has an unknown field '" + key
                        + "'; expected dtype, shape and data_offsets");
            }
        }
        in.endObject();
        if (dtype == null || shape == null || offsets == null) {
            throw new WeightFileException(file, "tensor '" + name + "' lacks "
                    + (dtype == null ? "dtype" : shape == null ? "shape" : "data_offsets"));
        }
        return new TensorEntry(name, dtype, shape, offsets[0], offsets[1]);
    }

    /** An array of non-negative whole numbers; of length {@code length} unless it is -1. */
    private static long[] readLongs(Path file, JsonReader in, String name, String field, int length)
            throws IOException {
        if (in.peek() != JsonToken.BEGIN_ARRAY) {
            throw new WeightFileException(file, "tensor '" + name + "'." + field + " is a " + in.peek()
                    + "; expected an array of non-negative integers");
        }
        List<Long> values = new ArrayList<>();
        in.beginArray();
        while (in.hasNext()) {
            if (in.peek() != JsonToken.NUMBER) {
                throw new WeightFileException(file, "tensor '" + name + "'." + field + " holds a " + in.peek()
                        + "; expected non-negative integers");
            }
            String text = in.nextString();
            long v;
            try {
                v = Long.parseLong(text);
            } catch (NumberFormatException e) {
                v = -1;
            }
            if (v < 0) {
                throw new WeightFileException(file, "tensor '" + name + "'." + field + " holds " + text
                        + "; expected non-negative integers below 2^63");
            }
            values.add(v);
        }
        in.endArray();
        if (length >= 0 && values.size() != length) {
            throw new WeightFileException(file, "tensor '" + name + "'." + field + " has " + values.size()
                    + " numbers; expected " + length);
        }
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    /** Each range matches its tensor's size, and the ranges tile [0, dataBytes) without overlap or gap. */
    private static void checkCoverage(Path file, List<TensorEntry> entries, long dataBytes) {
        for (TensorEntry e : entries) {
            long count = 1;
            for (long d : e.shape()) {
                count = multiply(file, e, count, d);
            }
            long bytes = multiply(file, e, count, e.dtype().byteSize());
            if (e.begin() > e.end() || e.end() > dataBytes) {
                throw new WeightFileException(file, "tensor '" + e.name() + "' has data_offsets [" + e.begin() + ", "
                        + e.end() + "] out of range; the data section holds " + dataBytes + " bytes");
            }
            if (e.end() - e.begin() != bytes) {
                throw new WeightFileException(file, "tensor '" + e.name() + "' " + e.describe() + " needs " + bytes
                        + " bytes but its data_offsets [" + e.begin() + ", " + e.end() + "] span "
                        + (e.end() - e.begin()));
            }
        }
        List<TensorEntry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(TensorEntry::begin).thenComparingLong(TensorEntry::end));
        long covered = 0;
        TensorEntry previous = null;
        for (TensorEntry e : byOffset) {
            if (e.begin() < covered) {
                throw new WeightFileException(file, "tensors '" + previous.name() + "' [" + previous.begin() + ", "
                        + previous.end() + ") and '" + e.name() + "' [" + e.begin() + ", " + e.end() + ") overlap");
            }
            if (e.begin() > covered) {
                throw new WeightFileException(file, "bytes [" + covered + ", " + e.begin() + ") of the data section"
                        + " belong to no tensor; expected the tensors to cover the data without gaps");
            }
            covered = e.end();
            previous = e;
        }
        if (covered != dataBytes) {
            throw new WeightFileException(file, "the tensors cover " + covered + " bytes of a " + dataBytes
                    + "-byte data section; expected them to cover it exactly");
        }
    }

    private static long multiply(Path file, TensorEntry e, long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException x) {
            throw new WeightFileException(file, "tensor '" + e.name() + "' " + e.describe()
                    + " has more bytes than a file can hold");
        }
    }

    /** The header as JSON, padded with spaces to a multiple of 8 bytes so that the data starts aligned. */
    byte[] toJson() {
        StringWriter text = new StringWriter();
        try (JsonWriter out = new JsonWriter(text)) {
            out.beginObject();
            if (!metadata.isEmpty()) {
                out.name(METADATA).beginObject();
                for (Map.Entry<String, String> m : metadata.entrySet()) {
                    out.name(m.getKey()).value(m.getValue());
                }
                out.endObject();
            }
            for (TensorEntry e : entries) {
                out.name(e.name()).beginObject();
                out.name("dtype").value(e.dtype().name());
                out.name("shape").beginArray();
                for (long d : e.shape()) {
                    out.value(d);
                }
                out.endArray();
                out.name("data_offsets").beginArray().value(e.begin()).value(e.end()).endArray();
                out.endObject();
            }
            out.endObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] json = text.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = java.util.Arrays.copyOf(json, padded);
        java.util.Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }
}
