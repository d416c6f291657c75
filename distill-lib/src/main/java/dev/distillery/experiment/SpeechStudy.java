package dev.distillery.experiment;

import dev.distillery.backend.Backend;
import dev.distillery.data.SpeechCommandsSynth;
import dev.distillery.data.SpeechCommandsSynth.Task;
import dev.distillery.data.Splits;
import dev.distillery.loss.FeatureLoss;
import dev.distillery.loss.Losses;
import dev.distillery.model.Budgets;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.TransformerSpec;
import dev.distillery.plot.Charts;
import dev.distillery.spec.SpecException;
import dev.distillery.teacher.Teacher;
import dev.distillery.train.TrainingListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.knowm.xchart.XYChart;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The depth-versus-width study on the synthetic speech commands: one speech teacher trained on
 * words and voices; at one parameter budget, students from shallow-and-wide to deep-and-narrow, each
 * distilled task-agnostically from the same teacher (its hidden states cached once), each probed
 * SUPERB-style on the content task (word) and the speaker task (voice). Every student, and the
 * teacher, leaves a run record with its probe accuracies; {@link #table} and {@link #figure} rebuild
 * the result from those records alone.
 */
public final class SpeechStudy {

    public static final String NAME = "speech-depth-width";
    /** The recipe of the teacher's own record. */
    public static final String TEACHER = RunRecord.TEACHER;

    /**
     * What to run. {@code teacher} is a speech spec without the data's sizes (added from the set);
     * students get {@code budgetFraction} of the teacher's parameters at each of {@code depths}, the
     * teacher's stride, {@code heads} heads and FFN ratio {@code ffnRatio}. {@code recipe}:
     * {@code distilhubert} (prediction heads for every teacher layer from the student's last layer,
     * L1 − log σ(cos)) or {@code fithubert} (each student layer hinted by a teacher layer, uniform
     * mapping, L1 − log σ(cos) after a linear projection). Neither uses labels.
     */
    public record Options(
            String teacher,
            int teacherEpochs,
            double budgetFraction,
            List<Integer> depths,
            int heads,
            double ffnRatio,
            String recipe,
            int epochs,
            int probeEpochs,
            List<Long> seeds,
            int batchSize,
            double learningRate) {

        public Options {
            if (!recipe.equals("distilhubert") && !recipe.equals("fithubert")) {
                throw new SpecException("speech study recipe '" + recipe + "': use distilhubert or fithubert");
            }
            if (!(budgetFraction > 0 && budgetFraction <= 1)) {
                throw new SpecException(
                        "speech study: the budget is a fraction of the teacher in (0, 1], got " + budgetFraction);
            }
            if (depths.isEmpty() || seeds.isEmpty()) {
                throw new SpecException("speech study: give at least one depth and one seed");
            }
            depths = List.copyOf(depths);
            seeds = List.copyOf(seeds);
        }

        /** The paper figure: a 4-layer teacher, a quarter of its size, depths 1–8, three seeds. */
        public static Options full() {
            return new Options(
                    "speech:4x64,heads=4,ffn=4,stride=2",
                    30,
                    0.25,
                    List.of(1, 2, 3, 4, 6, 8),
                    2,
                    2.0,
                    "distilhubert",
                    15,
                    20,
                    List.of(1L, 2L, 3L),
                    32,
                    1e-3);
        }

        /** A minute-sized version for tests and the notebook's fast mode. */
        public static Options fast() {
            return new Options(
                    "speech:2x48,heads=4,ffn=2,stride=2",
                    25,
                    0.4,
                    List.of(1, 2, 4),
                    2,
                    2.0,
                    "distilhubert",
                    5,
                    15,
                    List.of(1L),
                    32,
                    1e-3);
        }

        public Options withSeeds(List<Long> s) {
            return new Options(
                    teacher,
                    teacherEpochs,
                    budgetFraction,
                    depths,
                    heads,
                    ffnRatio,
                    recipe,
                    epochs,
                    probeEpochs,
                    s,
                    batchSize,
                    learningRate);
        }

        public Options withRecipe(String r) {
            return new Options(
                    teacher,
                    teacherEpochs,
                    budgetFraction,
                    depths,
                    heads,
                    ffnRatio,
                    r,
                    epochs,
                    probeEpochs,
                    seeds,
                    batchSize,
                    learningRate);
        }

        public Options withDepths(List<Integer> d) {
            return new Options(
                    teacher,
                    teacherEpochs,
                    budgetFraction,
                    d,
                    heads,
                    ffnRatio,
                    recipe,
                    epochs,
                    probeEpochs,
                    seeds,
                    batchSize,
                    learningRate);
        }
    }

    /** The study's outcome: the teacher, its probes, every record written, the table and the wall time. */
    public record Result(
            Teacher teacher,
            double teacherWord,
            double teacherVoice,
            List<RunRecord> records,
            Table table,
            double seconds) {

        public XYChart figure() {
            return SpeechStudy.figure(records);
        }
    }

    private SpeechStudy() {}

    /** The students at the budget: for each depth, the width (a multiple of the heads) nearest the budget. */
    public static List<Budgets.Candidate> students(TransformerSpec teacher, Options o) {
        long budget = Math.round(teacher.parameterCount() * o.budgetFraction());
        List<Budgets.Candidate> out = new ArrayList<>();
        for (int depth : o.depths()) {
            TransformerSpec base = new TransformerSpec(
                    teacher.inputs(),
                    depth,
                    Math.max(8, o.heads() * 8),
                    o.heads(),
                    o.ffnRatio(),
                    null,
                    teacher.preNorm(),
                    teacher.outputs(),
                    teacher.activation(),
                    null,
                    TransformerSpec.FRAMES,
                    teacher.frame(),
                    teacher.stride());
            TransformerSpec s = (TransformerSpec) Budgets.scaled(base, budget);
            out.add(new Budgets.Candidate(
                    s, depth, s.width(), s.parameterCount(), (s.parameterCount() - budget) / (double) budget));
        }
        return List.copyOf(out);
    }

    /** The task-agnostic loss of {@code recipe} for a teacher of {@code teacherDepth} layers. */
    public static FeatureLoss loss(String recipe, int teacherDepth) {
        if (recipe.equals("fithubert")) {
            return new FeatureLoss(
                    Losses.none(),
                    null,
                    FeatureLoss.Mapping.parse("uniform:hidden,loss=l1-logsig-cos,proj=linear"),
                    null,
                    null);
        }
        return new FeatureLoss(
                Losses.none(),
                null,
                null,
                new FeatureLoss.Heads(IntStream.range(0, teacherDepth).boxed().toList(), "l1-logsig-cos", null),
                null);
    }

    /**
     * Runs the study on the speech set built in {@code setDir} ({@code data}: both of its tasks, from
     * {@link SpeechCommandsSynth#loadTasks}, which size the teacher), as the experiment {@link #spec}
     * describes, writing records into {@code store}.
     */
    public static Result run(
            Map<Task, Splits> data,
            Path setDir,
            Options o,
            RunStore store,
            List<TrainingListener> listeners,
            Consumer<String> log) {
        long t0 = System.nanoTime();
        TransformerSpec tspec = teacherSpec(data, o);
        ExperimentSpec spec = spec(tspec, setDir, o);
        log.accept(String.format(
                Locale.ROOT,
                "%s: teacher %s (%,d parameters), words and voices, %d epochs",
                NAME,
                tspec.describe(),
                tspec.parameterCount(),
                o.teacherEpochs()));
        List<Budgets.Candidate> grid = students(tspec, o);
        for (Budgets.Candidate c : grid) {
            log.accept(String.format(
                    Locale.ROOT,
                    "%s: student %s (%s, %,d parameters, %+.1f%% of the budget), %s, seeds %s",
                    NAME,
                    studentName(c),
                    c.spec().describe(),
                    c.parameters(),
                    100 * c.deviation(),
                    o.recipe(),
                    o.seeds()));
        }
        Experiment experiment = new Experiment(spec, store).log(log);
        listeners.forEach(experiment::listener);
        Experiment.Outcome out = experiment.run();
        RunRecord teacher = out.records().stream()
                .filter(r -> r.recipe().equals(TEACHER))
                .findFirst()
                .orElseThrow();
        double secs = (System.nanoTime() - t0) / 1e9;
        log.accept(String.format(
                Locale.ROOT,
                "%s: %d students in %.0f s; records in %s",
                NAME,
                out.records().size() - 1,
                secs,
                store.root()));
        return new Result(
                out.teacher(),
                teacher.probes().get("word"),
                teacher.probes().get("voice"),
                out.records(),
                table(out.records()),
                secs);
    }

    /** The teacher {@code o.teacher()} sized for the set: its frames, and the word task's classes. */
    public static TransformerSpec teacherSpec(Map<Task, Splits> data, Options o) {
        Splits word = data.get(Task.WORD);
        if (word == null || data.get(Task.VOICE) == null) {
            throw new SpecException("the speech study needs both tasks of the set (word and voice); load them with "
                    + "SpeechCommandsSynth.loadTasks");
        }
        int mels = 40;
        int width = word.train().inputSize();
        String sized = o.teacher().contains("frame=")
                ? o.teacher()
                : o.teacher() + ",frame=" + mels + ",length=" + width / mels;
        TransformerSpec tspec = (TransformerSpec)
                ModelSpec.parse(sized + ",outputs=" + word.train().numClasses());
        if (tspec.inputs() != width) {
            throw new SpecException("teacher spec " + tspec.compact() + " takes " + tspec.inputs()
                    + " inputs but the set has " + width + " per clip; give frame= and length= to match");
        }
        return tspec;
    }

    /**
     * The study as an experiment: the speech set's word task in {@code setDir}; the teacher trained on
     * words with a second head on voices (seeded with the first student seed); the students of
     * {@link #students} at the budget; the recipe's task-agnostic {@link #loss}; and the layer probe on
     * both tasks for the teacher and every student. {@code ./distillery run} runs it as well, and every
     * record carries it.
     */
    public static ExperimentSpec spec(TransformerSpec teacher, Path setDir, Options o) {
        String word = SpeechCommandsSynth.NAME + "/word";
        String voice = SpeechCommandsSynth.NAME + "/voice";
        ExperimentSpec.DataSpec data =
                new ExperimentSpec.DataSpec(word, null, null, null, null, null, null, setDir.toString());
        ExperimentSpec.TeacherSpec ts = new ExperimentSpec.TeacherSpec(
                "speech-teacher",
                teacher,
                null,
                o.teacherEpochs(),
                o.batchSize(),
                o.learningRate(),
                0,
                o.seeds().get(0),
                voice);
        List<ExperimentSpec.StudentSpec> students = students(teacher, o).stream()
                .map(c -> new ExperimentSpec.StudentSpec(studentName(c), c.spec()))
                .toList();
        ExperimentSpec.RecipeSpec recipe =
                new ExperimentSpec.RecipeSpec(o.recipe(), loss(o.recipe(), teacher.depth()), null, null, null);
        ExperimentSpec.TrainingSpec training =
                new ExperimentSpec.TrainingSpec(o.epochs(), o.batchSize(), o.learningRate(), 0);
        ExperimentSpec.ProbeSpec probe =
                new ExperimentSpec.ProbeSpec("layers", List.of(word, voice), o.probeEpochs(), 1e-2, 64);
        return new ExperimentSpec(
                NAME,
                data,
                ts,
                students,
                List.of(recipe),
                training,
                o.seeds(),
                Backend.threadsOrDefault(),
                null,
                null,
                List.of(probe));
    }

    private static String studentName(Budgets.Candidate c) {
        return "d" + c.depth() + "w" + c.width();
    }

    /** Only this study's records that carry probes. */
    private static List<RunRecord> probed(List<RunRecord> records) {
        return records.stream()
                .filter(r -> NAME.equals(r.experiment())
                        && "completed".equals(r.status())
                        && r.probes() != null
                        && r.probes().containsKey("word")
                        && r.probes().containsKey("voice"))
                .toList();
    }

    /**
     * One row per student shape (and the teacher): depth, width, parameters, seeds, and word and voice
     * probe accuracy as mean and sample standard deviation over seeds; from run records alone.
     */
    public static Table table(List<RunRecord> records) {
        Map<String, List<RunRecord>> groups = new TreeMap<>();
        for (RunRecord r : probed(records)) {
            ModelSpec spec = ModelSpec.parse(r.studentSpec());
            int[] dw = Budgets.shape(spec);
            String key =
                    (r.recipe().equals(TEACHER) ? "~" : "") + String.format("%03d|%05d|%s", dw[0], dw[1], r.recipe());
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
        }
        StringColumn model = StringColumn.create("model");
        StringColumn recipe = StringColumn.create("recipe");
        IntColumn depth = IntColumn.create("depth");
        IntColumn widthCol = IntColumn.create("width");
        LongColumn params = LongColumn.create("params");
        IntColumn seeds = IntColumn.create("seeds");
        ProbeColumns probes = new ProbeColumns();
        for (List<RunRecord> g : groups.values()) {
            RunRecord first = g.get(0);
            int[] dw = Budgets.shape(ModelSpec.parse(first.studentSpec()));
            model.append(first.student());
            recipe.append(first.recipe());
            depth.append(dw[0]);
            widthCol.append(dw[1]);
            params.append(Math.round(first.probes().getOrDefault("parameters", Double.NaN)));
            seeds.append(g.size());
            probes.append(g);
        }
        return Table.create(
                NAME,
                model,
                recipe,
                depth,
                widthCol,
                params,
                seeds,
                probes.wordMean,
                probes.wordSd,
                probes.voiceMean,
                probes.voiceSd);
    }

    /**
     * The paper figure, from run records alone: word (content) and voice (speaker) probe accuracy
     * against student depth at one budget, mean ± standard deviation over seeds, with the teacher's
     * probes as flat reference lines.
     */
    public static XYChart figure(List<RunRecord> records) {
        Table t = table(records);
        List<RunRecord> students = probed(records).stream()
                .filter(r -> !r.recipe().equals(TEACHER))
                .toList();
        if (students.isEmpty()) {
            throw new IllegalArgumentException("no probed " + NAME + " students in these records; run the study first: "
                    + "./distillery study " + NAME);
        }
        XYChart c = new org.knowm.xchart.XYChartBuilder()
                .width(800)
                .height(500)
                .title("Depth vs width at one budget: probes on the content and speaker tasks")
                .xAxisTitle("student depth (layers; width falls as depth grows)")
                .yAxisTitle("probe test accuracy (%)")
                .build();
        c.getStyler().setMarkerSize(8);
        c.getStyler().setXAxisDecimalPattern("#");
        c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        Map<String, List<Integer>> rowsByRecipe = new LinkedHashMap<>();
        for (int i = 0; i < t.rowCount(); i++) {
            rowsByRecipe
                    .computeIfAbsent(t.stringColumn("recipe").get(i), k -> new ArrayList<>())
                    .add(i);
        }
        double minDepth = Double.MAX_VALUE;
        double maxDepth = 0;
        for (Map.Entry<String, List<Integer>> e : rowsByRecipe.entrySet()) {
            if (e.getKey().equals(TEACHER)) {
                continue;
            }
            List<Integer> rows = e.getValue();
            double[] x =
                    rows.stream().mapToDouble(i -> t.intColumn("depth").get(i)).toArray();
            for (double d : x) {
                minDepth = Math.min(minDepth, d);
                maxDepth = Math.max(maxDepth, d);
            }
            String widths = rows.stream()
                    .map(i -> String.valueOf(t.intColumn("width").get(i)))
                    .toList()
                    .toString();
            for (String task : List.of("word", "voice")) {
                double[] y = rows.stream()
                        .mapToDouble(i -> t.doubleColumn(task + "_%").get(i))
                        .toArray();
                double[] err = rows.stream()
                        .mapToDouble(i -> {
                            double sd = t.doubleColumn(task + "_sd").get(i);
                            return Double.isNaN(sd) ? 0 : sd;
                        })
                        .toArray();
                String label = (task.equals("word") ? "word (content)" : "voice (speaker)") + " · " + e.getKey()
                        + (task.equals("word") ? " · widths " + widths : "");
                c.addSeries(label, x, y, err)
                        .setMarker(
                                task.equals("word")
                                        ? org.knowm.xchart.style.markers.SeriesMarkers.CIRCLE
                                        : org.knowm.xchart.style.markers.SeriesMarkers.DIAMOND);
            }
        }
        List<Integer> teacherRows = rowsByRecipe.getOrDefault(TEACHER, List.of());
        if (!teacherRows.isEmpty()) {
            int i = teacherRows.get(0);
            for (String task : List.of("word", "voice")) {
                double y = t.doubleColumn(task + "_%").get(i);
                c.addSeries(
                                "teacher " + task + " (" + t.intColumn("depth").get(i) + "×"
                                        + t.intColumn("width").get(i) + ")",
                                new double[] {minDepth, maxDepth},
                                new double[] {y, y})
                        .setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE)
                        .setLineStyle(org.knowm.xchart.style.lines.SeriesLines.DASH_DASH);
            }
        }
        return c;
    }

    /** Rebuilds the table and the figure from the records in {@code runs}, saving the figure to {@code png}. */
    public static Table regenerate(Path runs, Path png) {
        List<RunRecord> records = new RunStore(runs).list();
        XYChart c = figure(records);
        Charts.savePng(c, png);
        return table(records);
    }
}
