package dev.distillery.experiment;

import dev.distillery.data.LabeledData;
import dev.distillery.data.Splits;
import dev.distillery.distill.LayerProbe;
import dev.distillery.distill.SentenceDistill;
import dev.distillery.model.Layered;
import dev.distillery.model.Network;
import dev.distillery.registry.Registry;
import dev.distillery.spec.SpecException;
import dev.distillery.teacher.Teacher;
import dev.distillery.train.TrainingOptions;
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
        Measured measure(Subject subject, ExperimentSpec.ProbeSpec spec, Function<String, Splits> data, long seed);
    }

    /**
     * What is probed: {@code model} (a network trained here, or a teacher); {@code tunable}, the network
     * a probe may fine-tune (null for a teacher or an untrained baseline); {@code reference}, the
     * pretrained teacher whose embeddings fidelity is measured against (null: none).
     */
    public record Subject(Layered model, Network tunable, Teacher reference) {
        /** A network trained here, which probes may fine-tune. */
        public static Subject trained(Network n, Teacher reference) {
            return new Subject(n, n, reference);
        }
    }

    /** What a probe measured: values by name (for the record) and a one-line account. */
    public record Measured(Map<String, Double> values, String summary) {}

    private static final Registry<Probe> REGISTRY = new Registry<Probe>("probe")
            .register(
                    "layers",
                    "SUPERB-style: per task, a linear classifier on a learned softmax-weighted mix of the frozen"
                            + " model's time-pooled layers; records the test accuracy, chance and top layer",
                    Probes::layers)
            .register(
                    "fidelity",
                    "sentence embeddings against the pretrained teacher's on the test split of the one task"
                            + " named: fidelity (mean cosine after a linear map fitted on train) and top-10"
                            + " neighbour agreement",
                    Probes::fidelity)
            .register(
                    "embedding-probe",
                    "per task, a linear classifier on the frozen model's standardised sentence embeddings;"
                            + " records the test accuracy as TASK_probe",
                    Probes::embeddingProbe)
            .register(
                    "fine-tune",
                    "per task, the trained encoder with a fresh classifier, trained on the task's labels"
                            + " (not for teachers and untrained baselines); records TASK_finetuned",
                    Probes::fineTune)
            .register(
                    "latency",
                    "milliseconds per embedding (a sentence, or a speech clip) on up to 512 test rows of the one"
                            + " task named, batches of 32, best of 3 passes, computed by the model itself; records"
                            + " ms_per_sentence or ms_per_clip",
                    Probes::latency);

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
            Subject subject, ExperimentSpec.ProbeSpec spec, Function<String, Splits> data, long seed) {
        Layered model = subject.model();
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

    private static Measured fidelity(
            Subject subject, ExperimentSpec.ProbeSpec spec, Function<String, Splits> data, long seed) {
        if (subject.reference() == null) {
            throw new SpecException(
                    "the fidelity probe measures against a pretrained teacher; the experiment has none");
        }
        if (subject.model() == subject.reference()) {
            return new Measured(Map.of(), "fidelity: the reference itself");
        }
        SentenceDistill.Quality q = SentenceDistill.quality(
                subject.reference(), d -> SentenceEmbeddings.features(subject.model(), d), data.apply(one(spec)));
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("fidelity", q.fidelity());
        m.put("neighbours", q.neighbours());
        m.put("mean_embedding_fidelity", q.baseline());
        return new Measured(
                m,
                String.format(
                        Locale.ROOT,
                        "fidelity %.3f, neighbours@%d %.3f (the teacher's mean embedding scores %.3f)",
                        q.fidelity(),
                        q.k(),
                        q.neighbours(),
                        q.baseline()));
    }

    private static Measured embeddingProbe(
            Subject subject, ExperimentSpec.ProbeSpec spec, Function<String, Splits> data, long seed) {
        Map<String, Double> m = new LinkedHashMap<>();
        List<String> parts = new ArrayList<>();
        for (String t : spec.tasks()) {
            double acc = SentenceEmbeddings.probe(
                    SentenceEmbeddings.of(subject.model(), data.apply(t)),
                    spec.epochs(),
                    spec.learningRate(),
                    spec.batchSize(),
                    seed);
            m.put(key(t) + "_probe", acc);
            parts.add(String.format(Locale.ROOT, "%s %.1f%%", key(t), 100 * acc));
        }
        return new Measured(m, "embedding probes: " + String.join(", ", parts));
    }

    private static Measured fineTune(
            Subject subject, ExperimentSpec.ProbeSpec spec, Function<String, Splits> data, long seed) {
        if (subject.tunable() == null) {
            return new Measured(Map.of(), "fine-tuned: not for a teacher or an untrained baseline");
        }
        Map<String, Double> m = new LinkedHashMap<>();
        List<String> parts = new ArrayList<>();
        for (String t : spec.tasks()) {
            double acc = SentenceDistill.fineTune(
                            subject.tunable(),
                            data.apply(t),
                            TrainingOptions.defaults()
                                    .epochs(spec.epochs())
                                    .batchSize(spec.batchSize())
                                    .learningRate(spec.learningRate())
                                    .seed(seed),
                            List.of())
                    .metrics()
                    .testAccuracy();
            m.put(key(t) + "_finetuned", acc);
            parts.add(String.format(Locale.ROOT, "%s %.1f%%", key(t), 100 * acc));
        }
        return new Measured(m, "fine-tuned: " + String.join(", ", parts));
    }

    private static Measured latency(
            Subject subject, ExperimentSpec.ProbeSpec spec, Function<String, Splits> data, long seed) {
        LabeledData test = data.apply(one(spec)).test();
        // a teacher is timed through its model, not through its cache of outputs
        Layered model = subject.model() instanceof Teacher t ? t.model() : subject.model();
        double ms = SentenceEmbeddings.latency(model, test);
        String unit = test.hasWaveforms() ? "clip" : "sentence";
        return new Measured(Map.of("ms_per_" + unit, ms), String.format(Locale.ROOT, "%.2f ms per %s", ms, unit));
    }

    /** The one task a probe of a single data set names. */
    private static String one(ExperimentSpec.ProbeSpec spec) {
        if (spec.tasks().size() != 1) {
            throw new SpecException(
                    "the " + spec.type() + " probe measures on one data set; it was given " + spec.tasks());
        }
        return spec.tasks().get(0);
    }
}
