package dev.distillery.kernel;

import dev.distillery.data.Splits;
import dev.distillery.experiment.Experiment;
import dev.distillery.experiment.ExperimentSpec;
import dev.distillery.experiment.RunRecord;
import dev.distillery.experiment.RunStore;
import dev.distillery.model.ModelSpec;
import dev.distillery.teacher.Teacher;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A notebook's named things: teachers and students declared by magics, the data they were
 * made with, the run store, and the last experiment. Java cells reach it through
 * {@code Notebook.workbench()}; magics are a thin skin over the library plus this bookkeeping.
 */
public final class Workbench {

    /** A teacher kept under a name: the data it was trained or measured on, its test accuracy, and its file. */
    public record TeacherEntry(
            String name,
            Teacher teacher,
            ExperimentSpec.DataSpec data,
            double testAccuracy,
            String source,
            Path file,
            ExperimentSpec.OnnxSpec onnx) {

        /** A teacher trained here or loaded from {@code file}. */
        public TeacherEntry(
                String name,
                Teacher teacher,
                ExperimentSpec.DataSpec data,
                double testAccuracy,
                String source,
                Path file) {
            this(name, teacher, data, testAccuracy, source, file, null);
        }

        /**
         * The teacher as an experiment spec refers to it: by its file (an ONNX model with how it is
         * read), or by its registry name (the pretrained speech teacher), so run records can be re-run.
         */
        public ExperimentSpec.TeacherSpec spec() {
            if (onnx != null) {
                return ExperimentSpec.TeacherSpec.onnx(name, onnx);
            }
            if (teacher.model() instanceof dev.distillery.teacher.SpeechEmbedding) {
                return ExperimentSpec.TeacherSpec.pretrained(name, dev.distillery.teacher.SpeechEmbedding.NAME);
            }
            return new ExperimentSpec.TeacherSpec(name, null, file.toString(), null, null, null, null, null);
        }
    }

    /** An ensemble kept under a name: its spec (members by file), the data it was weighted on, and its test accuracy. */
    public record EnsembleEntry(
            String name,
            dev.distillery.teacher.Ensemble ensemble,
            ExperimentSpec.EnsembleSpec spec,
            ExperimentSpec.DataSpec data,
            double testAccuracy) {}

    private static final String SPEECH = "the pretrained " + dev.distillery.teacher.SpeechEmbedding.NAME;

    private final RunStore store;
    private final Map<String, TeacherEntry> teachers = new LinkedHashMap<>();
    private final Map<String, EnsembleEntry> ensembles = new LinkedHashMap<>();
    private final Map<String, ModelSpec> students = new LinkedHashMap<>();
    private final Map<ExperimentSpec.DataSpec, Splits> data = new LinkedHashMap<>();
    private final Map<String, ExperimentSpec.DataSpec> namedData = new LinkedHashMap<>();
    private Experiment.Outcome last;
    private final List<RunRecord> session = new ArrayList<>();

    public Workbench(RunStore store) {
        this.store = store;
    }

    /** Runs go to {@code $DISTILLERY_RUNS}, else {@code runs/} under the kernel's working directory. */
    public static Workbench fromEnvironment() {
        String env = System.getenv("DISTILLERY_RUNS");
        return new Workbench(new RunStore(
                Path.of(env == null || env.isBlank() ? "runs" : env).toAbsolutePath()));
    }

    public RunStore store() {
        return store;
    }

    /**
     * Registers {@code spec} (a user's own data, typically) under {@code name}, so that {@code --data NAME}
     * (or {@code NAME:labels=100,…}) means it in later magics.
     */
    public synchronized void nameData(String name, ExperimentSpec.DataSpec spec) {
        if (!name.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("data name '" + name + "' should be letters, digits, '-', '_' or '.'"
                    + " (no ':' or ','), e.g. %data flowers folder:photos");
        }
        if (dev.distillery.data.Datasets.registry().contains(name)
                || dev.distillery.data.DataSources.registry().contains(name)) {
            throw new IllegalArgumentException("'" + name + "' already names a registered data set or source kind; "
                    + "give your data another name");
        }
        namedData.put(name, spec);
    }

    /** The data registered under {@code name} with %data, or null. */
    public synchronized ExperimentSpec.DataSpec namedData(String name) {
        return namedData.get(name);
    }

    public synchronized List<String> dataNames() {
        return new ArrayList<>(namedData.keySet());
    }

    /**
     * A {@code --data} argument: a name registered with %data (with {@code :key=value,…} on top), or a
     * data spec as {@link ExperimentSpec.DataSpec#parse} reads it.
     */
    public synchronized ExperimentSpec.DataSpec dataSpec(String text) {
        String t = text.trim();
        int colon = t.indexOf(':');
        ExperimentSpec.DataSpec named = namedData.get(colon < 0 ? t : t.substring(0, colon));
        if (named != null) {
            return colon < 0 ? named : named.with(t.substring(colon + 1), t);
        }
        return ExperimentSpec.DataSpec.parse(t);
    }

    /** The data a spec describes, loaded once per kernel. */
    public synchronized Splits data(ExperimentSpec.DataSpec spec) {
        ExperimentSpec.DataSpec all = spec.withLabels(null);
        return data.computeIfAbsent(all, Experiment::data);
    }

    private final Map<java.nio.file.Path, dev.distillery.data.SpeechCommandsSynth.Loaded> speechSets =
            new LinkedHashMap<>();

    /** The speech set %dataset loaded from {@code dir} in this kernel, or null. */
    public synchronized dev.distillery.data.SpeechCommandsSynth.Loaded speechSet(java.nio.file.Path dir) {
        return speechSets.get(dir);
    }

    /** Keeps a loaded speech set, and each of its tasks as the data of its data spec (with and without {@code dir}). */
    public synchronized void putSpeechSet(dev.distillery.data.SpeechCommandsSynth.Loaded set, boolean defaultDir) {
        speechSets.put(set.dir(), set);
        for (var e : set.tasks().entrySet()) {
            String ds = dev.distillery.data.SpeechCommandsSynth.NAME + "/"
                    + e.getKey().name().toLowerCase(java.util.Locale.ROOT);
            putData(
                    new ExperimentSpec.DataSpec(
                            ds, null, null, null, null, null, null, set.dir().toString()),
                    e.getValue());
            if (defaultDir) {
                putData(new ExperimentSpec.DataSpec(ds, null, null, null, null, null, null, null), e.getValue());
            }
        }
    }

    /** Keeps {@code splits} as the data of {@code spec} (e.g. a set %dataset just loaded). */
    public synchronized void putData(ExperimentSpec.DataSpec spec, Splits splits) {
        data.put(spec.withLabels(null), splits);
    }

    public synchronized void putTeacher(TeacherEntry e) {
        if (ensembles.containsKey(e.name())) {
            throw new IllegalArgumentException(
                    "'" + e.name() + "' already names an ensemble; give the teacher another name");
        }
        teachers.put(e.name(), e);
    }

    /**
     * The teacher {@code name} for a magic that trains classifiers from a classifier teacher (a
     * network, or an ONNX model with class scores); a pretrained sentence encoder is refused with
     * where to use it instead.
     */
    public synchronized TeacherEntry networkTeacher(String name, String magic) {
        return teacherFor(name, magic, false);
    }

    /**
     * As {@link #networkTeacher}; the pretrained speech teacher, which has no class scores, is also
     * accepted when the loss distils its features alone ({@code featuresOnly}: a features loss whose
     * logit part is {@code none}).
     */
    public synchronized TeacherEntry teacherFor(String name, String magic, boolean featuresOnly) {
        TeacherEntry e = teacher(name);
        if (!e.teacher().hasLogits() && e.teacher().model() instanceof dev.distillery.teacher.SpeechEmbedding) {
            if (!featuresOnly) {
                throw new IllegalArgumentException(
                        "teacher '" + name + "' (" + SPEECH + ") gives embeddings, not class "
                                + "scores; " + magic
                                + " distils its features alone: --loss none --map last-1:hidden,loss=cosine "
                                + "--feature features:cosine --feature features:infonce");
            }
            return e;
        }
        if (!e.teacher().hasLogits()) {
            throw new IllegalArgumentException("teacher '" + name + "' is a pretrained sentence encoder ("
                    + e.teacher().model().describe() + "); " + magic
                    + " distils classifiers from classifier teachers. Distil its sentence "
                    + "embeddings in a cell: SentenceDistill.from(teacher(\"" + name
                    + "\")).into(\"text:2x128,length=64,vocab=30522\")"
                    + ".on(tasks.sentences()).run() (see notebooks/04-sentence-embeddings.ipynb)");
        }
        return e;
    }

    public synchronized TeacherEntry teacher(String name) {
        TeacherEntry e = teachers.get(name);
        if (e == null) {
            throw new IllegalArgumentException("no teacher named '" + name + "'"
                    + (teachers.isEmpty()
                            ? "; make one with %teacher " + name + " --spec cnn:32x64"
                            : "; known teachers: " + String.join(", ", teachers.keySet()))
                    + (ensembles.isEmpty() ? "" : "; known ensembles: " + String.join(", ", ensembles.keySet())));
        }
        return e;
    }

    public synchronized void putEnsemble(EnsembleEntry e) {
        if (teachers.containsKey(e.name())) {
            throw new IllegalArgumentException(
                    "'" + e.name() + "' already names a teacher; give the ensemble another name");
        }
        ensembles.put(e.name(), e);
    }

    /** An ensemble made with %ensemble, or null. */
    public synchronized EnsembleEntry ensemble(String name) {
        return ensembles.get(name);
    }

    public synchronized List<String> teacherNames() {
        return new ArrayList<>(teachers.keySet());
    }

    public synchronized void putStudent(String name, ModelSpec spec) {
        students.put(name, spec);
    }

    /** A student declared with %student, or null. */
    public synchronized ModelSpec student(String name) {
        return students.get(name);
    }

    public synchronized List<String> studentNames() {
        return new ArrayList<>(students.keySet());
    }

    /** Remembers an experiment run here: it becomes {@link #last()} and its records join {@link #sessionRuns()}. */
    public synchronized void last(Experiment.Outcome outcome) {
        this.last = outcome;
        session.addAll(outcome.records());
    }

    /** The records of runs made by this kernel since it started, oldest first. */
    public synchronized List<RunRecord> sessionRuns() {
        return List.copyOf(session);
    }

    /** The last experiment a magic ran in this kernel, or null. */
    public synchronized Experiment.Outcome last() {
        return last;
    }

    /** Every run record in the store, oldest first. */
    public List<RunRecord> runs() {
        return store.list();
    }
}
