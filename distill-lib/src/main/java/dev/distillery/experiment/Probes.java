package dev.distillery.experiment;

import dev.distillery.data.Splits;
import dev.distillery.distill.LayerProbe;
import dev.distillery.model.Network;
import dev.distillery.registry.Registry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The registry of probes an experiment runs on each model it completes ({@code probes:} in a spec):
 * measurements of what a trained model's layers carry, beyond its own classifier's accuracy.
 */
public final class Probes {

    /** A probe: measures a model on the data sets {@code spec} names, with seed {@code seed}. */
    public interface Probe {
        Measured measure(Network model, ExperimentSpec.ProbeSpec spec, Function<String, Splits> data, long seed);
    }

    /** What a probe measured: values by name (for the record) and a one-line account. */
    public record Measured(Map<String, Double> values, String summary) {}

    private static final Registry<Probe> REGISTRY = new Registry<Probe>("probe")
            .register(
                    "layers",
                    "SUPERB-style: per task, a linear classifier on a learned softmax-weighted mix of the frozen"
                            + " model's time-pooled layers; records the test accuracy, chance and top layer",
                    Probes::layers);

    private Probes() {}

    public static Registry<Probe> registry() {
        return REGISTRY;
    }

    public static Probe get(String name) {
        return REGISTRY.get(name);
    }

    /** The short name a task's values are recorded under: the part after the data set's last {@code /}. */
    static String key(String dataset) {
        return dataset.substring(dataset.lastIndexOf('/') + 1);
    }

    private static Measured layers(
            Network model, ExperimentSpec.ProbeSpec spec, Function<String, Splits> data, long seed) {
        List<Splits> tasks = new ArrayList<>();
        spec.tasks().forEach(t -> tasks.add(data.apply(t)));
        LayerProbe.Options o = new LayerProbe.Options(spec.epochs(), spec.learningRate(), spec.batchSize(), seed);
        List<LayerProbe.Result> results = LayerProbe.fit(model, tasks, o);
        Map<String, Double> m = new LinkedHashMap<>();
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            m.put(key(spec.tasks().get(i)), results.get(i).accuracy());
        }
        for (int i = 0; i < results.size(); i++) {
            m.put(key(spec.tasks().get(i)) + "_chance", results.get(i).chance());
        }
        for (int i = 0; i < results.size(); i++) {
            LayerProbe.Result r = results.get(i);
            m.put(key(spec.tasks().get(i)) + "_top_layer", (double) r.layers().indexOf(r.topLayer()));
            parts.add(String.format(
                    Locale.ROOT,
                    "%s %.1f%% (top %s, chance %.1f%%)",
                    key(spec.tasks().get(i)),
                    100 * r.accuracy(),
                    r.topLayer(),
                    100 * r.chance()));
        }
        m.put("parameters", (double) model.parameterCount());
        return new Measured(m, "probes: " + String.join(", ", parts));
    }
}
