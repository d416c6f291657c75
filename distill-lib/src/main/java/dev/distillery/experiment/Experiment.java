package dev.distillery.experiment;

import dev.distillery.backend.Backend;
import dev.distillery.backend.Versions;
import dev.distillery.data.FashionMnist;
import dev.distillery.data.Splits;
import dev.distillery.distill.Distill;
import dev.distillery.distill.DistillResult;
import dev.distillery.model.EpochStats;
import dev.distillery.model.Specs;
import dev.distillery.model.TrainingDivergedException;
import dev.distillery.model.TrainingInterruptedException;
import dev.distillery.model.TrainingListener;
import dev.distillery.model.TrainingOptions;
import dev.distillery.teacher.Teacher;
import dev.distillery.teacher.Teachers;
import dev.distillery.data.DataLocator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import tech.tablesaw.api.Table;

/**
 * Runs an {@link ExperimentSpec}: loads the data, trains (or loads, or reuses) the teacher, then
 * every student under every recipe for every seed, writing one run record per run.
 */
public final class Experiment {

    /** What an experiment produced: the teacher, every result and record, and the tables. */
    public record Outcome(ExperimentSpec spec, Teacher teacher, String teacherSource, Path teacherFile,
            double teacherTestAccuracy, List<DistillResult> results, List<RunRecord> records, Table runs, Table summary) {

        /** The summary as text, teacher first. */
        public String report() {
            String t = teacher == null ? null : String.format("teacher %s (%s, %,d parameters): test accuracy %.2f %% [%s]",
                    teacher.name(), teacher.network().spec().describe(), teacher.network().parameterCount(),
                    100 * teacherTestAccuracy, teacherSource);
            return Results.format(summary, t);
        }
    }

    private final ExperimentSpec spec;
    private final RunStore store;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private Consumer<String> log = s -> {};

    public Experiment(ExperimentSpec spec, RunStore store) {
        this.spec = spec;
        this.store = store;
    }

    public static Experiment of(Path specFile, Path runs) {
        return new Experiment(Specs.read(specFile, ExperimentSpec.class), new RunStore(runs));
    }

    public Experiment listener(TrainingListener l) {
        listeners.add(l);
        return this;
    }

    public Experiment log(Consumer<String> log) {
        this.log = log;
        return this;
    }

    /** Loads the data as the spec says: split, subsampled, labels limited. */
    public static Splits data(ExperimentSpec.DataSpec d) {
        Path dir = d.dir() == null ? null : Path.of(d.dir());
        Splits s = Splits.of(FashionMnist.load(FashionMnist.Part.TRAIN, dir), FashionMnist.load(FashionMnist.Part.TEST, dir),
                d.validation(), d.splitSeed());
        if (d.trainSize() != null || d.validationSize() != null || d.testSize() != null) {
            s = s.sample(d.trainSize() == null ? s.train().size() : d.trainSize(),
                    d.validationSize() == null ? s.validation().size() : d.validationSize(),
                    d.testSize() == null ? s.test().size() : d.testSize(), d.splitSeed());
        }
        return s;
    }

    /** A teacher ready for distillation: where it came from and the file that holds it. */
    public record Prepared(Teacher teacher, String source, Path file) {}

    /**
     * Loads the teacher from {@code ts.file()}, or reuses the copy trained earlier with the same spec
     * on the same data (kept under {@code <runs>/teachers/}), or trains and keeps it.
     */
    public static Prepared teacher(ExperimentSpec.TeacherSpec ts, Splits data, RunStore store,
            List<TrainingListener> listeners, Consumer<String> log) {
        Backend.start();
        if (ts.file() != null) {
            Path f = Path.of(ts.file());
            return new Prepared(Teacher.load(f), "loaded from " + ts.file(), f);
        }
        String key = DataLocator.sha256(Specs.toJson(ts) + data.fingerprint()).substring(0, 16);
        Path file = store.root().resolve("teachers").resolve(RunStore.slug(ts.name()) + "-" + key + ".dtm");
        if (Files.isRegularFile(file)) {
            Teacher t = Teacher.load(file);
            return new Prepared(t, "reused " + file + ", trained " + t.provenance().created(), file);
        }
        log.accept("training teacher '" + ts.name() + "': " + ts.model().describe() + ", " + ts.epochs() + " epochs");
        TrainingOptions o = new TrainingOptions(ts.epochs(), ts.batchSize(), ts.learningRate(), ts.patience(),
                ts.seed(), null, false, null);
        Teachers.Trained tr = Teachers.train(ts.name(), ts.model(), data, o, listeners);
        tr.teacher().save(file);
        return new Prepared(tr.teacher(), String.format("trained here in %.0f s, saved to %s", tr.outcome().seconds(),
                file), file);
    }

    public Outcome run() {
        Backend.start(spec.threads());
        log.accept(Backend.report());
        Splits all = data(spec.data());
        Splits data = spec.data().labels() == null ? all : all.withLabels(spec.data().labels(), spec.data().splitSeed());
        log.accept(String.format("data: %s, %,d train (%,d labels for students), %,d validation, %,d test",
                spec.data().dataset(), data.train().size(), data.train().labeledCount(), data.validation().size(),
                data.test().size()));

        Prepared prepared = spec.teacher() == null ? null : teacher(spec.teacher(), all, store, listeners, log);
        Teacher teacher = prepared == null ? null : prepared.teacher();
        String source = prepared == null ? null : prepared.source();
        double teacherAcc = Double.NaN;
        if (teacher != null) {
            teacherAcc = dev.distillery.eval.Accuracy.of(teacher.logits(data.test()), data.test().labels());
            log.accept(String.format("teacher '%s': test accuracy %.2f %% (%s)", teacher.name(), 100 * teacherAcc, source));
        }

        Map<String, String> files = new LinkedHashMap<>();
        for (FashionMnist.Part p : FashionMnist.Part.values()) {
            Path dir = spec.data().dir() == null ? null : Path.of(spec.data().dir());
            Path im = FashionMnist.locator().locate(p.imagesFile(), p.imagesSha256(), dir);
            Path lb = FashionMnist.locator().locate(p.labelsFile(), p.labelsSha256(), dir);
            files.put(p.imagesFile(), DataLocator.sha256(im));
            files.put(p.labelsFile(), DataLocator.sha256(lb));
        }
        RunRecord.DataInfo dataInfo = new RunRecord.DataInfo(spec.data().dataset(), data.fingerprint(), data.train().size(),
                data.train().labeledCount(), data.validation().size(), data.test().size(), files);
        RunRecord.TeacherInfo teacherInfo = teacher == null ? null : new RunRecord.TeacherInfo(teacher.name(), teacher.id(),
                teacher.network().spec().compact(), teacherAcc, source, teacher.network().parameterCount());

        List<DistillResult> results = new ArrayList<>();
        List<RunRecord> records = new ArrayList<>();
        for (ExperimentSpec.StudentSpec st : spec.students()) {
            for (ExperimentSpec.RecipeSpec rc : spec.recipes()) {
                for (long seed : spec.seeds()) {
                    String id = store.newId(spec.name(), st.name(), rc.name(), seed);
                    String started = Instant.now().toString();
                    TrainingOptions o = new TrainingOptions(
                            rc.epochs() != null ? rc.epochs() : spec.training().epochs(), spec.training().batchSize(),
                            rc.learningRate() != null ? rc.learningRate() : spec.training().learningRate(),
                            rc.patience() != null ? rc.patience() : spec.training().patience(), seed,
                            store.dir(id).resolve("checkpoint"), false, st.name() + " · " + rc.name() + " · seed " + seed);
                    Distill d = (teacher == null ? Distill.scratch(st.model()) : Distill.from(teacher).into(st.model()))
                            .named(st.name()).with(rc.loss()).on(data).options(o).listeners(listeners);
                    try {
                        DistillResult r = d.run();
                        results.add(r);
                        RunRecord rec = record(id, "completed", st, rc, seed, dataInfo, teacherInfo, r, r.training().curve(),
                                null, started);
                        store.write(rec);
                        records.add(rec);
                        log.accept(r.summary());
                    } catch (TrainingInterruptedException e) {
                        store.write(record(id, "interrupted", st, rc, seed, dataInfo, teacherInfo, null, e.curve(),
                                e.getMessage(), started));
                        throw e;
                    } catch (TrainingDivergedException e) {
                        store.write(record(id, "failed", st, rc, seed, dataInfo, teacherInfo, null, e.curve(),
                                e.getMessage(), started));
                        throw e;
                    }
                }
            }
        }
        return new Outcome(spec, teacher, source, prepared == null ? null : prepared.file(), teacherAcc, results, records, Results.runs(records),
                Results.summary(records));
    }

    private RunRecord record(String id, String status, ExperimentSpec.StudentSpec st, ExperimentSpec.RecipeSpec rc,
            long seed, RunRecord.DataInfo data, RunRecord.TeacherInfo teacher, DistillResult r, List<EpochStats> curve,
            String error, String started) {
        // a completed run names the loss as trained: mappings resolved, projections chosen
        String loss = r == null ? rc.loss().describe() : r.provenance().objective();
        return new RunRecord(id, spec.name(), status, st.name(), st.model().compact(), rc.name(), loss,
                seed, spec.data().splitSeed(), spec, data, teacher, Versions.all(), r == null ? null : r.metrics(),
                curve, r == null ? null : r.training().seconds(),
                r == null ? null : r.training().steps(), r == null ? null : r.training().stopReason(), error, started,
                Instant.now().toString());
    }
}
