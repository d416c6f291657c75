package dev.distillery.experiment;

import dev.distillery.data.Splits;
import dev.distillery.distill.SentenceDistill;
import dev.distillery.loss.EnsembleMode;
import dev.distillery.spec.SpecException;
import dev.distillery.teacher.EncoderEnsemble;
import dev.distillery.teacher.OnnxTeacher;
import dev.distillery.teacher.PretrainedEncoders;
import dev.distillery.teacher.Teacher;
import dev.distillery.teacher.Teachers;
import dev.distillery.train.TrainingListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * An experiment whose teacher is a pretrained encoder (or an ensemble of them, whose sentence
 * embeddings are averaged): the students learn its sentence embeddings on the spec's unlabelled text
 * ({@link SentenceDistill}); fidelity is measured against the teacher (an ensemble's first member).
 * A recipe whose loss is {@code none} alone is the student as initialised, a baseline; a
 * {@code scratch} recipe trains the student on each task of the spec's {@code fine-tune} probe.
 */
final class EmbeddingExperiment {

    private final ExperimentSpec spec;
    private final RunStore store;
    private final List<TrainingListener> listeners;
    private final Consumer<String> log;
    private final Map<String, Teacher> loaded;
    private final Runner.Policy policy;

    /** {@code loaded}: encoders already loaded, by their shipped name; {@code policy}: resume and checkpoints. */
    EmbeddingExperiment(
            ExperimentSpec spec,
            RunStore store,
            List<TrainingListener> listeners,
            Consumer<String> log,
            Map<String, Teacher> loaded,
            Runner.Policy policy) {
        this.spec = spec;
        this.store = store;
        this.listeners = listeners;
        this.log = log;
        this.loaded = loaded;
        this.policy = policy;
    }

    /** Whether the spec's teacher, or every member of its ensemble, is a shipped pretrained text encoder. */
    static boolean applies(ExperimentSpec spec) {
        if (spec.teacher() != null) {
            return spec.teacher().pretrained() != null
                    && PretrainedEncoders.isText(spec.teacher().pretrained());
        }
        if (spec.ensemble() == null) {
            return false;
        }
        long n = spec.ensemble().members().stream()
                .filter(m -> m.pretrained() != null && PretrainedEncoders.isText(m.pretrained()))
                .count();
        if (n > 0 && n < spec.ensemble().members().size()) {
            throw new SpecException("ensemble '" + spec.ensemble().name() + "' mixes pretrained encoders with "
                    + "teachers trained here; an ensemble of encoders averages sentence embeddings, one of "
                    + "classifiers their outputs: give members of one kind");
        }
        return n > 0;
    }

    /** The pretrained encoder {@code ts} names, reading {@code length} tokens (the copy given to {@link Experiment#pretrained}, or loaded now). */
    private Teacher encoder(ExperimentSpec.TeacherSpec ts, int length) {
        Teacher given = loaded.get(ts.pretrained());
        Teacher t = given != null
                ? SentenceDistill.atLength(given, length)
                : Teachers.pretrained(ts.pretrained(), length, spec.threads());
        ((OnnxTeacher) t.model()).progress(log);
        return t;
    }

    /** Runs every student under every recipe for every seed, as the class comment says. */
    Experiment.Outcome run() {
        int length = spec.data().textOptions().length();
        List<Teacher> encoders = new ArrayList<>();
        if (spec.teacher() != null) {
            encoders.add(encoder(spec.teacher(), length));
        } else {
            ExperimentSpec.EnsembleSpec es = spec.ensemble();
            if (!es.weights().equals("uniform") || es.mode() != EnsembleMode.TARGETS) {
                throw new SpecException("ensemble '" + es.name() + "': an ensemble of pretrained encoders is the "
                        + "plain mean of their sentence embeddings; drop weights and mode");
            }
            es.members().forEach(m -> encoders.add(encoder(m, length)));
        }
        Teacher reference = encoders.get(0);
        Teacher teacher = encoders.size() == 1
                ? reference
                : EncoderEnsemble.of(spec.ensemble().name(), encoders.toArray(Teacher[]::new));
        Splits data = Experiment.data(spec.data(), ((OnnxTeacher) reference.model()).tokenizer(), log);
        log.accept(String.format(
                "data: %s, %,d train, %,d validation, %,d test (%d tokens, by %s's tokenizer)",
                spec.data().dataset(),
                data.train().size(),
                data.validation().size(),
                data.test().size(),
                length,
                reference.name()));
        String source =
                encoders.stream().map(e -> e.provenance().data()).collect(java.util.stream.Collectors.joining(" + "));
        RunRecord.TeacherInfo teacherInfo = new RunRecord.TeacherInfo(
                teacher.name(), teacher.id(), teacher.model().compact(), null, source, teacher.parameterCount());
        Runner runner = new Runner(
                spec,
                store,
                listeners,
                log,
                data,
                data,
                Experiment.dataInfo(spec.data(), data),
                teacherInfo,
                reference,
                ((OnnxTeacher) reference.model()).tokenizer(),
                policy);
        List<ExperimentSpec.TeacherSpec> specs = spec.teacher() != null
                ? List.of(spec.teacher())
                : spec.ensemble().members();
        for (int i = 0; i < encoders.size(); i++) {
            Teacher e = encoders.get(i);
            runner.teacherRecord(
                    encoders.size() == 1 ? RunRecord.TEACHER : e.name(),
                    "teacher " + e.name(),
                    e.model().compact(),
                    new Probes.Subject(e, null, reference),
                    specs.get(i).seed(),
                    "pretrained",
                    null);
        }
        EmbeddingRuns runs = new EmbeddingRuns(reference, spec.data().dataset(), data, listeners, log);
        for (ExperimentSpec.StudentSpec st : spec.students()) {
            for (ExperimentSpec.RecipeSpec rc : spec.recipes()) {
                for (long seed : spec.seeds()) {
                    if (spec.chain() != null) {
                        embeddingChain(runner, runs, teacher, st, rc, seed);
                    } else {
                        runner.runEmbedding(runs, teacher, st, rc, rc.name(), seed, UnaryOperator.identity());
                    }
                }
            }
        }
        return new Experiment.Outcome(
                spec,
                teacher,
                source,
                null,
                Double.NaN,
                runner.results,
                runner.records,
                Results.runs(runner.records),
                Results.summary(runner.records),
                runner.models);
    }

    /** A chain of pretrained teacher → the listed assistants → student {@code st}, each stage distilling the one before. */
    private void embeddingChain(
            Runner runner,
            EmbeddingRuns runs,
            Teacher teacher,
            ExperimentSpec.StudentSpec st,
            ExperimentSpec.RecipeSpec rc,
            long seed) {
        ExperimentSpec.ChainSpec cs = spec.chain();
        if (cs.assistants().isEmpty() || !cs.finals().equals(List.of("last"))) {
            throw new SpecException("chain '" + cs.name() + "' from a pretrained encoder: list the assistants (they "
                    + "are not sized from the teacher) and let the student learn from the last one (finals: [last])");
        }
        int stages = cs.assistants().size() + 1;
        Teacher previous = teacher;
        List<String> parents = List.of();
        for (int i = 0; i <= cs.assistants().size(); i++) {
            boolean last = i == cs.assistants().size();
            ExperimentSpec.StudentSpec stage = last ? st : cs.assistants().get(i);
            log.accept(String.format(
                    "chain %s, stage %d/%d: %s (%s) from %s",
                    cs.name(), i + 1, stages, stage.name(), stage.model().describe(), previous.name()));
            String role = last ? "student" : "assistant";
            int at = i + 1;
            List<String> from = parents;
            EmbeddingRuns.Ran ran = runner.runEmbedding(
                    runs,
                    previous,
                    stage,
                    rc,
                    last ? rc.name() + " · from " + previous.name() : rc.name(),
                    seed,
                    l -> l.inChain(cs.name(), role, at, stages, from));
            previous = new Teacher(stage.name(), ran.network(), ran.provenance());
            parents = List.of(ran.record().id());
        }
    }
}
