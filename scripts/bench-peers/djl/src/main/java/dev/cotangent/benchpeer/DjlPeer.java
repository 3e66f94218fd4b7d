package dev.cotangent.benchpeer;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The DJL side of the Cotangent training-step benchmarks (what a Java user would pick instead): DJL's Block
 * and Trainer API on its PyTorch engine, SGD with a fixed learning rate, the same shapes as the library's
 * side (NCHW where it uses NHWC).
 *
 * <p>Protocol (as scripts/bench-peers/torch_peer.py serve): prints READY, then for each line naming an op runs
 * it once and answers with the nanoseconds it took; {@code quit} ends it. Threads: {@code --threads T}, given
 * to libtorch through DJL's {@code ai.djl.pytorch.num_threads} property before the engine loads.
 */
public final class DjlPeer {
    private DjlPeer() {}

    /** One training step: forward, loss, backward, optimizer update; returns the loss. */
    private interface Step {
        float run();
    }

    public static void main(String[] args) throws Exception {
        int threads = 1;
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--threads")) {
                threads = Integer.parseInt(args[i + 1]);
            }
        }
        System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        Map<String, Step> ops = new LinkedHashMap<>();
        ops.put("mlp_step", classifier("mlp", new SequentialBlock()
                .add(Linear.builder().setUnits(512).build()).add(Activation::relu)
                .add(Linear.builder().setUnits(512).build()).add(Activation::relu)
                .add(Linear.builder().setUnits(10).build()), new Shape(256, 784), 0.01f));
        ops.put("lenet_step", classifier("lenet", new SequentialBlock()
                .add(conv(32)).add(Activation::relu).add(Pool.maxPool2dBlock(new Shape(2, 2)))
                .add(conv(64)).add(Activation::relu).add(Pool.maxPool2dBlock(new Shape(2, 2)))
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(256).build()).add(Activation::relu)
                .add(Linear.builder().setUnits(10).build()), new Shape(64, 3, 32, 32), 0.01f));
        ops.put("seed_mlp_step", seedMlp());
        ops.put("seed_cnn_step", classifier("seed-cnn", new SequentialBlock()
                .add(Conv2d.builder().setKernelShape(new Shape(5, 5)).setFilters(6).build())
                .add(Pool.maxPool2dBlock(new Shape(2, 2))).add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(10).build()), new Shape(10, 3, 16, 16), 0.01f));
        for (Map.Entry<String, Step> e : ops.entrySet()) {
            float first = e.getValue().run();
            float last = first;
            for (int i = 1; i < 8; i++) {
                last = e.getValue().run();
            }
            if (!(last < first)) {
                System.err.println("djl peer: " + e.getKey() + " does not train: loss " + first + " -> " + last);
                System.exit(1);
            }
            System.err.printf("djl peer: %s loss %.4f -> %.4f over 8 steps%n", e.getKey(), first, last);
        }
        System.out.println("READY");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String name = line.trim();
            if (name.isEmpty() || name.equals("quit")) {
                break;
            }
            Step step = ops.get(name);
            if (step == null) {
                System.err.println("djl peer: unknown op " + name + "; have " + ops.keySet());
                System.exit(2);
            }
            long t = System.nanoTime();
            step.run();
            System.out.println(System.nanoTime() - t);
            System.out.flush();
        }
        System.exit(0);
    }

    private static Block conv(int filters) {
        return Conv2d.builder().setKernelShape(new Shape(5, 5)).setFilters(filters).build();
    }

    /** Softmax cross-entropy (sparse labels, mean) on a fixed random batch of {@code input} with labels 0..9. */
    private static Step classifier(String name, Block net, Shape input, float lr) {
        Trainer trainer = trainer(name, net, Loss.softmaxCrossEntropyLoss(), input, lr);
        NDManager m = trainer.getManager();
        NDArray x = m.randomNormal(input);
        NDArray y = m.arange(0, (int) input.get(0), 1, DataType.INT32).mod(10).toType(DataType.FLOAT32, false);
        return step(trainer, x, out -> trainer.getLoss().evaluate(new NDList(y), out));
    }

    /** The tutorial's XOR MLP: mean((ŷ - y)²) with ŷ [4, 1] and y [4] broadcasting to [4, 4]. */
    private static Step seedMlp() {
        SequentialBlock net = new SequentialBlock()
                .add(Linear.builder().setUnits(10).build()).add(Activation::relu)
                .add(Linear.builder().setUnits(1).build()).add(Activation::relu);
        for (int seed = 0; ; seed++) { // a seed whose relu output is not dead from the start
            ai.djl.engine.Engine.getInstance().setRandomSeed(seed);
            Trainer trainer = trainer("seed-mlp", net, Loss.l2Loss(), new Shape(4, 2), 0.02f);
            NDManager m = trainer.getManager();
            NDArray x = m.create(new float[] {0, 0, 0, 1, 1, 0, 1, 1}, new Shape(4, 2));
            NDArray y = m.create(new float[] {0, 1, 1, 0});
            Step s = step(trainer, x, out -> out.singletonOrThrow().sub(y).square().mean());
            float first = s.run();
            if (first != 0.5f || seed > 20) {
                return s;
            }
            trainer.close();
        }
    }

    private static Trainer trainer(String name, Block net, Loss loss, Shape input, float lr) {
        Model model = Model.newInstance(name);
        model.setBlock(net);
        Trainer trainer = model.newTrainer(new DefaultTrainingConfig(loss)
                .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(lr)).build()));
        trainer.initialize(input);
        return trainer;
    }

    /**
     * A step on a fixed batch: the intermediates of each step live in a sub-manager closed after the update,
     * as DJL's EasyTrain does with a batch's manager.
     */
    private static Step step(Trainer trainer, NDArray x, Function<NDList, NDArray> loss) {
        return () -> {
            try (NDManager sub = trainer.getManager().newSubManager()) {
                NDList data = new NDList(x);
                data.tempAttach(sub);
                float value;
                try (GradientCollector gc = trainer.newGradientCollector()) {
                    NDArray l = loss.apply(trainer.forward(data));
                    value = l.getFloat();
                    gc.backward(l);
                }
                trainer.step();
                return value;
            }
        };
    }
}
