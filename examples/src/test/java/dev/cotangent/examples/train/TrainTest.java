package dev.cotangent.examples.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cotangent.nn.weights.SafeTensorsFile;
import dev.cotangent.nn.weights.TensorEntry;
import dev.cotangent.nn.weights.Weights;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training command end to end on a small synthetic stand-in for Fashion-MNIST (each class a bright
 * horizontal band at its own height, plus noise), and its answers to bad options.
 */
class TrainTest {
    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err) {}

    private static Run train(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        int code = Train.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintWriter(err, true));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString());
    }

    private static void writeIdx(Path file, int[] dims, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.put((byte) 0).put((byte) 0).put((byte) 8).put((byte) dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        Files.write(file, b.put(data).array());
    }

    /** Writes the four files, plain (not gzip), with {@code count} training and {@code count / 2} test images. */
    private Path syntheticData(int count) throws IOException {
        Random random = new Random(5);
        for (String split : new String[] {"train", "t10k"}) {
            int n = split.equals("train") ? count : count / 2;
            byte[] images = new byte[n * 28 * 28];
            byte[] labels = new byte[n];
            for (int i = 0; i < n; i++) {
                int label = random.nextInt(10);
                labels[i] = (byte) label;
                for (int p = 0; p < 28 * 28; p++) {
                    int row = p / 28;
                    int band = row / 3 == label ? 200 : 0;
                    images[i * 784 + p] = (byte) Math.min(255, band + random.nextInt(40));
                }
            }
            writeIdx(dir.resolve(split + "-images-idx3-ubyte"), new int[] {n, 28, 28}, images);
            writeIdx(dir.resolve(split + "-labels-idx1-ubyte"), new int[] {n}, labels);
        }
        return dir;
    }

    private static double resultAccuracy(Run run, String model, int epochs) {
        Matcher m = Pattern.compile("(?m)^RESULT train model=" + model + " epochs=" + epochs
                + " test_accuracy=([0-9.]+) samples_per_s=([0-9]+)$").matcher(run.out());
        assertTrue(m.find(), run.out() + run.err());
        return Double.parseDouble(m.group(1));
    }

    @Test
    void mlpLearnsTheSyntheticClassesAndWritesItsCurves() throws IOException {
        Path data = syntheticData(640);
        Path png = dir.resolve("curves.png");
        Path weights = dir.resolve("mlp.safetensors");
        Run run = train("--model", "mlp", "--data", data.toString(), "--plot", png.toString(), "--threads", "1",
                "--save", weights.toString());
        assertEquals(0, run.exitCode(), run.err());
        try (SafeTensorsFile file = SafeTensorsFile.open(weights)) {
            assertEquals(List.of("layers.1.bias", "layers.1.weight", "layers.2.bias", "layers.2.weight"),
                    file.entries().stream().map(TensorEntry::name).sorted().toList(), "every parameter by its path");
        }
        Weights.load(Models.MLP.build(), weights); // names, dtypes and shapes fit the model
        assertTrue(run.out().contains("epoch 1/1 100% 640/640 samples"), run.out());
        assertTrue(run.out().contains("test accuracy"), run.out());
        assertTrue(resultAccuracy(run, "mlp", 1) > 0.9, run.out());
        byte[] header = Files.readAllBytes(png);
        assertEquals(0x89, header[0] & 0xff);
        assertEquals("PNG", new String(header, 1, 3, StandardCharsets.US_ASCII));
    }

    @Test
    void cnnRunsAndReportsEachEpoch() throws IOException {
        Path data = syntheticData(128);
        Run run = train("--model", "CNN", "--epochs", "2", "--batch", "32", "--optimizer", "sgd", "--data",
                data.toString(), "--plot", dir.resolve("cnn.png").toString(), "--threads", "1");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("epoch 1/2:") && run.out().contains("epoch 2/2:"), run.out());
        assertTrue(run.out().contains("sgd lr 0.01 momentum 0.9"), run.out());
        resultAccuracy(run, "cnn", 2);
    }

    @Test
    void badOptionsAreNamedWithTheExpectation() throws IOException {
        Run model = train("--model", "resnet");
        assertEquals(2, model.exitCode());
        assertTrue(model.err().contains("'resnet' is not a model; expected mlp or cnn"), model.err());
        Run lr = train("--lr", "0", "--data", dir.toString());
        assertEquals(2, lr.exitCode());
        assertTrue(lr.err().contains("--lr 0.0: expected a positive number"), lr.err());
        Run batch = train("--batch", "x");
        assertEquals(2, batch.exitCode());
        assertTrue(batch.err().contains("--batch"), batch.err());
        Run data = train("--data", dir.resolve("missing").toString());
        assertEquals(2, data.exitCode());
        assertTrue(data.err().contains("no such folder"), data.err());
        Run save = train("--save", dir.resolve("missing").resolve("w.safetensors").toString(), "--data",
                syntheticData(64).toString());
        assertEquals(2, save.exitCode());
        assertTrue(save.err().contains("--save") && save.err().contains("no such folder"), save.err());
        Run empty = train("--data", Files.createDirectories(dir.resolve("empty")).toString());
        assertEquals(1, empty.exitCode());
        assertTrue(empty.err().contains("train-images-idx3-ubyte.gz"), empty.err());
    }

    @Test
    void helpListsEveryOption() {
        Run help = train("--help");
        assertEquals(0, help.exitCode());
        for (String option : new String[] {"--model", "--epochs", "--batch", "--lr", "--optimizer", "--threads",
                "--seed", "--save", "--data", "--plot"}) {
            assertTrue(help.out().contains(option), option + " in " + help.out());
        }
    }
}
