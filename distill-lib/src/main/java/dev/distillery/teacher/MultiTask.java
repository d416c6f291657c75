package dev.distillery.teacher;

import dev.distillery.data.LabeledData;
import dev.distillery.data.Splits;
import dev.distillery.eval.Accuracy;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.Network;
import dev.distillery.nn.Init;
import dev.distillery.nn.Linear;
import dev.distillery.nn.Module;
import dev.distillery.nn.Modules;
import dev.distillery.provenance.Provenance;
import dev.distillery.spec.SpecException;
import dev.distillery.tensor.Var;
import dev.distillery.train.CrossEntropy;
import dev.distillery.train.Objective;
import dev.distillery.train.TeacherOutput;
import dev.distillery.train.Trainer;
import dev.distillery.train.TrainingListener;
import dev.distillery.train.TrainingOptions;
import dev.distillery.train.TrainingOutcome;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A teacher trained on two tasks over the same examples: the primary task through the model's own
 * classifier, a secondary task through an extra linear head on one of its outputs (the pooled
 * {@code features} by default, or a layer, averaged over time). Speech encoders are wanted for
 * both content and speaker: a teacher trained on words alone keeps little of the speaker, and its
 * layers would give the students nothing to learn about voices.
 *
 * <p>The secondary head is the training loss's own weight: it is dropped with the loss, and the
 * teacher keeps the primary classifier. Its test accuracy is measured before it goes and recorded.
 */
public final class MultiTask implements Objective {

    /** The secondary task's name, how many classes it has, the output its head reads, and its weight in the loss. */
    public record Task(String name, int classes, String from, double weight) {
        public Task {
            if (name == null || name.isBlank()) {
                throw new SpecException("multi-task: the secondary task needs a name, e.g. voice");
            }
            if (classes < 2) {
                throw new SpecException("multi-task: task '" + name + "' needs at least 2 classes, got " + classes);
            }
            from = from == null ? Network.FEATURES : from;
            if (!(weight >= 0) || Double.isInfinite(weight)) {
                throw new SpecException(
                        "multi-task: weight of task '" + name + "' must be a finite number ≥ 0, got " + weight);
            }
        }
    }

    /** A trained two-task teacher, with test accuracy on each task. */
    public record Trained(Teacher teacher, TrainingOutcome outcome, double primaryAccuracy, double secondaryAccuracy) {}

    private final Task task;
    private final Modules weights = new Modules();
    private final Linear head;

    /** The objective for {@code net}: the secondary head reads its output {@code task.from()}. */
    public MultiTask(Task task, Network net) {
        this.task = task;
        long[] shape = net.outputShape(task.from());
        // [D], or [S, D] hidden states pooled by their mean over positions
        long width = shape[shape.length - 1];
        this.head = weights.add("task", new Linear(width, task.classes(), Init.xavier(width, task.classes())));
    }

    /** The per-row targets of the secondary task ride with the batch as this reference. */
    public TeacherOutput targets() {
        return TeacherOutput.of("targets:" + task.name());
    }

    @Override
    public String describe() {
        return "cross-entropy + " + fmt(task.weight()) + "×cross-entropy(" + task.name() + " head on " + task.from()
                + ")";
    }

    @Override
    public List<TeacherOutput> teacherOutputs() {
        return List.of(targets());
    }

    @Override
    public Module weights() {
        return weights;
    }

    @Override
    public Var define(Inputs in) {
        Var primary = CrossEntropy.masked(in.logits(), in.labels(), in.labelMask());
        Var h = in.student(task.from());
        Var z = head.forward(in.weights(), h.rank() == 3 ? h.mean(false, 1) : h);
        Var secondary = CrossEntropy.masked(z, in.teacher(targets()), in.labelMask());
        return primary.add(secondary.mul(task.weight()));
    }

    /**
     * Trains {@code spec} on {@code primary}'s labels and {@code secondary}'s through an extra head;
     * the two splits must hold the same examples in the same order (e.g. both tasks of one speech
     * set). The best epoch is chosen by the primary task's validation accuracy.
     */
    public static Trained train(
            String name,
            ModelSpec spec,
            Splits primary,
            Splits secondary,
            Task task,
            TrainingOptions options,
            List<TrainingListener> listeners) {
        for (String split : List.of("train", "validation", "test")) {
            LabeledData p = pick(primary, split);
            LabeledData s = pick(secondary, split);
            boolean same = p.features() == s.features()
                    || (p.size() == s.size()
                            && Arrays.equals(p.features().shape(), s.features().shape())
                            && p.features().equals(s.features()));
            if (!same) {
                throw new SpecException(
                        "multi-task teacher '" + name + "': the " + split + " splits of " + p.name() + " and "
                                + s.name()
                                + " are not the same examples; load both tasks from one set (e.g. SpeechCommandsSynth.loadTasks)");
            }
        }
        if (task.classes() != secondary.train().numClasses()) {
            throw new SpecException(
                    "multi-task teacher '" + name + "': task '" + task.name() + "' declares " + task.classes()
                            + " classes but its data has " + secondary.train().numClasses());
        }
        Network net = Network.build(spec, options.seed());
        MultiTask objective = new MultiTask(task, net);
        TrainingOutcome out = new Trainer(net, objective, options.stage("teacher " + name))
                .listeners(listeners)
                .fit(
                        primary.train(),
                        null,
                        Map.of(objective.targets(), secondary.train().oneHot()),
                        primary.validation(),
                        null);
        double first = Accuracy.of(
                net.logits(primary.test().features()), primary.test().labels());
        double second = Accuracy.of(
                objective.secondaryLogits(net, secondary.test().features()),
                secondary.test().labels());
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("test_accuracy", first);
        metrics.put("val_accuracy", out.bestValAccuracy());
        metrics.put(task.name() + "_test_accuracy", second);
        metrics.put("parameters", (double) net.parameterCount());
        Provenance p = Provenance.of(
                name,
                "teacher",
                options.seed(),
                primary.train().name() + " + " + task.name(),
                primary.fingerprint() + "+" + secondary.fingerprint(),
                objective.describe(),
                null,
                out.curve().size(),
                metrics);
        return new Trained(new Teacher(name, net, p), out, first, second);
    }

    /** The secondary head's logits for {@code features}, from the weights the last training left in {@code net}. */
    INDArray secondaryLogits(Network net, INDArray features) {
        INDArray w = net.auxiliary().get("aux.task.weight");
        INDArray b = net.auxiliary().get("aux.task.bias");
        if (w == null) {
            throw new IllegalStateException("the " + task.name() + " head is gone: train the multi-task teacher first");
        }
        INDArray h = net.outputs(features, List.of(task.from())).get(task.from());
        long width = w.rows();
        if (h.columns() != width) {
            // [N, S·D] hidden states: the mean over positions
            h = h.reshape('c', h.rows(), h.columns() / width, width).mean(1);
        }
        return h.mmul(w).addiRowVector(b);
    }

    private static LabeledData pick(Splits s, String split) {
        return switch (split) {
            case "train" -> s.train();
            case "validation" -> s.validation();
            default -> s.test();
        };
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%g", v);
    }
}
