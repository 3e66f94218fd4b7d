package dev.cotangent.nn.weights;

import dev.cotangent.autodiff.Tangents;
import dev.cotangent.autodiff.Tensor;
import dev.cotangent.core.NdArray;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Saves and loads any model's parameters by their paths ({@code layers.0.weight}, as
 * {@link Tangents#named} gives them) as safetensors files; with a {@link TorchMapping}, under PyTorch's names and
 * layouts. Loading memory-maps the file and copies each tensor straight into the parameter's off-heap memory. A
 * load checks everything first (names, dtypes, shapes) and writes nothing when anything is wrong.
 *
 * {@snippet :
 * Weights.save(model, Path.of("model.safetensors"));
 * Weights.load(model, Path.of("model.safetensors"));          // in place
 * Model copy = Weights.loaded(model, Path.of("model.safetensors")); // new tensors, the template untouched
 * Weights.load(model, Path.of("torch.safetensors"), TorchMapping.byModuleOrder(model, "fc1", "fc2"));
 * }
 */
public final class Weights {
    private Weights() {}

    /** Writes the parameters of {@code model} under their paths, in their own layouts. */
    public static void save(Object model, Path file) {
        save(model, file, Map.of());
    }

    /** Writes the parameters of {@code model} under their paths, with {@code metadata} in the header. */
    public static void save(Object model, Path file, Map<String, String> metadata) {
        write(model, file, path -> new TorchMapping.Target(path, TensorLayout.SAME), metadata);
    }

    /**
     * Writes the parameters of {@code model} as PyTorch's {@code state_dict} would hold them: under the mapped
     * names, in PyTorch's layouts, with {@code {"format": "pt"}} as metadata as the safetensors package writes.
     */
    public static void save(Object model, Path file, TorchMapping mapping) {
        Objects.requireNonNull(mapping, "save: mapping");
        write(model, file, mapping::target, Map.of("format", "pt"));
    }

    /** Overwrites the parameters of {@code model} with the tensors of the same names in {@code file}. */
    public static void load(Object model, Path file) {
        read(model, file, path -> new TorchMapping.Target(path, TensorLayout.SAME), Set.of(), true);
    }

    /** Overwrites the parameters of {@code model} with the PyTorch tensors {@code mapping} names. */
    public static void load(Object model, Path file, TorchMapping mapping) {
        Objects.requireNonNull(mapping, "load: mapping");
        read(model, file, mapping::target, mapping.ignored(), true);
    }

    /** A model of the structure of {@code template} with new parameters read from {@code file}. */
    public static <M> M loaded(M template, Path file) {
        return read(template, file, path -> new TorchMapping.Target(path, TensorLayout.SAME), Set.of(), false);
    }

    /** A model of the structure of {@code template} with new parameters read from a PyTorch file. */
    public static <M> M loaded(M template, Path file, TorchMapping mapping) {
        Objects.requireNonNull(mapping, "loaded: mapping");
        return read(template, file, mapping::target, mapping.ignored(), false);
    }

    private static void write(Object model, Path file, Function<String, TorchMapping.Target> targets,
            Map<String, String> metadata) {
        Objects.requireNonNull(file, "save: file");
        List<SafeTensorsFile.Source> sources = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        for (Map.Entry<String, Tensor> p : Tangents.named(model).entrySet()) {
            TorchMapping.Target t = targets.apply(p.getKey());
            if (!names.add(t.name())) {
                throw new IllegalArgumentException("save: two parameters map to the name '" + t.name() + "'");
            }
            NdArray array = p.getValue().value();
            sources.add(new SafeTensorsFile.Source(t.name(), array.isContiguous() ? array : array.contiguous(),
                    t.layout()));
        }
        SafeTensorsFile.write(file, sources, metadata);
    }

    /** One parameter and where its data is in the file. */
    private record Step(String path, Tensor parameter, TensorEntry entry, TensorLayout layout) {}

    private static <M> M read(M model, Path file, Function<String, TorchMapping.Target> targets, Set<String> ignored,
            boolean inPlace) {
        Objects.requireNonNull(file, "load: file");
        Map<String, Tensor> parameters = Tangents.named(model);
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            List<Step> steps = plan(f, parameters, targets, ignored, inPlace);
            List<Tensor> fresh = new ArrayList<>(steps.size());
            for (Step s : steps) {
                NdArray target = inPlace ? s.parameter().value() : NdArray.empty(s.parameter().dtype(),
                        s.parameter().shape());
                f.copyInto(s.entry(), target, s.layout());
                fresh.add(inPlace ? s.parameter() : Tensor.of(target));
            }
            return inPlace ? model : Tangents.rebuild(model, fresh);
        }
    }

    /** Every check before any write: names both ways, dtypes, shapes, writable parameters. */
    private static List<Step> plan(SafeTensorsFile f, Map<String, Tensor> parameters,
            Function<String, TorchMapping.Target> targets, Set<String> ignored, boolean inPlace) {
        Path file = f.path();
        List<Step> steps = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        Set<String> used = new LinkedHashSet<>();
        for (Map.Entry<String, Tensor> p : parameters.entrySet()) {
            TorchMapping.Target t = targets.apply(p.getKey());
            TensorEntry e = f.entry(t.name()).orElse(null);
            if (e == null) {
                missing.add(t.name().equals(p.getKey()) ? t.name() : t.name() + " (for " + p.getKey() + ")");
                continue;
            }
            used.add(t.name());
            steps.add(new Step(p.getKey(), p.getValue(), e, t.layout()));
        }
        List<String> extra = new ArrayList<>();
        for (TensorEntry e : f.entries()) {
            if (!used.contains(e.name()) && !ignored.contains(e.name())) {
                extra.add(e.name());
            }
        }
        if (!missing.isEmpty() || !extra.isEmpty()) {
            throw new WeightFileException(file, "the file's tensors do not match the model's parameters"
                    + (missing.isEmpty() ? "" : "; missing from the file: " + missing)
                    + (extra.isEmpty() ? "" : "; in the file but not in the model: " + extra));
        }
        for (Step s : steps) {
            Tensor p = s.parameter();
            TensorEntry e = s.entry();
            String what = "tensor '" + e.name() + "' " + e.describe() + " for parameter " + s.path() + " "
                    + p.dtype() + p.shape();
            if (e.dtype().dtype() != p.dtype()) {
                throw new WeightFileException(file, what + ": dtypes differ; expected " + WeightDType.of(p.dtype())
                        + " (convert the file or the model with toType)");
            }
            long[] expected;
            try {
                expected = s.layout().fileShape(p.shape());
            } catch (IllegalArgumentException x) {
                throw new WeightFileException(file, what + ": " + x.getMessage(), x);
            }
            if (!Arrays.equals(expected, e.shape())) {
                throw new WeightFileException(file, what + ": shapes differ; expected " + WeightDType.of(p.dtype())
                        + Arrays.toString(expected) + (s.layout() == TensorLayout.SAME ? ""
                        : " (layout " + s.layout() + ")"));
            }
            if (inPlace) {
                if (p.isTracked()) {
                    throw new IllegalStateException("load: parameter " + s.path() + " is tracked by a running"
                            + " derivative; load weights outside gradient computations");
                }
                p.value().checkWritable("load " + s.path());
                if (!p.value().isContiguous()) {
                    throw new IllegalStateException("load: parameter " + s.path() + " " + p.dtype() + p.shape()
                            + " is a strided view; expected contiguous parameters");
                }
            }
        }
        return steps;
    }
}
