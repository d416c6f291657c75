package dev.distillery.experiment;

import dev.distillery.data.Splits;
import dev.distillery.distill.Distill;
import dev.distillery.distill.DistillResult;
import dev.distillery.distill.SentenceDistill;
import dev.distillery.loss.FeatureLoss;
import dev.distillery.model.Network;
import dev.distillery.model.TransformerSpec;
import dev.distillery.provenance.Lineage;
import dev.distillery.provenance.Provenance;
import dev.distillery.spec.SpecException;
import dev.distillery.teacher.Teacher;
import dev.distillery.train.TrainingListener;
import dev.distillery.train.TrainingOptions;
import dev.distillery.train.TrainingOutcome;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The three kinds of run an experiment with a pretrained encoder as its teacher makes of a text
 * student: distilled from the teacher's sentence embeddings, as initialised (a baseline), or trained
 * on each labelled task alone. {@link Experiment} records them and probes the models.
 */
final class EmbeddingRuns {

    /** A model a run produced: the network, its training, the objective, its provenance and lineage. */
    record Ran(
            Network network,
            TrainingOutcome training,
            String objective,
            Provenance provenance,
            Lineage lineage,
            RunRecord record) {
        Ran withRecord(RunRecord r) {
            return new Ran(network, training, objective, provenance, lineage, r);
        }
    }

    private final Teacher reference;
    private final String dataName;
    private final Splits sentences;
    private final List<TrainingListener> listeners;
    private final Consumer<String> log;

    /**
     * Runs on {@code sentences} (data set {@code dataName}); {@code reference} is the pretrained
     * encoder whose token embeddings a recipe's {@code init: teacher-embeddings} starts from.
     */
    EmbeddingRuns(
            Teacher reference,
            String dataName,
            Splits sentences,
            List<TrainingListener> listeners,
            Consumer<String> log) {
        this.reference = reference;
        this.dataName = dataName;
        this.sentences = sentences;
        this.listeners = listeners;
        this.log = log;
    }

    /** Student {@code st} as a text transformer with {@code outputs} classes. */
    static TransformerSpec student(ExperimentSpec.StudentSpec st, int outputs) {
        if (!(st.model() instanceof TransformerSpec ts) || !ts.input().equals(TransformerSpec.TOKENS)) {
            throw new SpecException("student '" + st.name() + "' learns sentence embeddings, so it reads token ids: "
                    + "use a text transformer such as text:2x128,length=64,vocab=30522, not "
                    + st.model().compact());
        }
        return ts.withOutputs(outputs);
    }

    /** The student as initialised with {@code seed}: what distillation starts from. */
    Ran untrained(ExperimentSpec.StudentSpec st, long seed) {
        Network n = Network.build(student(st, 1), seed);
        log.accept(st.name() + " · seed " + seed + ": untrained, " + String.format("%,d", n.parameterCount())
                + " parameters");
        return new Ran(n, null, "none: the student as initialised", null, null, null);
    }

    /**
     * The student distilled from {@code teacher}'s sentence embeddings with the recipe's features loss;
     * {@code stage} places the run in a chain.
     */
    Ran distil(
            Teacher teacher,
            ExperimentSpec.StudentSpec st,
            ExperimentSpec.RecipeSpec rc,
            TrainingOptions o,
            UnaryOperator<Lineage> stage,
            TrainingListener heartbeat) {
        if (!(rc.loss() instanceof FeatureLoss loss)) {
            throw new SpecException("recipe '" + rc.name() + "': a pretrained encoder teaches sentence embeddings, "
                    + "not classes; use a features loss on its features, e.g. {type: features, logits: {type: none}, "
                    + "matches: [{student: features, teacher: features, loss: cosine, projection: linear}]}");
        }
        SentenceDistill.Result r = SentenceDistill.from(teacher)
                .into(student(st, 1))
                .on(dataName, sentences)
                .with(loss)
                .initEmbeddingsFrom(ExperimentSpec.RecipeSpec.TEACHER_EMBEDDINGS.equals(rc.init()) ? reference : null)
                .options(o)
                .listeners(listeners)
                .listener(heartbeat)
                .run();
        log.accept(st.name() + " from " + teacher.name() + ": " + r.summary());
        Lineage lineage = stage.apply(Lineage.single(new Lineage.Member(
                teacher.name(), teacher.id(), teacher.model().compact(), teacher.parameterCount(), 1.0, null, null)));
        return new Ran(r.network(), r.outcome(), r.objective(), r.provenance(), lineage, null);
    }

    /**
     * The student trained on each of {@code tasks}' labels alone (cross-entropy, the best epoch by
     * validation accuracy): the test accuracy of each, as {@code TASK_finetuned}.
     */
    Map<String, Double> onLabels(
            ExperimentSpec.StudentSpec st, List<String> tasks, TrainingOptions o, Function<String, Splits> data) {
        Map<String, Double> values = new LinkedHashMap<>();
        for (String t : tasks) {
            Splits task = data.apply(t);
            DistillResult r = Distill.scratch(student(st, task.train().numClasses()))
                    .named(st.name() + ", " + Probes.key(t) + " labels only")
                    .on(task)
                    .options(o.checkpointDir(null).stage("train"))
                    .listeners(listeners)
                    .run();
            log.accept(r.summary());
            values.put(Probes.key(t) + "_finetuned", r.metrics().testAccuracy());
        }
        return values;
    }
}
