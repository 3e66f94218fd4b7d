package dev.cotangent.examples.train;

import dev.cotangent.core.Backend;
import dev.cotangent.nn.Adam;
import dev.cotangent.nn.Initializers;
import dev.cotangent.nn.Optimizer;
import dev.cotangent.nn.SGD;
import dev.cotangent.nn.Sequential;
import dev.cotangent.nn.data.Dataset;
import dev.cotangent.nn.data.FashionMnist;
import dev.cotangent.nn.weights.Weights;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Trains an MLP or a small CNN on Fashion-MNIST: live progress per epoch, test accuracy after each, the loss and
 * accuracy curves as a PNG, and one closing {@code RESULT train ...} line.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = "Trains a network on Fashion-MNIST and reports the test accuracy after each epoch.")
public final class Train implements Callable<Integer> {
    /** The optimizers offered, each with the learning rate used when --lr is not given. */
    enum OptimizerChoice {
        SGD(0.01), ADAM(2e-3);

        final double defaultLearningRate;

        OptimizerChoice(double defaultLearningRate) {
            this.defaultLearningRate = defaultLearningRate;
        }
    }

    @Spec
    @SuppressWarnings("NullAway.Init")
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "mlp|cnn", description = "mlp (784-256-10) or cnn (LeNet shape);"
            + " default: ${DEFAULT-VALUE}", defaultValue = "mlp", converter = ModelConverter.class)
    Models model = Models.MLP;

    @Option(names = "--epochs", paramLabel = "N", description = "passes over the training set; default: 1 for mlp,"
            + " 2 for cnn")
    @Nullable Integer epochs;

    @Option(names = "--batch", paramLabel = "B", description = "samples per step; default: ${DEFAULT-VALUE}",
            defaultValue = "64")
    int batch;

    @Option(names = "--lr", paramLabel = "X", description = "learning rate; default: 0.002 for adam, 0.01 for sgd")
    @Nullable Double learningRate;

    @Option(names = "--optimizer", paramLabel = "sgd|adam", description = "default: ${DEFAULT-VALUE}",
            defaultValue = "adam", converter = OptimizerConverter.class)
    OptimizerChoice optimizer = OptimizerChoice.ADAM;

    @Option(names = "--momentum", paramLabel = "M", description = "sgd's momentum; default: ${DEFAULT-VALUE}",
            defaultValue = "0.9")
    double momentum;

    @Option(names = "--threads", paramLabel = "T", description = "BLAS and kernel threads; default: all cores")
    int threads;

    @Option(names = "--seed", paramLabel = "S", description = "seed of the initial weights and the batch order;"
            + " default: ${DEFAULT-VALUE}", defaultValue = "1")
    long seed;

    @Option(names = "--save", paramLabel = "FILE", description = "write the trained weights (safetensors)")
    @Nullable Path save;

    @Option(names = "--data", paramLabel = "DIR", description = "folder of the four Fashion-MNIST IDX files;"
            + " default: -Dcotangent.data.fashionMnist, else /usr/share/datasets/fashion-mnist")
    @Nullable Path data;

    @Option(names = "--plot", paramLabel = "FILE", description = "PNG of the loss and accuracy curves; default:"
            + " fashion-mnist-<model>.png")
    @Nullable Path plot;

    private final PrintStream out;

    Train(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        System.exit(run(args, out, new PrintWriter(System.err, true, StandardCharsets.UTF_8)));
    }

    /** Parses {@code args} and trains; returns the exit code (2 for bad options, 1 for a failed run). */
    static int run(String[] args, PrintStream out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Train(out));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(err);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setParameterExceptionHandler((e, a) -> {
            err.println("train: " + e.getMessage());
            err.println("Run train --help for the options.");
            return 2;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            err.println("train: " + e.getMessage());
            return 1;
        });
        return cli.execute(args);
    }

    @Override
    public Integer call() {
        int epochCount = epochs != null ? epochs : model == Models.CNN ? 2 : 1;
        double lr = learningRate != null ? learningRate : optimizer.defaultLearningRate;
        int threadCount = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        Path dataDir = data != null ? data : FashionMnist.defaultDirectory();
        Path plotFile = plot != null ? plot : Path.of("fashion-mnist-" + name(model) + ".png");
        check(epochCount >= 1, "--epochs " + epochCount + ": expected at least 1");
        check(batch >= 1, "--batch " + batch + ": expected at least 1");
        check(lr > 0 && Double.isFinite(lr), "--lr " + lr + ": expected a positive number");
        check(momentum >= 0 && momentum < 1, "--momentum " + momentum + ": expected a number in [0, 1)");
        check(threads >= 0 && threadCount <= Backend.MAX_THREADS, "--threads " + threads + ": expected 1 to "
                + Backend.MAX_THREADS);
        check(Files.isDirectory(dataDir), "--data " + dataDir + ": no such folder; expected the folder of the"
                + " Fashion-MNIST IDX files (Debian: apt-get install dataset-fashion-mnist)");
        if (save != null) {
            Path parent = save.toAbsolutePath().getParent();
            check(parent != null && Files.isDirectory(parent), "--save " + save + ": no such folder " + parent);
        }

        Backend.setThreads(threadCount);
        Initializers.setGlobalSeed(seed);
        Sequential net = model.build();
        Optimizer<Sequential> opt = optimizer == OptimizerChoice.ADAM ? new Adam<>(net, lr)
                : new SGD<>(net, lr, momentum, 0, false);
        long parameters = net.parameters().values().stream().mapToLong(t -> t.shape().size()).sum();
        try (Dataset train = FashionMnist.train(dataDir); Dataset test = FashionMnist.test(dataDir)) {
            out.printf(Locale.ROOT, "Fashion-MNIST: %d training and %d test images %dx%dx%d from %s%n", train.size(),
                    test.size(), train.height(), train.width(), train.channels(), dataDir);
            out.printf(Locale.ROOT, "model %s (%,d parameters), %s lr %s%s, batch %d, %d thread%s, seed %d%n",
                    name(model), parameters, name(optimizer), lr,
                    optimizer == OptimizerChoice.SGD ? " momentum " + momentum : "", batch, threadCount,
                    threadCount == 1 ? "" : "s", seed);
            out.println("backend: " + Backend.describe());
            Trainer trainer = new Trainer(net, opt, batch, seed, out, Progress.stdoutIsTerminal(), train);
            double trainSeconds = 0;
            Trainer.EpochResult last = null;
            for (int epoch = 1; epoch <= epochCount; epoch++) {
                last = trainer.epoch(epoch, epochCount, train, test);
                trainSeconds += last.seconds();
                out.printf(Locale.ROOT, "epoch %d/%d: train loss %.4f, %.1f s, %.0f samples/s; test loss %.4f,"
                        + " test accuracy %.4f%n", epoch, epochCount, last.trainLoss(), last.seconds(),
                        last.samplesPerSecond(), last.testLoss(), last.testAccuracy());
            }
            trainer.curves.writePng(plotFile, "Fashion-MNIST " + name(model));
            out.println("curves: " + plotFile.toAbsolutePath());
            if (save != null) {
                Weights.save(net, save);
                out.println("weights: " + save.toAbsolutePath());
            }
            out.printf(Locale.ROOT, "RESULT train model=%s epochs=%d test_accuracy=%.4f samples_per_s=%.0f%n",
                    name(model), epochCount, last.testAccuracy(), (double) epochCount * train.size() / trainSeconds);
        }
        return 0;
    }

    private void check(boolean ok, String message) {
        if (!ok) {
            throw new ParameterException(spec.commandLine(), message);
        }
    }

    private static String name(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /** The constant of {@code values} named {@code value} in any case, or an error naming every choice. */
    static <E extends Enum<E>> E choose(E[] values, String value, String what) {
        for (E e : values) {
            if (e.name().equalsIgnoreCase(value)) {
                return e;
            }
        }
        throw new CommandLine.TypeConversionException("'" + value + "' is not " + what + "; expected "
                + String.join(" or ", java.util.Arrays.stream(values).map(Train::name).toList()));
    }

    static final class ModelConverter implements CommandLine.ITypeConverter<Models> {
        @Override
        public Models convert(String value) {
            return choose(Models.values(), value, "a model");
        }
    }

    static final class OptimizerConverter implements CommandLine.ITypeConverter<OptimizerChoice> {
        @Override
        public OptimizerChoice convert(String value) {
            return choose(OptimizerChoice.values(), value, "an optimizer");
        }
    }
}
