package dev.cotangent.nn.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cotangent.core.DType;
import dev.cotangent.autodiff.Tensor;
import dev.cotangent.nn.Dense;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Malformed files: each gives a WeightFileException naming the file and the fault, never a crash. */
class SafeTensorsFileTest {
    @TempDir
    Path dir;

    /** A file with {@code headerLength} in its length field, then {@code json}, then {@code dataBytes} bytes. */
    private Path file(long headerLength, String json, int dataBytes) throws IOException {
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLength).put(header);
        for (int i = 0; i < dataBytes / 4; i++) {
            b.putFloat(i + 1);
        }
        Path p = Files.createTempFile(dir, "case", ".safetensors");
        Files.write(p, b.array());
        return p;
    }

    private Path file(String json, int dataBytes) throws IOException {
        return file(json.getBytes(StandardCharsets.UTF_8).length, json, dataBytes);
    }

    private String fails(Path p) {
        var e = assertThrows(WeightFileException.class, () -> SafeTensorsFile.open(p).close());
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
        return e.getMessage();
    }

    private static void contains(String message, String part) {
        assertTrue(message.contains(part), () -> "expected '" + part + "' in: " + message);
    }

    @Test
    void aWellFormedFileReads() throws IOException {
        Path p = file("{\"__metadata__\":{\"format\":\"pt\"},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}  ", 16);
        try (SafeTensorsFile f = SafeTensorsFile.open(p)) {
            assertArrayEquals(new float[] {1, 2}, f.read("a").toFloatArray());
            assertArrayEquals(new float[] {3, 4}, f.read("b").toFloatArray());
            assertEquals("pt", f.metadata().get("format"));
            contains(assertThrows(WeightFileException.class, () -> f.read("c")).getMessage(), "no tensor named 'c'");
        }
    }

    @Test
    void aFileShorterThanItsLengthField() throws IOException {
        contains(fails(file(4000, "{}", 0)), "says 4000 bytes, longer than the 2 bytes that follow it");
        Path tiny = dir.resolve("tiny");
        Files.write(tiny, new byte[] {1, 2, 3});
        contains(fails(tiny), "the file has 3 bytes");
    }

    @Test
    void anAbsurdHeaderLength() throws IOException {
        contains(fails(file(1L << 40, "{}", 0)), "expected at most 100000000");
        contains(fails(file(-5, "{}", 0)), "says 18446744073709551611 bytes");
    }

    @Test
    void invalidJson() throws IOException {
        contains(fails(file("{\"a\": {\"dtype\": \"F32\",", 0)), "not valid JSON");
        contains(fails(file("[1, 2]", 0)), "not valid JSON");
        contains(fails(file("{} {}", 0)), "not valid JSON");
        contains(fails(file("{'a': 1}", 0)), "not valid JSON");
        Path p = file(4, "\u00ff\u00fe", 0);
        Files.write(p, new byte[] {4, 0, 0, 0, 0, 0, 0, 0, (byte) 0xc3, (byte) 0x28, '{', '}'});
        contains(fails(p), "not valid UTF-8");
    }

    @Test
    void badEntries() throws IOException {
        contains(fails(file("{\"a\":{\"dtype\":\"F31\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4)),
                "dtype 'F31'; expected one of F64, F32");
        contains(fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4)), "holds -1");
        contains(fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4)), "holds 1.5");
        contains(fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4)), "lacks data_offsets");
        contains(fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4)), "has 1 numbers");
        contains(fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}", 4)),
                "unknown field 'x'");
        contains(fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4)), "names 'a' twice");
        contains(fails(file("{\"__metadata__\":{\"k\":1}}", 0)), "__metadata__.k is a NUMBER");
        contains(fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296, 4294967296],\"data_offsets\":[0,4]}}", 4)),
                "more bytes than a file can hold");
    }

    @Test
    void offsetsOutOfRangeOverlappingOrNotCovering() throws IOException {
        contains(fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4)),
                "data_offsets [0, 8] out of range; the data section holds 4 bytes");
        contains(fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8)), "out of range");
        contains(fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4)),
                "needs 8 bytes but its data_offsets [0, 4] span 4");
        contains(fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12)), "overlap");
        contains(fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8)),
                "bytes [0, 4) of the data section belong to no tensor");
        contains(fails(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8)),
                "cover 4 bytes of a 8-byte data section");
    }

    @Test
    void otherDtypesAreCheckedButNotLoadedIntoParameters() throws IOException {
        Path p = file("{\"weight\":{\"dtype\":\"F16\",\"shape\":[1,2],\"data_offsets\":[0,4]},"
                + "\"bias\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[4,12]}}", 12);
        try (SafeTensorsFile f = SafeTensorsFile.open(p)) {
            assertEquals(WeightDType.I64, f.entry("bias").orElseThrow().dtype());
            contains(assertThrows(WeightFileException.class, () -> f.read("weight")).getMessage(),
                    "is F16[1, 2]; expected F32 or F64");
        }
        var e = assertThrows(WeightFileException.class, () -> Weights.load(new Dense(Tensor.zeros(DType.F32, 1, 2),
                Tensor.zeros(DType.F32, 2), dev.cotangent.nn.Activation.IDENTITY), p));
        contains(e.getMessage(), "tensor 'weight' F16[1, 2] for parameter weight float32[1, 2]: dtypes differ");
    }
}
