package dev.distillery.experiment;

import dev.distillery.backend.Backend;
import dev.distillery.data.DataLocator;
import dev.distillery.data.Dataset;
import dev.distillery.data.Datasets;
import dev.distillery.data.LabeledData;
import dev.distillery.data.Splits;
import dev.distillery.data.TextDataset;
import dev.distillery.data.TextTokenizer;
import dev.distillery.distill.Chain;
import dev.distillery.distill.Distill;
import dev.distillery.distill.DistillResult;
import dev.distillery.distill.EnsembleWeights;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.Network;
import dev.distillery.provenance.Lineage;
import dev.distillery.spec.SpecException;
import dev.distillery.spec.Specs;
import dev.distillery.teacher.Ensemble;
import dev.distillery.teacher.MultiTask;
import dev.distillery.teacher.OnnxTeacher;
import dev.distillery.teacher.Teacher;
import dev.distillery.teacher.Teachers;
import dev.distillery.train.TrainingListener;
import dev.distillery.train.TrainingOptions;
import dev.distillery.train.TrainingOutcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import tech.tablesaw.api.Table;

/**
 * Runs an {@link ExperimentSpec}: loads the data, trains (or loads, or reuses) the teacher, then
 * every student under every recipe for every seed, writing one run record per run.
 */
public final class Experiment {

    /**
     * What an experiment produced: the teacher, every result and record, the tables, and each
     * completed run's model by its record's id.
     */
    public record Outcome(
            ExperimentSpec spec,
            Teacher teacher,
            String teacherSource,
            Path teacherFile,
            double teacherTestAccuracy,
            List<DistillResult> results,
            List<RunRecord> records,
            Table runs,
            Table summary,
            Map<String, Network> models) {

        /** The summary as text, teacher first. */
        public String report() {
            String t = teacher == null
                    ? null
                    : !teacher.hasLogits()
                            ? "teacher " + teacher.model() + " [" + teacherSource + "]"
                            : String.format(
                                    "teacher %s (%s, %,d parameters): test accuracy %.2f%% [%s]",
                                    teacher.name(),
                                    teacher.describe(),
                                    teacher.parameterCount(),
                                    100 * teacherTestAccuracy,
                                    teacherSource);
            if (teacher == null && spec.ensemble() != null && !Double.isNaN(teacherTestAccuracy)) {
                t = String.format("%s: test accuracy %.2f%%", teacherSource, 100 * teacherTestAccuracy);
            }
            String probes = Results.formatProbes(records);
            return Results.format(summary, t) + (probes == null ? "" : probes);
        }
    }

    private final ExperimentSpec spec;
    private final RunStore store;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private final Map<String, Teacher> loaded = new HashMap<>();
    private Consumer<String> log = s -> {};
    private Runner.Policy policy = Runner.Policy.DEFAULT;

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

    /**
     * {@code true}: every run starts over, even one this spec's earlier invocation left interrupted
     * (by default that run is resumed, in its own folder, from its last checkpoint).
     */
    public Experiment fresh(boolean fresh) {
        policy = new Runner.Policy(!fresh, policy.keepCheckpoints());
        return this;
    }

    /** {@code true}: completed runs keep their last checkpoint (by default it is deleted when the run completes). */
    public Experiment keepCheckpoints(boolean keep) {
        policy = new Runner.Policy(policy.resume(), keep);
        return this;
    }

    /**
     * Uses {@code encoder}, already loaded (e.g. by {@code %teacher --pretrained}, under any name),
     * wherever the spec names the shipped encoder it is, rather than loading it again.
     */
    public Experiment pretrained(Teacher encoder) {
        if (!(encoder.model() instanceof OnnxTeacher)) {
            throw new SpecException(
                    "'" + encoder.name() + "' is " + encoder.model().describe()
                            + ", not a pretrained encoder; load one with Teachers.pretrained(NAME)");
        }
        loaded.put(((OnnxTeacher) encoder.model()).encoder().name(), encoder);
        return this;
    }

    /** Loads the data as the spec says (through the data set's registry entry): split, subsampled. */
    public static Splits data(ExperimentSpec.DataSpec d) {
        return data(d, null, s -> {});
    }

    /**
     * As above; a text data set is tokenized by {@code tokenizer} (a pretrained teacher's, at its
     * length), and {@code log} hears of the corpus's packages being fetched.
     */
    public static Splits data(ExperimentSpec.DataSpec d, TextTokenizer tokenizer, Consumer<String> log) {
        Dataset set = Datasets.resolve(d.dataset(), d.options());
        Splits s;
        if (set instanceof TextDataset text) {
            if (tokenizer == null) {
                throw new SpecException("data '" + d.dataset() + "' is text, tokenized by a pretrained teacher's "
                        + "tokenizer: give the teacher as pretrained: NAME (e.g. bge-small-en-v1.5)");
            }
            s = text.load(dir(d), tokenizer, d.textOptions(), log);
        } else {
            s = set.load(dir(d), d.validation() == null ? 0 : d.validation(), d.splitSeed());
        }
        if (d.isSource()) {
            enough(d, "train", d.trainSize(), s.train());
            enough(d, "val", d.validationSize(), s.validation());
            enough(d, "test", d.testSize(), s.test());
        }
        if (d.trainSize() != null || d.validationSize() != null || d.testSize() != null) {
            s = s.sample(
                    d.trainSize() == null ? s.train().size() : d.trainSize(),
                    d.validationSize() == null ? s.validation().size() : d.validationSize(),
                    d.testSize() == null ? s.test().size() : d.testSize(),
                    d.splitSeed());
        }
        return s;
    }

    /** A subsample of your own data larger than its split is refused: it would silently be the whole split. */
    private static void enough(ExperimentSpec.DataSpec d, String key, Integer asked, LabeledData part) {
        if (asked != null && asked > part.size()) {
            throw new SpecException(String.format(
                    "data '%s': %s=%,d asks for more examples than its split has (%,d); give at most %,d, or add "
                            + "examples",
                    d.compact(), key, asked, part.size(), part.size()));
        }
    }

    /**
     * The data as used for the record: the rows' fingerprint and sizes, the checksums of the files they
     * came from, and the class names a user's own data learned from its files.
     */
    public static RunRecord.DataInfo dataInfo(ExperimentSpec.DataSpec d, Splits used) {
        return RunRecord.DataInfo.of(d.dataset(), Datasets.resolve(d.dataset(), d.options()), dir(d), used);
    }

    private static Path dir(ExperimentSpec.DataSpec d) {
        return d.dir() == null ? null : Path.of(d.dir());
    }

    /**
     * A teacher ready for distillation: where it came from, the file that holds it, and its training
     * (null when it was loaded or reused).
     */
    public record Prepared(Teacher teacher, String source, Path file, TrainingOutcome training) {}

    /**
     * Loads the teacher from {@code ts.file()}, or reuses the copy trained earlier with the same spec
     * on the same data (kept under {@code <runs>/teachers/}), or trains and keeps it.
     */
    public static Prepared teacher(
            ExperimentSpec.TeacherSpec ts,
            Splits data,
            RunStore store,
            List<TrainingListener> listeners,
            Consumer<String> log) {
        return teacher(ts, null, data, store, listeners, log);
    }

    /**
     * As above; {@code dataSpec} says where {@code data} came from, so that a teacher with an
     * {@code auxiliary} task can load that task's labels over the same files.
     */
    public static Prepared teacher(
            ExperimentSpec.TeacherSpec ts,
            ExperimentSpec.DataSpec dataSpec,
            Splits data,
            RunStore store,
            List<TrainingListener> listeners,
            Consumer<String> log) {
        Backend.start();
        if (ts.file() != null) {
            Path f = Path.of(ts.file());
            return new Prepared(Teacher.load(f), "loaded from " + ts.file(), f, null);
        }
        if (ts.onnx() != null) {
            Path f = Path.of(ts.onnx().file());
            Teacher t = Teachers.onnxModel(f, ts.onnx().options(Backend.threads()));
            return new Prepared(
                    new Teacher(ts.name(), t.model(), t.provenance()),
                    "ONNX model " + ts.onnx().file(),
                    f,
                    null);
        }
        if (ts.pretrained() != null) {
            // a pretrained speech teacher (text encoders run in EmbeddingExperiment)
            // opened for the clips' own length (one second for the speech set)
            Teacher t = data.train().hasWaveforms()
                    ? Teachers.speech(data.train().waveforms().columns(), Backend.threads(), log)
                    : Teachers.speech(Backend.threads(), log);
            return new Prepared(
                    new Teacher(ts.name(), t.model(), t.provenance()),
                    "pretrained " + ts.pretrained() + " (npm " + dev.distillery.teacher.SpeechEmbedding.PACKAGE.spec()
                            + ")",
                    null,
                    null);
        }
        String key = DataLocator.sha256(Specs.toJson(ts) + data.fingerprint()).substring(0, 16);
        Path file = store.root().resolve("teachers").resolve(RunStore.slug(ts.name()) + "-" + key + ".dtm");
        if (Files.isRegularFile(file)) {
            Teacher t = Teacher.load(file);
            return new Prepared(
                    t, "reused " + file + ", trained " + t.provenance().created(), file, null);
        }
        TrainingOptions o = new TrainingOptions(
                ts.epochs(), ts.batchSize(), ts.learningRate(), ts.patience(), ts.seed(), null, false, null);
        if (ts.auxiliary() != null) {
            if (dataSpec == null) {
                throw new SpecException("teacher '" + ts.name() + "' has an auxiliary task (" + ts.auxiliary()
                        + "), which needs the data spec it shares files with; give it in an experiment spec");
            }
            log.accept("training teacher '" + ts.name() + "': " + ts.model().describe() + ", " + ts.epochs()
                    + " epochs, with a second head on " + ts.auxiliary());
            Splits aux = data(dataSpec.withDataset(ts.auxiliary()));
            MultiTask.Trained tr = MultiTask.train(
                    ts.name(),
                    ts.model(),
                    data,
                    aux,
                    new MultiTask.Task(Probes.key(ts.auxiliary()), aux.train().numClasses(), null, 1.0),
                    o,
                    listeners);
            tr.teacher().save(file);
            return new Prepared(
                    tr.teacher(),
                    String.format(
                            Locale.ROOT,
                            "trained here in %.0f s with %s %.1f%% on its second head, saved to %s",
                            tr.outcome().seconds(),
                            Probes.key(ts.auxiliary()),
                            100 * tr.secondaryAccuracy(),
                            file),
                    file,
                    tr.outcome());
        }
        log.accept("training teacher '" + ts.name() + "': " + ts.model().describe() + ", " + ts.epochs() + " epochs");
        Teachers.Trained tr = Teachers.train(ts.name(), ts.model(), data, o, listeners);
        tr.teacher().save(file);
        return new Prepared(
                tr.teacher(),
                String.format(
                        "trained here in %.0f s, saved to %s", tr.outcome().seconds(), file),
                file,
                tr.outcome());
    }

    public Outcome run() {
        Backend.start(spec.threads());
        String engine = Backend.report();
        listeners.forEach(l -> l.onEngine(engine));
        int leftovers = store.sweep();
        if (leftovers > 0) {
            log.accept("removed " + leftovers + " temporary file" + (leftovers == 1 ? "" : "s") + " left in "
                    + store.root() + " by writes that never finished");
        }
        if (EmbeddingExperiment.applies(spec)) {
            return new EmbeddingExperiment(spec, store, listeners, log, loaded, policy).run();
        }
        Splits all = data(spec.data());
        Splits data = spec.data().labels() == null
                ? all
                : all.withLabels(spec.data().labels(), spec.data().splitSeed());
        log.accept(String.format(
                "data: %s, %,d train (%,d labels for students), %,d validation, %,d test%s",
                spec.data().dataset(),
                data.train().size(),
                data.train().labeledCount(),
                data.validation().size(),
                data.test().size(),
                data.train().imageShape() == null ? "" : "; " + data.train().imageShape() + " images"));

        Prepared prepared =
                spec.teacher() == null ? null : teacher(spec.teacher(), spec.data(), all, store, listeners, log);
        Teacher teacher = prepared == null ? null : prepared.teacher();
        String source = prepared == null ? null : prepared.source();
        Ensemble ensemble =
                spec.ensemble() == null ? null : ensemble(spec.ensemble(), all, data, store, listeners, log);
        double teacherAcc = Double.NaN;
        if (teacher != null && !teacher.hasLogits()) {
            log.accept(String.format("teacher '%s': %s (%s)", teacher.name(), teacher.describe(), source));
        } else if (teacher != null) {
            teacherAcc = dev.distillery.eval.Accuracy.of(
                    teacher.logits(data.test()), data.test().labels());
            log.accept(
                    String.format("teacher '%s': test accuracy %.2f%% (%s)", teacher.name(), 100 * teacherAcc, source));
        }
        if (ensemble != null) {
            teacherAcc = dev.distillery.eval.Accuracy.of(
                    ensemble.logits(data.test()), data.test().labels());
            source = ensemble.toString();
            log.accept(String.format("%s: test accuracy %.2f%%", ensemble, 100 * teacherAcc));
        }

        RunRecord.DataInfo dataInfo = dataInfo(spec.data(), data);
        RunRecord.TeacherInfo teacherInfo = teacher != null
                ? new RunRecord.TeacherInfo(
                        teacher.name(), teacher.id(), teacher.compact(), teacherAcc, source, teacher.parameterCount())
                : ensemble != null
                        ? new RunRecord.TeacherInfo(
                                ensemble.name(),
                                ensemble.id(),
                                "ensemble " + ensemble.mode().label() + ": "
                                        + String.join(" + ", ensemble.memberNames()),
                                teacherAcc,
                                source,
                                ensemble.parameters())
                        : null;

        Runner runner = new Runner(spec, store, listeners, log, all, data, dataInfo, teacherInfo, null, null, policy);
        if (prepared != null && prepared.teacher().isNetwork()) {
            Network net = prepared.teacher().network();
            runner.teacherRecord(
                    RunRecord.TEACHER,
                    "teacher '" + prepared.teacher().name() + "'",
                    net.spec().compact(),
                    new Probes.Subject(net, null, null),
                    spec.teacher().seed(),
                    prepared.teacher().provenance().objective(),
                    prepared.training());
        } else if (prepared != null) {
            // a teacher run elsewhere (ONNX Runtime) is probed through its cached outputs
            runner.teacherRecord(
                    RunRecord.TEACHER,
                    "teacher '" + prepared.teacher().name() + "'",
                    prepared.teacher().compact(),
                    new Probes.Subject(prepared.teacher(), null, null),
                    spec.teacher().seed(),
                    prepared.teacher().provenance().objective(),
                    null);
        }
        int runs = spec.students().size() * spec.recipes().size() * spec.seeds().size();
        int run = 0;
        for (ExperimentSpec.StudentSpec st : spec.students()) {
            for (ExperimentSpec.RecipeSpec rc : spec.recipes()) {
                for (long seed : spec.seeds()) {
                    int started = ++run;
                    listeners.forEach(l -> l.onRunStart(started, runs));
                    if (spec.chain() != null) {
                        chain(runner, teacher, st, rc, seed);
                        continue;
                    }
                    Distill d = ensemble != null
                            ? Distill.from(ensemble).into(st.model())
                            : teacher == null
                                    ? Distill.scratch(st.model())
                                    : Distill.from(teacher).into(st.model());
                    runner.run(d, st, rc, rc.name(), seed);
                }
            }
        }
        return new Outcome(
                spec,
                teacher,
                source,
                prepared == null ? null : prepared.file(),
                teacherAcc,
                runner.results,
                runner.records,
                Results.runs(runner.records),
                Results.summary(runner.records),
                runner.models);
    }

    /** Prepares every member (trained, reused or loaded) and sets the weights: uniform, fixed, or searched by DE on validation. */
    public static Ensemble ensemble(
            ExperimentSpec.EnsembleSpec es,
            Splits all,
            Splits data,
            RunStore store,
            List<TrainingListener> listeners,
            Consumer<String> log) {
        List<Teacher> members = new ArrayList<>();
        for (ExperimentSpec.TeacherSpec ts : es.members()) {
            Prepared p = teacher(ts, all, store, listeners, log);
            members.add(p.teacher());
            log.accept(String.format(
                    "member '%s': %s, test accuracy %.2f%% (%s)",
                    ts.name(),
                    p.teacher().isNetwork()
                            ? p.teacher().network().spec().describe()
                            : p.teacher().describe(),
                    100
                            * dev.distillery.eval.Accuracy.of(
                                    p.teacher().logits(data.test()), data.test().labels()),
                    p.source()));
        }
        Ensemble e = Ensemble.of(es.name(), members).mode(es.mode());
        if (es.weights().equals("de")) {
            e = EnsembleWeights.search(
                    e,
                    data.validation(),
                    new EnsembleWeights.Options(
                            EnsembleWeights.Fitness.parse(es.fitness()), 0, es.evaluations(), es.seed()));
            Lineage.Search r = e.search();
            log.accept(String.format(
                    "differential evolution (%d evaluations, seed %d) on %,d validation images: %s %.4f → "
                            + "%.4f, accuracy %.2f%% → %.2f%% (uniform → found)",
                    r.evaluations(),
                    r.seed(),
                    data.validation().size(),
                    r.fitness(),
                    r.uniformValue(),
                    r.value(),
                    100 * r.uniformAccuracy(),
                    100 * r.accuracy()));
        } else if (!es.weights().equals("uniform")) {
            e = e.weights(ExperimentSpec.EnsembleSpec.fixedWeights(es.weights(), es.name()).stream()
                    .mapToDouble(Double::doubleValue)
                    .toArray());
        }
        return e;
    }

    /**
     * One chain for student {@code st}: each assistant learns from the stage before (the first from the
     * teacher), then the student learns from the last assistant, or from all of them combined, once per
     * entry of {@code finals}. Every stage is a recorded run whose lineage names its parent runs.
     */
    private void chain(
            Runner runner, Teacher teacher, ExperimentSpec.StudentSpec st, ExperimentSpec.RecipeSpec rc, long seed) {
        ExperimentSpec.ChainSpec cs = spec.chain();
        List<ExperimentSpec.StudentSpec> tas = cs.assistants();
        if (tas.isEmpty()) {
            List<ModelSpec> sized = Chain.assistantSizes(teacher.parameterCount(), st.model(), cs.count());
            tas = java.util.stream.IntStream.range(0, sized.size())
                    .mapToObj(i -> new ExperimentSpec.StudentSpec("ta" + (i + 1), sized.get(i)))
                    .toList();
        }
        int stages = tas.size() + 1;
        String chainName = cs.name();
        Teacher previous = teacher;
        List<Teacher> assistants = new ArrayList<>();
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < tas.size(); i++) {
            ExperimentSpec.StudentSpec ta = tas.get(i);
            log.accept(String.format(
                    "chain %s, stage %d/%d: %s (%s, %,d parameters) from %s",
                    chainName,
                    i + 1,
                    stages,
                    ta.name(),
                    ta.model().describe(),
                    ta.model().parameterCount(),
                    previous.name()));
            Distill d = Distill.from(previous)
                    .into(ta.model())
                    .inChain(
                            chainName,
                            "assistant",
                            i + 1,
                            stages,
                            runs.isEmpty() ? List.of() : List.of(runs.get(runs.size() - 1)));
            Runner.Ran ran = runner.run(d, ta, rc, rc.name(), seed);
            previous =
                    new Teacher(ta.name(), ran.result().network(), ran.result().provenance());
            assistants.add(previous);
            runs.add(ran.record().id());
        }
        for (String fin : cs.finals()) {
            Distill d;
            String from;
            List<String> parents;
            if (fin.equals("last")) {
                d = Distill.from(previous);
                from = previous.name();
                parents = List.of(runs.get(runs.size() - 1));
            } else {
                Ensemble e = Ensemble.of(chainName + " assistants", assistants);
                if (fin.equals("de")) {
                    e = EnsembleWeights.search(
                            e,
                            runner.data.validation(),
                            EnsembleWeights.Options.defaults().seed(seed));
                }
                log.accept(String.format("chain %s: %s", chainName, e));
                d = Distill.from(e);
                from = fin + "(" + String.join("+", e.memberNames()) + ")";
                parents = List.copyOf(runs);
            }
            log.accept(String.format("chain %s, stage %d/%d: %s from %s", chainName, stages, stages, st.name(), from));
            d = d.into(st.model()).inChain(chainName, "student", stages, stages, parents);
            if (!fin.equals("last")) {
                d = d.lineage(l -> l.withRuns(runs));
            }
            runner.run(d, st, rc, rc.name() + " · from " + from, seed);
        }
    }
}
