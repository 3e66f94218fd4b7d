package dev.cotangent.nn.weights;

import dev.cotangent.autodiff.Tangents;
import dev.cotangent.autodiff.Tensor;
import dev.cotangent.core.DType;
import dev.cotangent.nn.Activation;
import dev.cotangent.nn.Conv2D;
import dev.cotangent.nn.Dense;
import dev.cotangent.nn.Flatten;
import dev.cotangent.nn.Initializers;
import dev.cotangent.nn.Losses;
import dev.cotangent.nn.MaxPool2D;
import dev.cotangent.nn.SGD;
import dev.cotangent.nn.Sequential;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Cotangent's side of the PyTorch checks that {@code scripts/bench-peers/torch_weights.py} drives: the MLP and
 * CNN that match its models, loading its files, saving ours in its layout, and the SGD steps of the parity run.
 *
 * <pre>
 *   TorchInterop interop DIR   after `torch_weights.py export DIR`: prints INTEROP lines, exits 1 over 1e-6
 *   TorchInterop parity DIR    after `torch_weights.py parity DIR`: writes parity_cotangent_{mlp,cnn}[_losses]
 * </pre>
 */
public final class TorchInterop {
    private TorchInterop() {}

    static final double OUTPUT_TOLERANCE = 1e-6;

    /** torch: Sequential(Linear(784, 256), ReLU, Linear(256, 10)). */
    static Sequential mlp() {
        return new Sequential(new Dense(784, 256, Activation.RELU), new Dense(256, 10));
    }

    static TorchMapping mlpMapping(Sequential mlp) {
        return TorchMapping.byModuleOrder(mlp, "0", "2");
    }

    /** torch: Conv2d(1,6,5) ReLU MaxPool2d(2) Conv2d(6,16,5) ReLU MaxPool2d(2) Flatten Linear(256,120) ... */
    static Sequential cnn() {
        return new Sequential(new Conv2D(5, 5, 1, 6, Activation.RELU), new MaxPool2D(2, 2, 2, 2),
                new Conv2D(5, 5, 6, 16, Activation.RELU), new MaxPool2D(2, 2, 2, 2), new Flatten(),
                new Dense(256, 120, Activation.RELU), new Dense(120, 84, Activation.RELU), new Dense(84, 10));
    }

    static TorchMapping cnnMapping(Sequential cnn) {
        return TorchMapping.byModuleOrder(cnn, "0", "3", "7", "9", "11").withFlattenedInput("layers.5", 4, 4, 16);
    }

    /** A torch batch [B, 1, 28, 28] as the model's input: [B, 784] for the MLP, NHWC [B, 28, 28, 1] for the CNN. */
    static Tensor input(String model, Tensor torchBatch) {
        int b = torchBatch.shape().dim(0);
        return model.equals("mlp") ? torchBatch.reshape(b, 784) : torchBatch.reshape(b, 28, 28, 1);
    }

    /** max|a - b| / max|b| over the whole tensor. */
    static double relativeDifference(Tensor a, Tensor b) {
        double[] x = a.toDoubleArray();
        double[] y = b.toDoubleArray();
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < y.length; i++) {
            diff = Math.max(diff, Math.abs(x[i] - y[i]));
            scale = Math.max(scale, Math.abs(y[i]));
        }
        return diff / scale;
    }

    /**
     * Loads PyTorch's exported models (float32 and float64) into ours and compares outputs on its input; then
     * saves models of our own (seed 3) in PyTorch's layout with our outputs, for {@code torch_weights.py check}.
     * Returns the worst relative output difference.
     */
    static double interop(Path dir, java.io.PrintStream out) {
        double worst = 0;
        Map<String, Tensor> outputs = new LinkedHashMap<>();
        try (SafeTensorsFile inputs = SafeTensorsFile.open(dir.resolve("torch_inputs.safetensors"))) {
            Tensor x32 = inputs.read("x");
            for (DType dtype : DType.values()) {
                String suffix = dtype == DType.F32 ? "f32" : "f64";
                Tensor x = x32.toType(dtype);
                for (String name : new String[] {"mlp", "cnn"}) {
                    Sequential model = of(dtype, name.equals("mlp") ? mlp() : cnn());
                    TorchMapping mapping = name.equals("mlp") ? mlpMapping(model) : cnnMapping(model);
                    Weights.load(model, dir.resolve("torch_" + name + "_" + suffix + ".safetensors"), mapping);
                    double r = relativeDifference(model.apply(input(name, x)), inputs.read(name + "_" + suffix));
                    out.printf("INTEROP cotangent-loads-torch model=%s dtype=%s max_rel_output_diff=%.3g%n", name,
                            suffix, r);
                    worst = Math.max(worst, r);

                    Initializers.setGlobalSeed(3);
                    Sequential ours = of(dtype, name.equals("mlp") ? mlp() : cnn());
                    Weights.save(ours, dir.resolve("cotangent_" + name + "_" + suffix + ".safetensors"),
                            name.equals("mlp") ? mlpMapping(ours) : cnnMapping(ours));
                    outputs.put(name + "_" + suffix, ours.apply(input(name, x)));
                }
            }
        }
        Weights.save(outputs, dir.resolve("cotangent_outputs.safetensors"));
        return worst;
    }

    /** {@code model} with its parameters converted to {@code dtype}. */
    static Sequential of(DType dtype, Sequential model) {
        return Tangents.rebuild(model, Tangents.tensors(model).stream().map(t -> t.toType(dtype)).toList());
    }

    /** The parity run's SGD steps from PyTorch's initial weights and batches; writes weights and losses. */
    static void parity(Path dir, java.io.PrintStream out) {
        try (SafeTensorsFile batches = SafeTensorsFile.open(dir.resolve("parity_batches.safetensors"))) {
            int steps = Integer.parseInt(batches.metadata().get("steps"));
            double lr = Double.parseDouble(batches.metadata().get("lr"));
            for (String name : new String[] {"mlp", "cnn"}) {
                Sequential model = name.equals("mlp") ? mlp() : cnn();
                TorchMapping mapping = name.equals("mlp") ? mlpMapping(model) : cnnMapping(model);
                Weights.load(model, dir.resolve("parity_init_" + name + ".safetensors"), mapping);
                SGD<Sequential> sgd = new SGD<>(model, lr);
                double[] losses = new double[steps];
                for (int i = 0; i < steps; i++) {
                    Tensor x = batches.read("x." + i);
                    Tensor labels = batches.read("y." + i);
                    Tensor in = name.equals("mlp") ? x : x.reshape(x.shape().dim(0), 28, 28, 1);
                    // Mean over the batch, as torch's CrossEntropyLoss(reduction="mean").
                    losses[i] = sgd.step(model, m -> Losses.softmaxCrossEntropy(m.apply(in), labels));
                }
                out.printf("parity %s: losses cotangent %s%n", name, java.util.Arrays.toString(losses));
                Weights.save(model, dir.resolve("parity_cotangent_" + name + ".safetensors"), mapping);
                Weights.save(Map.of("losses", Tensor.of(losses, steps)),
                        dir.resolve("parity_cotangent_" + name + "_losses.safetensors"));
            }
        }
    }

    public static void main(String[] args) {
        if (args.length != 2 || !(args[0].equals("interop") || args[0].equals("parity"))) {
            System.err.println("usage: TorchInterop interop|parity DIR");
            System.exit(2);
        }
        Path dir = Path.of(args[1]);
        if (args[0].equals("interop")) {
            double worst = interop(dir, System.out);
            System.exit(worst <= OUTPUT_TOLERANCE ? 0 : 1);
        }
        parity(dir, System.out);
    }
}
