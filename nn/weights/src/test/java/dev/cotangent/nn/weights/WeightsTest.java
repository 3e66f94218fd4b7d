package dev.cotangent.nn.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cotangent.autodiff.Tensor;
import dev.cotangent.core.DType;
import dev.cotangent.nn.Activation;
import dev.cotangent.nn.Conv2D;
import dev.cotangent.nn.Dense;
import dev.cotangent.nn.Flatten;
import dev.cotangent.nn.Layer;
import dev.cotangent.nn.MaxPool2D;
import dev.cotangent.nn.Sequential;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saving and loading models by parameter path, in place and into new models, and the PyTorch layouts. */
class WeightsTest {
    @TempDir
    Path dir;

    record Cnn(Conv2D conv, MaxPool2D pool, Flatten flatten, Dense dense) implements Layer<Cnn> {
        Cnn(long seed) {
            this(new Conv2D(3, 3, 2, 4, new dev.cotangent.core.Conv2dParams(1, 1, dev.cotangent.core.Padding.VALID, 1, 1),
                    Activation.RELU, seed), new MaxPool2D(2, 2, 2, 2), new Flatten(),
                    new Dense(2 * 2 * 4, 3, Activation.IDENTITY, seed + 1));
        }

        @Override
        public Tensor apply(Tensor x) {
            return x.sequenced(conv, pool, flatten, dense);
        }
    }

    private static Sequential mlp(long seed) {
        return new Sequential(new Dense(5, 4, Activation.RELU, seed), new Dense(4, 3, Activation.IDENTITY, seed + 1));
    }

    private static void assertSameParameters(Object expected, Object actual) {
        Map<String, Tensor> a = dev.cotangent.autodiff.Tangents.named(expected);
        Map<String, Tensor> b = dev.cotangent.autodiff.Tangents.named(actual);
        assertEquals(a.keySet(), b.keySet());
        a.forEach((path, t) -> assertArrayEquals(t.toDoubleArray(), b.get(path).toDoubleArray(), 0.0, path));
    }

    @Test
    void aModelLoadsInPlaceWhatWasSaved() {
        Sequential saved = mlp(1);
        Sequential other = mlp(2);
        Path file = dir.resolve("mlp.safetensors");
        Weights.save(saved, file, Map.of("note", "first"));
        Weights.load(other, file);
        assertSameParameters(saved, other);
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            assertEquals(List.of("layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"),
                    f.entries().stream().map(TensorEntry::name).toList());
            assertEquals(Map.of("note", "first"), f.metadata());
            assertArrayEquals(new long[] {5, 4}, f.entry("layers.0.weight").orElseThrow().shape());
            assertEquals(0, (Files.size(file) - 8 - (f.entries().getLast().end())) % 8, "the data starts 8-aligned");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void loadedBuildsANewModelAndLeavesTheTemplate() {
        Sequential saved = mlp(3);
        Sequential template = mlp(4);
        double[] before = template.layers().getFirst().parameters().get("weight").toDoubleArray();
        Path file = dir.resolve("m.safetensors");
        Weights.save(saved, file);
        Sequential copy = Weights.loaded(template, file);
        assertSameParameters(saved, copy);
        assertArrayEquals(before, template.layers().getFirst().parameters().get("weight").toDoubleArray());
        Tensor x = Tensor.of(new float[] {1, -2, 3, 0.5f, 4}, 1, 5);
        assertArrayEquals(saved.apply(x).toFloatArray(), copy.apply(x).toFloatArray());
    }

    @Test
    void float64ModelsRoundTrip() {
        Dense a = new Dense(Tensor.of(new double[] {1e-300, 2, 3, Math.PI}, 2, 2), Tensor.of(new double[] {-1, 1}, 2),
                Activation.IDENTITY);
        Dense b = new Dense(Tensor.zeros(DType.F64, 2, 2), Tensor.zeros(DType.F64, 2), Activation.IDENTITY);
        Path file = dir.resolve("f64.safetensors");
        Weights.save(a, file);
        Weights.load(b, file);
        assertSameParameters(a, b);
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            assertEquals(WeightDType.F64, f.entry("weight").orElseThrow().dtype());
            assertArrayEquals(new double[] {1e-300, 2, 3, Math.PI}, f.read("weight").toDoubleArray(), 0.0);
        }
    }

    @Test
    void torchLayoutsTransposeDenseAndPermuteFilters() {
        Cnn model = new Cnn(5);
        TorchMapping mapping = TorchMapping.byModuleOrder(model, "conv1", "fc").withFlattenedInput("dense", 2, 2, 4);
        Path file = dir.resolve("torch.safetensors");
        Weights.save(model, file, mapping);
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            assertEquals(Map.of("format", "pt"), f.metadata());
            Tensor w = f.read("conv1.weight"); // [out 4, in 2, h 3, w 3]
            assertArrayEquals(new int[] {4, 2, 3, 3}, w.shape().dims());
            for (int o = 0; o < 4; o++) {
                for (int i = 0; i < 2; i++) {
                    for (int h = 0; h < 3; h++) {
                        for (int x = 0; x < 3; x++) {
                            assertEquals(model.conv().filter().get(h, x, i, o), w.get(o, i, h, x));
                        }
                    }
                }
            }
            Tensor fc = f.read("fc.weight"); // [out 3, C*H*W = 4*2*2], channel-major
            assertArrayEquals(new int[] {3, 16}, fc.shape().dims());
            for (int o = 0; o < 3; o++) {
                for (int c = 0; c < 4; c++) {
                    for (int h = 0; h < 2; h++) {
                        for (int x = 0; x < 2; x++) {
                            assertEquals(model.dense().weight().get((h * 2 + x) * 4 + c, o), fc.get(o, c * 4 + h * 2 + x));
                        }
                    }
                }
            }
        }
        Cnn other = new Cnn(50);
        Weights.load(other, file, mapping);
        assertSameParameters(model, other);
    }

    @Test
    void aDenseWeightIsStoredTransposed() {
        Sequential model = mlp(7);
        Path file = dir.resolve("t.safetensors");
        TorchMapping mapping = TorchMapping.byModuleOrder(model, "0", "2");
        Weights.save(model, file, mapping);
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            Tensor w = f.read("0.weight");
            Tensor ours = model.parameters().get("layers.0.weight");
            assertArrayEquals(ours.transpose().toFloatArray(), w.toFloatArray());
            assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"),
                    f.entries().stream().map(TensorEntry::name).toList());
        }
        Sequential other = Weights.loaded(mlp(8), file, mapping);
        assertSameParameters(model, other);
    }

    @Test
    void aDenseAfterAFlattenedFeatureMapMustBeDeclared() {
        Cnn model = new Cnn(9);
        TorchMapping mapping = TorchMapping.byModuleOrder(model, "conv1", "fc");
        var e = assertThrows(IllegalArgumentException.class, () -> Weights.save(model, dir.resolve("x"), mapping));
        assertTrue(e.getMessage().contains("withFlattenedInput(\"dense\", height, width, channels)"), e.getMessage());
        assertTrue(mapping.with("dense.weight", "fc.weight", TensorLayout.TRANSPOSED).toString()
                .contains("dense.weight -> fc.weight (transposed"));
        var wrongSize = assertThrows(WeightFileException.class, () -> {
            Weights.save(model, dir.resolve("y"), mapping.withFlattenedInput("dense", 2, 2, 4));
            Weights.load(model, dir.resolve("y"), mapping.withFlattenedInput("dense", 4, 2, 2).with("dense.weight",
                    "fc.weight", TensorLayout.flattenedNchw(3, 2, 2)));
        });
        assertTrue(wrongSize.getMessage().contains("expected 3 * 2 * 2"), wrongSize.getMessage());
    }

    @Test
    void byModuleOrderNamesTheLayersWhenCountsDiffer() {
        var e = assertThrows(IllegalArgumentException.class, () -> TorchMapping.byModuleOrder(mlp(1), "0"));
        assertTrue(e.getMessage().contains("[layers.0, layers.1]"), e.getMessage());
    }

    @Test
    void missingAndExtraNamesAreListedAndNothingIsWritten() {
        Sequential small = mlp(10);
        Sequential three = new Sequential(new Dense(5, 4, Activation.RELU, 11), new Dense(4, 3, Activation.RELU, 12),
                new Dense(3, 2, Activation.IDENTITY, 13));
        Path file = dir.resolve("small.safetensors");
        Weights.save(small, file);
        double[] before = three.parameters().get("layers.0.weight").toDoubleArray();
        var e = assertThrows(WeightFileException.class, () -> Weights.load(three, file));
        assertTrue(e.getMessage().contains("missing from the file: [layers.2.weight, layers.2.bias]"), e.getMessage());
        assertArrayEquals(before, three.parameters().get("layers.0.weight").toDoubleArray());
        Weights.save(three, file);
        var extra = assertThrows(WeightFileException.class, () -> Weights.load(small, file));
        assertTrue(extra.getMessage().contains("in the file but not in the model: [layers.2.weight, layers.2.bias]"),
                extra.getMessage());
    }

    @Test
    void dtypeAndShapeMismatchesNameTheParameter() {
        Path file = dir.resolve("d.safetensors");
        Weights.save(new Dense(Tensor.zeros(DType.F64, 5, 4), Tensor.zeros(DType.F64, 4), Activation.IDENTITY), file);
        var dtype = assertThrows(WeightFileException.class, () -> Weights.load(new Dense(5, 4), file));
        assertTrue(dtype.getMessage().contains("tensor 'weight' F64[5, 4] for parameter weight float32[5, 4]: dtypes"
                + " differ; expected F32"), dtype.getMessage());
        Weights.save(new Dense(5, 4), file);
        var shape = assertThrows(WeightFileException.class, () -> Weights.load(new Dense(4, 4), file));
        assertTrue(shape.getMessage().contains("shapes differ; expected F32[4, 4]"), shape.getMessage());
        assertTrue(shape.getMessage().startsWith(file.toString()), shape.getMessage());
    }

    @Test
    void savingReplacesAFileWhole() throws Exception {
        Path file = dir.resolve("r.safetensors");
        Weights.save(mlp(20), file);
        Sequential second = mlp(21);
        Weights.save(second, file);
        Sequential back = Weights.loaded(mlp(22), file);
        assertSameParameters(second, back);
        assertSame(false, Files.exists(dir.resolve("r.safetensors.partial")));
        assertNotEquals(0, Files.size(file));
    }

    @Test
    void ignoredPyTorchTensorsAreSkippedAndOthersAreNot() {
        Sequential model = mlp(30);
        Path file = dir.resolve("extra.safetensors");
        Map<String, Tensor> torchLike = new java.util.LinkedHashMap<>();
        torchLike.put("0.weight", model.parameters().get("layers.0.weight").transpose().copy());
        torchLike.put("0.bias", model.parameters().get("layers.0.bias"));
        torchLike.put("2.weight", model.parameters().get("layers.1.weight").transpose().copy());
        torchLike.put("2.bias", model.parameters().get("layers.1.bias"));
        torchLike.put("scale", Tensor.scalar(2f));
        Weights.save(torchLike, file);
        TorchMapping mapping = TorchMapping.byModuleOrder(mlp(31), "0", "2");
        var e = assertThrows(WeightFileException.class, () -> Weights.loaded(mlp(31), file, mapping));
        assertTrue(e.getMessage().contains("in the file but not in the model: [scale]"), e.getMessage());
        assertSameParameters(model, Weights.loaded(mlp(31), file, mapping.ignoring("scale")));
    }
}
