package dev.distillery.experiment;

import dev.distillery.backend.Backend;
import dev.distillery.data.SpeechCommandsSynth;
import dev.distillery.data.SpeechCommandsSynth.Task;
import dev.distillery.data.Splits;
import dev.distillery.loss.FeatureLoss;
import dev.distillery.loss.Losses;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.TransformerSpec;
import dev.distillery.spec.SpecException;
import dev.distillery.teacher.SpeechEmbedding;
import dev.distillery.train.TrainingListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Which speech teacher is worth distilling: the pretrained {@code speech-embedding} (run by ONNX
 * Runtime on the clips' waveforms) or the speech teacher trained here on words and voices (the
 * depth-width study's). Students of a few sizes learn from each without labels, with the same
 * features loss: the teacher's last hidden-state sequence against the student's last layer (cosine,
 * through a linear projection; the pretrained teacher's three windows meet the student's frames
 * pooled over each window) plus the clip embeddings ({@code features}: cosine and InfoNCE against
 * the batch, as DisCo distils sentence embeddings; on the fast set InfoNCE lifted the word probe of a
 * 2 × 48 student of the pretrained teacher from 20.8 % to 52.1 %). Every student and
 * both teachers are probed SUPERB-style on word and voice and timed per clip; {@link #table}
 * rebuilds the comparison from run records alone.
 */
public final class SpeechTeacherStudy {

    public static final String NAME = "speech-teachers";
    /** The recipes, named by the teacher each student learns from. */
    public static final String FROM_PRETRAINED = "from-" + SpeechEmbedding.NAME;

    public static final String FROM_TRAINED = "from-trained-teacher";

    /** Students (speech specs without the data's sizes), the teacher trained here, and training. */
    public record Options(
            List<String> students,
            String trainedTeacher,
            int teacherEpochs,
            int epochs,
            int probeEpochs,
            List<Long> seeds,
            int batchSize,
            double learningRate) {

        public Options {
            if (students.isEmpty() || seeds.isEmpty()) {
                throw new SpecException(NAME + ": give at least one student and one seed");
            }
            students = List.copyOf(students);
            seeds = List.copyOf(seeds);
        }

        /** Three students from 1 × 32 to 4 × 96, the depth-width study's teacher, three seeds. */
        public static Options full() {
            return new Options(
                    List.of(
                            "speech:1x32,heads=4,ffn=2,stride=2",
                            "speech:2x64,heads=4,ffn=2,stride=2",
                            "speech:4x96,heads=4,ffn=2,stride=2"),
                    SpeechStudy.Options.full().teacher(),
                    SpeechStudy.Options.full().teacherEpochs(),
                    15,
                    20,
                    List.of(1L, 2L, 3L),
                    32,
                    1e-3);
        }

        /** A minute-sized version for tests: two small students, one seed, few epochs. */
        public static Options fast() {
            return new Options(
                    List.of("speech:1x32,heads=4,ffn=2,stride=2", "speech:2x48,heads=4,ffn=2,stride=2"),
                    SpeechStudy.Options.fast().teacher(),
                    SpeechStudy.Options.fast().teacherEpochs(),
                    4,
                    10,
                    List.of(1L),
                    32,
                    1e-3);
        }

        public Options withSeeds(List<Long> s) {
            return new Options(
                    students, trainedTeacher, teacherEpochs, epochs, probeEpochs, s, batchSize, learningRate);
        }
    }

    private SpeechTeacherStudy() {}

    /**
     * The loss both teachers are distilled with, no labels: last layer to last layer by cosine, and the
     * clip embeddings by cosine and InfoNCE.
     */
    public static FeatureLoss loss() {
        return new FeatureLoss(
                Losses.none(),
                List.of(FeatureLoss.Match.parse("features:cosine"), FeatureLoss.Match.parse("features:infonce")),
                FeatureLoss.Mapping.parse("last-1:hidden,loss=cosine,proj=linear"),
                null,
                null);
    }

    /**
     * The two experiments: the pretrained teacher, then the teacher trained here, each distilled into
     * every student for every seed, on the word task's clips of the set in {@code setDir}.
     */
    public static List<ExperimentSpec> specs(Map<Task, Splits> data, Path setDir, Options o) {
        Splits word = data.get(Task.WORD);
        int mels = 40;
        int frames = word.train().inputSize() / mels;
        String sizes = ",frame=" + mels + ",length=" + frames + ",outputs="
                + word.train().numClasses();
        List<ExperimentSpec.StudentSpec> students = new ArrayList<>();
        for (String s : o.students()) {
            TransformerSpec spec = (TransformerSpec) ModelSpec.parse(s + sizes);
            students.add(new ExperimentSpec.StudentSpec("d" + spec.depth() + "w" + spec.width(), spec));
        }
        String wordSet = SpeechCommandsSynth.NAME + "/word";
        String voiceSet = SpeechCommandsSynth.NAME + "/voice";
        ExperimentSpec.DataSpec d =
                new ExperimentSpec.DataSpec(wordSet, null, null, null, null, null, null, setDir.toString());
        ExperimentSpec.TrainingSpec training =
                new ExperimentSpec.TrainingSpec(o.epochs(), o.batchSize(), o.learningRate(), 0);
        List<ExperimentSpec.ProbeSpec> probes = List.of(
                new ExperimentSpec.ProbeSpec("layers", List.of(wordSet, voiceSet), o.probeEpochs(), 1e-2, 64),
                new ExperimentSpec.ProbeSpec("latency", List.of(wordSet), null, null, null));
        ExperimentSpec.TeacherSpec trained = new ExperimentSpec.TeacherSpec(
                "speech-teacher",
                ModelSpec.parse(o.trainedTeacher() + sizes),
                null,
                o.teacherEpochs(),
                o.batchSize(),
                o.learningRate(),
                0,
                o.seeds().get(0),
                voiceSet);
        List<ExperimentSpec> out = new ArrayList<>();
        for (ExperimentSpec.TeacherSpec ts :
                List.of(ExperimentSpec.TeacherSpec.pretrained(SpeechEmbedding.NAME), trained)) {
            String recipe = ts.pretrained() != null ? FROM_PRETRAINED : FROM_TRAINED;
            out.add(new ExperimentSpec(
                    NAME,
                    d,
                    ts,
                    students,
                    List.of(new ExperimentSpec.RecipeSpec(recipe, loss(), null, null, null)),
                    training,
                    o.seeds(),
                    Backend.threadsOrDefault(),
                    null,
                    null,
                    probes));
        }
        return out;
    }

    /** The study's records and its table. */
    public record Result(List<RunRecord> records, Table table, double seconds) {}

    /** Runs both experiments on the set in {@code setDir} into {@code store}. */
    public static Result run(
            Map<Task, Splits> data,
            Path setDir,
            Options o,
            RunStore store,
            List<TrainingListener> listeners,
            Consumer<String> log) {
        long t0 = System.nanoTime();
        List<RunRecord> records = new ArrayList<>();
        for (ExperimentSpec spec : specs(data, setDir, o)) {
            Experiment e = new Experiment(spec, store).log(log);
            listeners.forEach(e::listener);
            records.addAll(e.run().records());
        }
        return new Result(records, table(records), (System.nanoTime() - t0) / 1e9);
    }

    /**
     * One row per teacher and per (teacher, student): parameters, seeds, word and voice probe accuracy
     * (mean and sample standard deviation over seeds) and milliseconds per clip; from records alone.
     */
    public static Table table(List<RunRecord> records) {
        Map<String, List<RunRecord>> groups = new TreeMap<>();
        for (RunRecord r : records) {
            if (!NAME.equals(r.experiment())
                    || !RunRecord.COMPLETED.equals(r.status())
                    || r.probes() == null
                    || !r.probes().containsKey("word")) {
                continue;
            }
            boolean teacher = r.recipe().equals(RunRecord.TEACHER);
            String from = r.teacher() == null ? "" : r.teacher().name();
            String key = (teacher
                    ? "0|" + from
                    : "1|" + from + "|" + String.format("%09d", parameters(r)) + "|" + r.student());
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
        }
        StringColumn model = StringColumn.create("model");
        StringColumn teacherCol = StringColumn.create("distilled from");
        LongColumn params = LongColumn.create("params");
        IntColumn seeds = IntColumn.create("seeds");
        ProbeColumns probes = new ProbeColumns();
        DoubleColumn ms = DoubleColumn.create("ms_per_clip");
        for (List<RunRecord> g : groups.values()) {
            RunRecord first = g.get(0);
            boolean teacher = first.recipe().equals(RunRecord.TEACHER);
            model.append(teacher ? "teacher " + first.teacher().name() : first.student());
            teacherCol.append(teacher ? "—" : first.teacher().name());
            params.append(parameters(first));
            seeds.append(g.size());
            probes.append(g);
            double[] t = g.stream()
                    .mapToDouble(r -> r.probes().getOrDefault("ms_per_clip", Double.NaN))
                    .toArray();
            double meanMs = Results.mean(t);
            ms.append(Double.isNaN(meanMs) ? meanMs : Math.round(1000 * meanMs) / 1000.0);
        }
        return Table.create(
                NAME,
                model,
                teacherCol,
                params,
                seeds,
                probes.wordMean,
                probes.wordSd,
                probes.voiceMean,
                probes.voiceSd,
                ms);
    }

    private static long parameters(RunRecord r) {
        return Math.round(r.probes().getOrDefault("parameters", Double.NaN));
    }

    /** A line per teacher: its students' mean word and voice accuracy, for the verdict. */
    public static String verdict(Table t) {
        StringBuilder sb = new StringBuilder();
        for (String from : t.stringColumn("distilled from").unique()) {
            if (from.equals("—")) {
                continue;
            }
            Table s = t.where(t.stringColumn("distilled from").isEqualTo(from));
            sb.append(String.format(
                    Locale.ROOT,
                    "students of %s: word %.1f%%, voice %.1f%% on average over %d sizes%n",
                    from,
                    s.doubleColumn("word_%").mean(),
                    s.doubleColumn("voice_%").mean(),
                    s.rowCount()));
        }
        return sb.toString();
    }
}
