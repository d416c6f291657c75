package dev.distillery.experiment;

import dev.distillery.backend.Backend;
import dev.distillery.data.DataLocator;
import dev.distillery.data.Dataset;
import dev.distillery.data.Datasets;
import dev.distillery.data.Splits;
import dev.distillery.data.TextDataset;
import dev.distillery.data.TextTokenizer;
import dev.distillery.distill.Chain;
import dev.distillery.distill.Distill;
import dev.distillery.distill.DistillResult;
import dev.distillery.distill.EnsembleWeights;
import dev.distillery.distill.SentenceDistill;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.Network;
import dev.distillery.provenance.Lineage;
import dev.distillery.spec.SpecException;
import dev.distillery.spec.Specs;
import dev.distillery.teacher.EncoderEnsemble;
import dev.distillery.teacher.Ensemble;
import dev.distillery.teacher.MultiTask;
import dev.distillery.teacher.OnnxTeacher;
import dev.distillery.teacher.Teacher;
import dev.distillery.teacher.Teachers;
import dev.distillery.train.EpochStats;
import dev.distillery.train.TrainingDivergedException;
import dev.distillery.train.TrainingInterruptedException;
import dev.distillery.train.TrainingListener;
import dev.distillery.train.TrainingOptions;
import dev.distillery.train.TrainingOutcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
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
                    : !teacher.isNetwork()
                            ? "teacher " + teacher.model() + " [" + teacherSource + "]"
                            : String.format(
                                    "teacher %s (%s, %,d parameters): test accuracy %.2f %% [%s]",
                                    teacher.name(),
                                    teacher.network().spec().describe(),
                                    teacher.network().parameterCount(),
                                    100 * teacherTestAccuracy,
                                    teacherSource);
            if (teacher == null && spec.ensemble() != null && !Double.isNaN(teacherTestAccuracy)) {
                t = String.format("%s: test accuracy %.2f %%", teacherSource, 100 * teacherTestAccuracy);
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
        Dataset set = Datasets.get(d.dataset());
        Splits s;
        if (set instanceof TextDataset text) {
            if (tokenizer == null) {
                throw new SpecException("data '" + d.dataset() + "' is text, tokenized by a pretrained teacher's "
                        + "tokenizer: give the teacher as pretrained: NAME (e.g. bge-small-en-v1.5)");
            }
            s = text.load(dir(d), tokenizer, d.textOptions(), log);
        } else {
            s = set.load(dir(d), d.validation(), d.splitSeed());
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

    /** The data as used for the record: the rows' fingerprint and sizes, and the checksums of the files they came from. */
    public static RunRecord.DataInfo dataInfo(ExperimentSpec.DataSpec d, Splits used) {
        return RunRecord.DataInfo.of(d.dataset(), Datasets.get(d.dataset()), dir(d), used);
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
                            "trained here in %.0f s with %s %.1f %% on its second head, saved to %s",
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
        log.accept(Backend.report());
        if (pretrainedTeacher()) {
            return runEmbeddings();
        }
        Splits all = data(spec.data());
        Splits data = spec.data().labels() == null
                ? all
                : all.withLabels(spec.data().labels(), spec.data().splitSeed());
        log.accept(String.format(
                "data: %s, %,d train (%,d labels for students), %,d validation, %,d test",
                spec.data().dataset(),
                data.train().size(),
                data.train().labeledCount(),
                data.validation().size(),
                data.test().size()));

        Prepared prepared =
                spec.teacher() == null ? null : teacher(spec.teacher(), spec.data(), all, store, listeners, log);
        Teacher teacher = prepared == null ? null : prepared.teacher();
        String source = prepared == null ? null : prepared.source();
        Ensemble ensemble =
                spec.ensemble() == null ? null : ensemble(spec.ensemble(), all, data, store, listeners, log);
        double teacherAcc = Double.NaN;
        if (teacher != null) {
            teacherAcc = dev.distillery.eval.Accuracy.of(
                    teacher.logits(data.test()), data.test().labels());
            log.accept(String.format(
                    "teacher '%s': test accuracy %.2f %% (%s)", teacher.name(), 100 * teacherAcc, source));
        }
        if (ensemble != null) {
            teacherAcc = dev.distillery.eval.Accuracy.of(
                    ensemble.logits(data.test()), data.test().labels());
            source = ensemble.toString();
            log.accept(String.format("%s: test accuracy %.2f %%", ensemble, 100 * teacherAcc));
        }

        RunRecord.DataInfo dataInfo = dataInfo(spec.data(), data);
        RunRecord.TeacherInfo teacherInfo = teacher != null
                ? new RunRecord.TeacherInfo(
                        teacher.name(),
                        teacher.id(),
                        teacher.network().spec().compact(),
                        teacherAcc,
                        source,
                        teacher.network().parameterCount())
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

        Runner runner = new Runner(all, data, dataInfo, teacherInfo, null, null);
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
        }
        for (ExperimentSpec.StudentSpec st : spec.students()) {
            for (ExperimentSpec.RecipeSpec rc : spec.recipes()) {
                for (long seed : spec.seeds()) {
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

    /** Whether the spec's teacher, or every member of its ensemble, is a shipped pretrained encoder. */
    private boolean pretrainedTeacher() {
        if (spec.teacher() != null) {
            return spec.teacher().pretrained() != null;
        }
        if (spec.ensemble() == null) {
            return false;
        }
        long n = spec.ensemble().members().stream()
                .filter(m -> m.pretrained() != null)
                .count();
        if (n > 0 && n < spec.ensemble().members().size()) {
            throw new SpecException("ensemble '" + spec.ensemble().name() + "' mixes pretrained encoders with "
                    + "teachers trained here; an ensemble of encoders averages sentence embeddings, one of "
                    + "classifiers their outputs: give members of one kind");
        }
        return n > 0;
    }

    /** The pretrained encoder {@code ts} names, reading {@code length} tokens (the copy given to {@link #pretrained}, or loaded now). */
    private Teacher encoder(ExperimentSpec.TeacherSpec ts, int length) {
        Teacher given = loaded.get(ts.pretrained());
        Teacher t = given != null
                ? SentenceDistill.atLength(given, length)
                : Teachers.pretrained(ts.pretrained(), length, spec.threads());
        ((OnnxTeacher) t.model()).progress(log);
        return t;
    }

    /**
     * An experiment whose teacher is a pretrained encoder (or an ensemble of them, whose sentence
     * embeddings are averaged): the students learn its sentence embeddings on the spec's unlabelled text
     * ({@link SentenceDistill}); fidelity is measured against the teacher (an ensemble's first member).
     * A recipe whose loss is {@code none} alone is the student as initialised, a baseline; a
     * {@code scratch} recipe trains the student on each task of the spec's {@code fine-tune} probe.
     */
    private Outcome runEmbeddings() {
        int length = spec.data().textOptions().length();
        List<Teacher> encoders = new ArrayList<>();
        if (spec.teacher() != null) {
            encoders.add(encoder(spec.teacher(), length));
        } else {
            ExperimentSpec.EnsembleSpec es = spec.ensemble();
            if (!es.weights().equals("uniform") || es.mode() != dev.distillery.loss.EnsembleMode.TARGETS) {
                throw new SpecException("ensemble '" + es.name() + "': an ensemble of pretrained encoders is the "
                        + "plain mean of their sentence embeddings; drop weights and mode");
            }
            es.members().forEach(m -> encoders.add(encoder(m, length)));
        }
        Teacher reference = encoders.get(0);
        Teacher teacher = encoders.size() == 1
                ? reference
                : EncoderEnsemble.of(spec.ensemble().name(), encoders.toArray(Teacher[]::new));
        Splits data = data(spec.data(), ((OnnxTeacher) reference.model()).tokenizer(), log);
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
                data,
                data,
                dataInfo(spec.data(), data),
                teacherInfo,
                reference,
                ((OnnxTeacher) reference.model()).tokenizer());
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
        return new Outcome(
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
                    "member '%s': %s, test accuracy %.2f %% (%s)",
                    ts.name(),
                    p.teacher().network().spec().describe(),
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
                            + "%.4f, accuracy %.2f %% → %.2f %% (uniform → found)",
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
            List<ModelSpec> sized = Chain.assistantSizes(teacher.network().parameterCount(), st.model(), cs.count());
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

    /**
     * Runs one distillation and writes its record, completed, interrupted or failed; runs the spec's
     * probes on each completed model (the teacher's first, in a record of its own).
     */
    private final class Runner {
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
                Splits all,
                Splits data,
                RunRecord.DataInfo dataInfo,
                RunRecord.TeacherInfo teacherInfo,
                Teacher reference,
                TextTokenizer tokenizer) {
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

        /** The recipe's training for one run: its epochs, learning rate and patience over the spec's. */
        TrainingOptions options(
                String id, ExperimentSpec.StudentSpec st, ExperimentSpec.RecipeSpec rc, String recipe, long seed) {
            return new TrainingOptions(
                    rc.epochs() != null ? rc.epochs() : spec.training().epochs(),
                    spec.training().batchSize(),
                    rc.learningRate() != null
                            ? rc.learningRate()
                            : spec.training().learningRate(),
                    rc.patience() != null ? rc.patience() : spec.training().patience(),
                    seed,
                    store.dir(id).resolve("checkpoint"),
                    false,
                    st.name() + " · " + recipe + " · seed " + seed);
        }

        Ran run(Distill d, ExperimentSpec.StudentSpec st, ExperimentSpec.RecipeSpec rc, String recipe, long seed) {
            String id = store.newId(spec.name(), st.name(), recipe, seed);
            RunRecord.Builder b = record(id, seed);
            TrainingOptions o = options(id, st, rc, recipe, seed);
            d.named(st.name()).with(rc.loss()).on(data).options(o).listeners(listeners);
            try {
                DistillResult r = d.run();
                results.add(r);
                log.accept(r.summary());
                // a completed run names the loss as trained: mappings resolved, projections chosen
                RunRecord rec = b.student(st.name(), r.network().spec().compact())
                        .recipe(recipe, r.provenance().objective())
                        .metrics(r.metrics())
                        .training(r.training())
                        .lineage(r.provenance().lineage())
                        .probes(probe(st.name() + " · seed " + seed, new Probes.Subject(r.network(), null, null), seed))
                        .build();
                store.write(rec);
                records.add(rec);
                models.put(rec.id(), r.network());
                return new Ran(r, rec);
            } catch (TrainingInterruptedException e) {
                store.write(unfinished(b, st, rc, recipe, RunRecord.INTERRUPTED, e.getMessage(), e.curve()));
                throw e;
            } catch (TrainingDivergedException e) {
                store.write(unfinished(b, st, rc, recipe, RunRecord.FAILED, e.getMessage(), e.curve()));
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
            String id = store.newId(spec.name(), st.name(), recipe, seed);
            RunRecord.Builder b = record(id, seed);
            TrainingOptions o = options(id, st, rc, recipe, seed);
            String who = st.name() + " · " + recipe + " · seed " + seed;
            try {
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
                    ran = runs.distil(teacher, st, rc, o, chained);
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
                records.add(rec);
                if (ran != null) {
                    models.put(rec.id(), ran.network());
                }
                return ran == null ? null : ran.withRecord(rec);
            } catch (TrainingInterruptedException e) {
                store.write(unfinished(b, st, rc, recipe, RunRecord.INTERRUPTED, e.getMessage(), e.curve()));
                throw e;
            } catch (TrainingDivergedException e) {
                store.write(unfinished(b, st, rc, recipe, RunRecord.FAILED, e.getMessage(), e.curve()));
                throw e;
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
            RunRecord.Builder b = record(store.newId(spec.name(), student, RunRecord.TEACHER, seed), seed);
            RunRecord rec = b.student(student, compact)
                    .recipe(RunRecord.TEACHER, objective)
                    .training(training)
                    .probes(probe(who, subject, seed))
                    .build();
            store.write(rec);
            records.add(rec);
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
                            : data(spec.data().withDataset(n), tokenizer, log));
        }
    }
}
