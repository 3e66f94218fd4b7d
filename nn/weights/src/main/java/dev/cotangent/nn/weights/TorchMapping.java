package dev.cotangent.nn.weights;

import dev.cotangent.autodiff.Tangents;
import dev.cotangent.autodiff.Tensor;
import dev.cotangent.nn.BatchNorm;
import dev.cotangent.nn.Conv2D;
import dev.cotangent.nn.Dense;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The correspondence between a model's parameters and the tensors of a PyTorch {@code state_dict}: for each
 * parameter path, the PyTorch name and the {@link TensorLayout} PyTorch stores it in.
 *
 * <p>{@link #byModuleOrder} pairs the model's layers that have parameters, in parameter order, with PyTorch
 * module names in the same order, and converts each known layer:
 * <table>
 *   <caption>Layouts</caption>
 *   <tr><th>here</th><th>PyTorch</th><th>layout</th></tr>
 *   <tr><td>{@code Dense.weight} [in, out]</td><td>{@code Linear.weight} [out, in]</td><td>{@link TensorLayout#TRANSPOSED}</td></tr>
 *   <tr><td>{@code Dense.bias} [out]</td><td>{@code Linear.bias} [out]</td><td>{@link TensorLayout#SAME}</td></tr>
 *   <tr><td>{@code Conv2D.filter} [h, w, in, out]</td><td>{@code Conv2d.weight} [out, in, h, w]</td><td>{@link TensorLayout#OIHW}</td></tr>
 *   <tr><td>{@code Conv2D.bias} [out]</td><td>{@code Conv2d.bias} [out]</td><td>{@link TensorLayout#SAME}</td></tr>
 *   <tr><td>{@code Dense.weight} after {@code Flatten} of an NHWC map</td><td>{@code Linear.weight} after
 *       {@code flatten(1)} of the NCHW map</td><td>{@link TensorLayout#flattenedNchw}, declared with
 *       {@link #withFlattenedInput}</td></tr>
 * </table>
 * A parameter of any other layer needs {@link #with}; a Dense layer that follows a Flatten of a convolution's
 * output must be declared with {@link #withFlattenedInput} (or {@link #with} and {@link TensorLayout#TRANSPOSED}
 * when its input really is channel-last), since reading it as a plain transpose would permute its inputs.
 *
 * {@snippet :
 * // torch: nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))  -> names 0.weight, 0.bias, 2.weight, 2.bias
 * var mlp = new Sequential(new Dense(784, 256, Activation.RELU), new Dense(256, 10));
 * Weights.load(mlp, Path.of("torch.safetensors"), TorchMapping.byModuleOrder(mlp, "0", "2"));
 * }
 */
public final class TorchMapping {
    /** Where one parameter lives in the PyTorch file. */
    public record Target(String name, TensorLayout layout) {}

    private final Map<String, Target> targets;
    private final Set<String> needsFlattenLayout;
    private final Set<String> ignored;

    private TorchMapping(Map<String, Target> targets, Set<String> needsFlattenLayout, Set<String> ignored) {
        this.targets = Collections.unmodifiableMap(new LinkedHashMap<>(targets));
        this.needsFlattenLayout = Set.copyOf(needsFlattenLayout);
        this.ignored = Set.copyOf(ignored);
    }

    /**
     * The model's layers that have parameters (Dense, Conv2D), in parameter order, named by {@code torchModules}
     * in the same order ({@code "0", "2"} for a PyTorch {@code Sequential} with a ReLU between two Linear layers,
     * {@code "fc1", "fc2"} for attributes).
     *
     * @throws IllegalArgumentException if the counts differ or a parameter belongs to a layer of unknown layout
     */
    public static TorchMapping byModuleOrder(Object model, String... torchModules) {
        Map<String, Tensor> parameters = Tangents.named(model);
        List<String> layers = new ArrayList<>();
        for (String path : parameters.keySet()) {
            String layer = owner(path);
            if (!layers.contains(layer)) {
                layers.add(layer);
            }
        }
        if (layers.size() != torchModules.length) {
            throw new IllegalArgumentException("TorchMapping.byModuleOrder: the model has " + layers.size()
                    + " layers with parameters " + layers + " but " + torchModules.length + " PyTorch modules were named "
                    + Arrays.toString(torchModules) + "; expected one name per layer, in the same order");
        }
        Map<String, Target> targets = new LinkedHashMap<>();
        Set<String> flatten = new HashSet<>();
        for (Map.Entry<String, Tensor> p : parameters.entrySet()) {
            String path = p.getKey();
            String layer = owner(path);
            String module = torchModules[layers.indexOf(layer)];
            String prefix = module.isEmpty() ? "" : module + ".";
            String leaf = path.substring(layer.isEmpty() ? 0 : layer.length() + 1);
            Object owner = LayerPaths.at(model, layer);
            Target t = switch (owner) {
                case Dense _ when leaf.equals("weight") -> {
                    if (LayerPaths.followsFlattenedFeatureMap(model, layer)) {
                        flatten.add(path);
                    }
                    yield new Target(prefix + "weight", TensorLayout.TRANSPOSED);
                }
                case Dense _ when leaf.equals("bias") -> new Target(prefix + "bias", TensorLayout.SAME);
                case Conv2D _ when leaf.equals("filter") -> new Target(prefix + "weight", TensorLayout.OIHW);
                case Conv2D _ when leaf.equals("bias") -> new Target(prefix + "bias", TensorLayout.SAME);
                case BatchNorm _ -> throw new IllegalArgumentException("TorchMapping.byModuleOrder: " + path
                        + " belongs to a BatchNorm, whose running statistics are not parameters and whose momentum"
                        + " and epsilon differ from PyTorch's; map it with with(path, name, layout) knowingly");
                case null, default -> throw new IllegalArgumentException("TorchMapping.byModuleOrder: parameter "
                        + path + " belongs to " + (owner == null ? "a layer the walk cannot reach"
                        : owner.getClass().getSimpleName()) + ", whose PyTorch layout is not known; map it with"
                        + " with(\"" + path + "\", torchName, TensorLayout.X)");
            };
            targets.put(path, t);
        }
        return new TorchMapping(targets, flatten, Set.of());
    }

    /** This mapping with parameter {@code path} stored as {@code torchName} in {@code layout}. */
    public TorchMapping with(String path, String torchName, TensorLayout layout) {
        Map<String, Target> t = new LinkedHashMap<>(targets);
        t.put(path, new Target(torchName, layout));
        Set<String> flatten = new HashSet<>(needsFlattenLayout);
        flatten.remove(path);
        return new TorchMapping(t, flatten, ignored);
    }

    /**
     * This mapping with the Dense layer at {@code layerPath} ({@code "layers.4"}) taking a flattened
     * [height, width, channels] feature map, which PyTorch flattens channel-first.
     */
    public TorchMapping withFlattenedInput(String layerPath, int height, int width, int channels) {
        String path = layerPath.isEmpty() ? "weight" : layerPath + ".weight";
        Target current = targets.get(path);
        if (current == null) {
            throw new IllegalArgumentException("TorchMapping.withFlattenedInput: no Dense weight at " + path
                    + "; the mapping has " + targets.keySet());
        }
        return with(path, current.name(), TensorLayout.flattenedNchw(height, width, channels));
    }

    /** This mapping, told to skip the PyTorch tensors {@code torchNames} when loading (buffers it has no use for). */
    public TorchMapping ignoring(String... torchNames) {
        Set<String> i = new HashSet<>(ignored);
        i.addAll(List.of(torchNames));
        return new TorchMapping(targets, needsFlattenLayout, i);
    }

    /** The PyTorch name and layout of each parameter path, in parameter order. */
    public Map<String, Target> targets() {
        return targets;
    }

    /** PyTorch tensors a load skips. */
    public Set<String> ignored() {
        return ignored;
    }

    /** The target of {@code path}, after checking that no Dense after a flattened feature map is left undeclared. */
    Target target(String path) {
        if (needsFlattenLayout.contains(path)) {
            throw new IllegalArgumentException("TorchMapping: " + path + " is a Dense weight after Flatten of a"
                    + " convolution's output; PyTorch flattens [C, H, W] where this model flattens [H, W, C], so declare"
                    + " the map's size with withFlattenedInput(\"" + owner(path) + "\", height, width, channels)");
        }
        Target t = targets.get(path);
        if (t == null) {
            throw new IllegalArgumentException("TorchMapping: no PyTorch name for parameter " + path
                    + "; the mapping covers " + targets.keySet());
        }
        return t;
    }

    private static String owner(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? "" : path.substring(0, dot);
    }

    /** One line per parameter: {@code layers.0.weight -> 0.weight (transposed [in, out] -> [out, in])}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("TorchMapping");
        targets.forEach((path, t) -> s.append("\n  ").append(path).append(" -> ").append(t.name()).append(" (")
                .append(t.layout()).append(')'));
        if (!ignored.isEmpty()) {
            s.append("\n  ignored: ").append(ignored);
        }
        return s.toString();
    }
}
