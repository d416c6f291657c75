package dev.distillery.experiment;

import dev.distillery.data.DataLocator;
import dev.distillery.data.Splits;
import dev.distillery.data.TextTokenizer;
import dev.distillery.distill.Distill;
import dev.distillery.distill.DistillResult;
import dev.distillery.model.Network;
import dev.distillery.provenance.Lineage;
import dev.distillery.spec.SpecException;
import dev.distillery.spec.Specs;
import dev.distillery.teacher.Teacher;
import dev.distillery.train.Checkpoint;
import dev.distillery.train.EpochStats;
import dev.distillery.train.TrainingDivergedException;
import dev.distillery.train.TrainingInterruptedException;
import dev.distillery.train.TrainingListener;
import dev.distillery.train.TrainingOptions;
import dev.distillery.train.TrainingOutcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Runs an experiment's runs one at a time and writes their records, completed, interrupted or
 * failed; runs the spec's probes on each completed model (the teacher's first, in a record of its
 * own). What every run of the experiment shares is fixed at construction.
 */
final class Runner {

    /**
     * What happens to runs across invocations: {@code resume} an interrupted run with the same
     * identity (else every run starts fresh), {@code keepCheckpoints} of completed runs (else they
     * are deleted when the run completes).
     */
    record Policy(boolean resume, boolean keepCheckpoints) {
        static final Policy DEFAULT = new Policy(true, false);
    }

    private final ExperimentSpec spec;
    private final Policy policy;
    private final RunStore store;
    private final List<TrainingListener> listeners;
    private final Consumer<String> log;
    final Splits all;
    final Splits data;
    final RunRecord.DataInfo dataInfo;
    final RunRecord.TeacherInfo teacherInfo;
    final List<DistillResult> results = new ArrayList<>();
    final List<RunRecord> records = new ArrayList<>();
    final Map<String, Network> models = new LinkedHashMap<>();
    final Map<String, Splits> probeData = new HashMap<>();
    /** The pretrained teacher fidelity is measured against, and its tokenizer for text probe data (null: none). */
    final Teacher reference;

    final TextTokenizer tokenizer;

    Runner(
            ExperimentSpec spec,
            RunStore store,
            List<TrainingListener> listeners,
            Consumer<String> log,
            Splits all,
            Splits data,
            RunRecord.DataInfo dataInfo,
            RunRecord.TeacherInfo teacherInfo,
            Teacher reference,
            TextTokenizer tokenizer,
            Policy policy) {
        this.spec = spec;
        this.policy = policy;
        this.store = store;
        this.listeners = listeners;
        this.log = log;
        this.all = all;
        this.data = data;
        this.dataInfo = dataInfo;
        this.teacherInfo = teacherInfo;
        this.reference = reference;
        this.tokenizer = tokenizer;
    }

    /** A completed run: its result and its record. */
    record Ran(DistillResult result, RunRecord record) {}

    /** What every record of this experiment shares; the run starts now. */
    RunRecord.Builder record(String id, long seed) {
        return RunRecord.builder(id, spec.name())
                .seeds(seed, spec.data().splitSeed())
                .spec(spec)
                .data(dataInfo)
                .teacher(teacherInfo);
    }

    /**
     * What makes two runs the same run, so that a rerun resumes an interrupted one: the spec, the
     * student and recipe within it, the seed, the data's fingerprint and the teacher's id.
     */
    String identity(String student, String recipe, long seed, String teacherId) {
        return DataLocator.sha256(String.join(
                        "\n",
                        Specs.toJson(spec),
                        student,
                        recipe,
                        Long.toString(seed),
                        dataInfo == null ? "" : dataInfo.fingerprint(),
                        teacherId == null ? "" : teacherId))
                .substring(0, 32);
    }

    /**
     * Starts one run: resumes the interrupted run with its identity (as the policy says) or creates a
     * fresh one, and writes its {@code running} record now. Says so when it resumes.
     */
    private Started begin(
            ExperimentSpec.StudentSpec st, ExperimentSpec.RecipeSpec rc, String recipe, long seed, String teacherId) {
        String identity = identity(st.name(), recipe, seed, teacherId);
        RunStore.Claim claim = store.begin(spec.name(), st.name(), recipe, seed, identity, policy.resume());
        try {
            RunRecord.Builder b = record(claim.id(), seed)
                    .identity(identity)
                    .student(st.name(), st.model().compact())
                    .recipe(recipe, rc.loss().describe());
            List<EpochStats> done = new ArrayList<>();
            if (claim.resumed() != null) {
                if (claim.resumed().started() != null) {
                    b.started(claim.resumed().started());
                }
                int epochs = Checkpoint.finishedEpochs(claim.checkpointDir());
                if (claim.resumed().curve() != null) {
                    claim.resumed().curve().stream()
                            .filter(e -> e.epoch() <= epochs)
                            .forEach(done::add);
                }
                log.accept("resumed run " + claim.id() + " from epoch " + (epochs + 1) + " ("
                        + (epochs == 0
                                ? "no epoch had finished"
                                : epochs + (epochs == 1 ? " epoch" : " epochs") + " done before it stopped")
                        + "; --fresh starts over)");
            }
            Heartbeat heartbeat = new Heartbeat(b, done);
            heartbeat.beat();
            return new Started(claim, b, heartbeat);
        } catch (RuntimeException e) {
            claim.close();
            throw e;
        }
    }

    /** A run under way: its folder and lock, its record so far, and the listener that keeps the record current. */
    private record Started(RunStore.Claim claim, RunRecord.Builder record, Heartbeat heartbeat)
            implements AutoCloseable {
        @Override
        public void close() {
            claim.close();
        }
    }

    /** Rewrites the run's {@code running} record, with the epochs finished so far, after every epoch. */
    private final class Heartbeat implements TrainingListener {
        private final RunRecord.Builder record;
        private final List<EpochStats> curve;

        Heartbeat(RunRecord.Builder record, List<EpochStats> curve) {
            this.record = record;
            this.curve = curve;
        }

        void beat() {
            store.write(record.running(List.copyOf(curve)));
        }

        List<EpochStats> curve() {
            return List.copyOf(curve);
        }

        @Override
        public void onEpoch(String stage, EpochStats stats) {
            curve.removeIf(e -> e.epoch() >= stats.epoch());
            curve.add(stats);
            beat();
        }
    }

    /** A completed run's checkpoint is deleted unless the policy keeps it: nothing will resume from it. */
    private void completed(RunStore.Claim claim) {
        if (!policy.keepCheckpoints()) {
            Checkpoint.delete(claim.checkpointDir());
        }
    }

    /** The recipe's training for one run: its epochs, learning rate and patience over the spec's. */
    TrainingOptions options(
            RunStore.Claim claim,
            ExperimentSpec.StudentSpec st,
            ExperimentSpec.RecipeSpec rc,
            String recipe,
            long seed) {
        return new TrainingOptions(
                rc.epochs() != null ? rc.epochs() : spec.training().epochs(),
                spec.training().batchSize(),
                rc.learningRate() != null ? rc.learningRate() : spec.training().learningRate(),
                rc.patience() != null ? rc.patience() : spec.training().patience(),
                seed,
                claim.checkpointDir(),
                claim.resumed() != null,
                st.name() + " · " + recipe + " · seed " + seed);
    }

    Ran run(Distill d, ExperimentSpec.StudentSpec st, ExperimentSpec.RecipeSpec rc, String recipe, long seed) {
        try (Started run = begin(st, rc, recipe, seed, d.teacherId())) {
            RunRecord.Builder b = run.record();
            TrainingOptions o = options(run.claim(), st, rc, recipe, seed);
            List<TrainingListener> all = new ArrayList<>(listeners);
            all.add(run.heartbeat());
            d.named(st.name()).with(rc.loss()).on(data).options(o).listeners(all);
            return recordingUnfinished(run, st, rc, recipe, () -> {
                DistillResult r = d.run();
                results.add(r);
                log.accept(r.line());
                // a completed run names the loss as trained: mappings resolved, projections chosen
                RunRecord rec = b.student(st.name(), r.network().spec().compact())
                        .recipe(recipe, r.provenance().objective())
                        .metrics(r.metrics())
                        .training(r.training())
                        .lineage(r.provenance().lineage())
                        .probes(probe(st.name() + " · seed " + seed, new Probes.Subject(r.network(), null, null), seed))
                        .build();
                // the model first: a completed record always has its model beside it (to export, to reload)
                r.save(store.dir(rec.id()).resolve(RunStore.MODEL));
                store.write(rec);
                completed(run.claim());
                records.add(rec);
                models.put(rec.id(), r.network());
                return new Ran(r, rec);
            });
        }
    }

    /**
     * Runs {@code body}; a run interrupted or diverged is written as {@code interrupted} or
     * {@code failed}, with the epochs it finished, and the exception goes on.
     */
    private <T> T recordingUnfinished(
            Started run,
            ExperimentSpec.StudentSpec st,
            ExperimentSpec.RecipeSpec rc,
            String recipe,
            java.util.function.Supplier<T> body) {
        RunRecord.Builder b = run.record();
        try {
            return body.get();
        } catch (TrainingInterruptedException e) {
            TrainingInterruptedException told = e.checkpoint() == null
                    ? e
                    : e.resumedBy("run the same spec or magic again to resume it from epoch "
                            + (e.curve().size() + 1) + " in run " + run.claim().id() + " (--fresh starts over)");
            store.write(unfinished(b, st, rc, recipe, RunRecord.INTERRUPTED, told.getMessage(), told.curve()));
            throw told;
        } catch (TrainingDivergedException e) {
            store.write(unfinished(b, st, rc, recipe, RunRecord.FAILED, e.getMessage(), e.curve()));
            throw e;
        } catch (RuntimeException e) {
            // an error in the user's input (a shape, a file) before any epoch leaves no run behind
            if (run.heartbeat().curve().isEmpty() && run.claim().resumed() == null) {
                run.claim().close();
                RunStore.deleteRun(run.claim().dir());
            } else {
                store.write(unfinished(
                        b,
                        st,
                        rc,
                        recipe,
                        RunRecord.FAILED,
                        e.getMessage(),
                        run.heartbeat().curve()));
            }
            throw e;
        }
    }

    private RunRecord unfinished(
            RunRecord.Builder b,
            ExperimentSpec.StudentSpec st,
            ExperimentSpec.RecipeSpec rc,
            String recipe,
            String status,
            String error,
            List<EpochStats> finished) {
        return b.student(st.name(), st.model().compact())
                .recipe(recipe, rc.loss().describe())
                .unfinished(status, error, finished)
                .build();
    }

    /**
     * One run of a student learning a pretrained teacher's sentence embeddings (or the student as
     * initialised, or trained on labels alone, as the recipe says), recorded with the spec's probes
     * (fidelity against {@link #reference}); {@code chained} places it in a chain.
     */
    EmbeddingRuns.Ran runEmbedding(
            EmbeddingRuns runs,
            Teacher teacher,
            ExperimentSpec.StudentSpec st,
            ExperimentSpec.RecipeSpec rc,
            String recipe,
            long seed,
            UnaryOperator<Lineage> chained) {
        try (Started run = begin(st, rc, recipe, seed, teacher == null ? null : teacher.id())) {
            RunRecord.Builder b = run.record();
            TrainingOptions o = options(run.claim(), st, rc, recipe, seed);
            String who = st.name() + " · " + recipe + " · seed " + seed;
            return recordingUnfinished(run, st, rc, recipe, () -> {
                EmbeddingRuns.Ran ran;
                Map<String, Double> values;
                if (rc.loss() instanceof dev.distillery.loss.NoLogitLoss) {
                    ran = runs.untrained(st, seed);
                    values = probe(who, new Probes.Subject(ran.network(), null, reference), seed);
                } else if (!rc.loss().needsTeacher()) {
                    ran = null;
                    values = new LinkedHashMap<>();
                    values.put(
                            "parameters", (double) EmbeddingRuns.student(st, 1).parameterCount());
                    values.putAll(runs.onLabels(st, fineTuneTasks(rc), o, this::probeData));
                } else {
                    ran = runs.distil(teacher, st, rc, o, chained, run.heartbeat());
                    values = probe(who, Probes.Subject.trained(ran.network(), reference), seed);
                }
                RunRecord rec = b.student(
                                st.name(),
                                ran == null
                                        ? EmbeddingRuns.student(st, 1).compact()
                                        : ran.network().spec().compact())
                        .recipe(recipe, ran == null ? rc.loss().describe() + " on each task's labels" : ran.objective())
                        .training(ran == null ? null : ran.training())
                        .lineage(ran == null ? null : ran.lineage())
                        .probes(values)
                        .build();
                store.write(rec);
                completed(run.claim());
                records.add(rec);
                if (ran != null) {
                    models.put(rec.id(), ran.network());
                }
                return ran == null ? null : ran.withRecord(rec);
            });
        }
    }

    /** The tasks of the spec's fine-tune probe: what a recipe without a teacher trains on, one at a time. */
    private List<String> fineTuneTasks(ExperimentSpec.RecipeSpec rc) {
        return spec.probes().stream()
                .filter(p -> p.type().equals("fine-tune"))
                .findFirst()
                .orElseThrow(() -> new SpecException("recipe '" + rc.name() + "' trains the student on labels "
                        + "alone, with a pretrained teacher that has none: add a fine-tune probe, whose tasks "
                        + "it trains on one at a time"))
                .tasks();
    }

    /**
     * With probes in the spec, the teacher is probed with its own {@code seed} (its spec's) and gets a
     * record of its own (recipe {@value RunRecord#TEACHER}; student {@code student}), so that tables and
     * figures can set the students against it.
     */
    void teacherRecord(
            String student,
            String who,
            String compact,
            Probes.Subject subject,
            long seed,
            String objective,
            TrainingOutcome training) {
        if (spec.probes().isEmpty()) {
            return;
        }
        try (RunStore.Claim claim = store.create(spec.name(), student, RunRecord.TEACHER, seed)) {
            RunRecord rec = record(claim.id(), seed)
                    .student(student, compact)
                    .recipe(RunRecord.TEACHER, objective)
                    .training(training)
                    .probes(probe(who, subject, seed))
                    .build();
            store.write(rec);
            records.add(rec);
        }
    }

    /** The spec's probes on the subject, each logged, after its parameter count; null when the spec has none. */
    private Map<String, Double> probe(String who, Probes.Subject subject, long seed) {
        if (spec.probes().isEmpty()) {
            return null;
        }
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("parameters", (double) subject.model().parameterCount());
        for (ExperimentSpec.ProbeSpec p : spec.probes()) {
            Probes.Measured m = Probes.get(p.type()).measure(subject, p, this::probeData, seed);
            values.putAll(m.values());
            if (!m.values().isEmpty()) {
                log.accept(who + ": " + m.summary());
            }
        }
        return values;
    }

    /** A probe's task: the experiment's own data set as loaded, or another over the same files. */
    private Splits probeData(String dataset) {
        return probeData.computeIfAbsent(
                dataset,
                n -> n.equals(spec.data().dataset())
                        ? all
                        : Experiment.data(spec.data().withDataset(n), tokenizer, log));
    }
}
