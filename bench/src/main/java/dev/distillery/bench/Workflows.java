package dev.distillery.bench;

import dev.distillery.backend.Backend;
import dev.distillery.data.Splits;
import dev.distillery.distill.DistillResult;
import dev.distillery.distill.SentenceDistill;
import dev.distillery.experiment.Experiment;
import dev.distillery.experiment.Quickstart;
import dev.distillery.experiment.SentenceStudy;
import dev.distillery.loss.Losses;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.Network;
import dev.distillery.model.TransformerSpec;
import dev.distillery.teacher.PretrainedEncoders;
import dev.distillery.teacher.Teacher;
import dev.distillery.teacher.TeacherCache;
import dev.distillery.teacher.Teachers;
import dev.distillery.train.Objective;
import dev.distillery.train.Progress;
import dev.distillery.train.TeacherOutput;
import dev.distillery.train.Trainer;
import dev.distillery.train.TrainingListener;
import dev.distillery.train.TrainingOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Whole jobs rather than steps: the fast quickstart as a user runs it, and the start-up of a
 * Distillery process to its first training step. Each row carries the plan its PyTorch twin follows
 * (sizes, epochs), so that both sides do the same work.
 */
final class Workflows {

    private Workflows() {}

    /**
     * {@code ./distillery quickstart --fast} in this process, timed from the call to the report: the
     * data (20,000 train, 2,000 validation, 5,000 test images; 1,000 labels for students), the
     * teacher {@code cnn:16x32,dense=64} trained 4 epochs, its outputs, and 3 seeds each of an
     * {@code mlp:64} student from scratch (on the labelled rows, early stopping) and by KD, each
     * validated every epoch and evaluated on the test set, with the run records and charts written.
     * The twin repeats every epoch each run really trained.
     */
    static Map<String, Object> quickstart() {
        Path runs = temporary("bench-quickstart");
        TeacherCache.setShared(new TeacherCache(null)); // in memory: the teacher's outputs are computed, not read
        long t0 = System.nanoTime();
        Quickstart.Report report = Quickstart.run(true, runs, List.of(), line -> {});
        double seconds = (System.nanoTime() - t0) / 1e9;
        Experiment.Outcome out = report.outcome();
        List<Integer> scratch = new ArrayList<>();
        List<Integer> kd = new ArrayList<>();
        for (DistillResult r : out.results()) {
            (r.loss().startsWith("scratch") ? scratch : kd)
                    .add(r.training().curve().size());
        }
        Map<String, Object> plan = new LinkedHashMap<>();
        plan.put("train", 20000);
        plan.put("validation", 2000);
        plan.put("test", 5000);
        plan.put("labels", 1000);
        plan.put("batch", 128);
        plan.put("teacher_epochs", 4);
        plan.put("scratch_epochs", scratch);
        plan.put("kd_epochs", kd);
        Map<String, Object> row = Cases.wholeJob("workflow-quickstart", seconds, "seconds for the whole job");
        row.put("plan", plan);
        row.put("scratch_accuracy", report.scratchMean());
        row.put("kd_accuracy", report.kdMean());
        deleteQuietly(runs);
        return row;
    }

    /** The sentence workflow's teacher: the sentence study's, from the class path. */
    static final String SENTENCE_TEACHER = "bge-small-en-v1.5";

    /**
     * One epoch of sentence-embedding distillation as the sentence study's fast mode runs it: the
     * 3,000 training sentences of 32 tokens embedded by {@code bge-small-en-v1.5} in ONNX Runtime
     * (32 per call, each call trimmed to its longest sentence), then one epoch of a {@code
     * text:2x64,heads=2,length=32} student on cosine plus InfoNCE through linear projections (batch
     * 32, Adam 1e-3, random start) and its validation. The tokenizing is timed apart ({@code
     * tokenize_s}): the twin reads the same token ids from the files this case leaves for it (with
     * the ONNX file, whose weights it loads into its own encoder, and the teacher's embeddings, which
     * it compares with its own).
     */
    static Map<String, Object> sentences(int threads) {
        Path dir = temporary("bench-sentences");
        TeacherCache.setShared(new TeacherCache(null)); // in memory: the teacher's embeddings are computed, not read
        SentenceStudy.Options o = SentenceStudy.Options.fast();
        Teacher teacher = Teachers.pretrained(SENTENCE_TEACHER, o.tasks().length(), threads);
        long t0 = System.nanoTime();
        Splits data =
                SentenceStudy.tasks(teacher, o.tasks(), line -> {}).sentences().splits();
        double tokenize = (System.nanoTime() - t0) / 1e9;
        TransformerSpec spec = ((TransformerSpec) ModelSpec.parse(o.student()))
                .withOutputs(data.train().numClasses());
        Network student = Network.build(spec, 1);
        Objective objective = SentenceDistill.disco(1.0, 1.0, null).bind(teacher.model(), student);
        long t1 = System.nanoTime();
        Map<TeacherOutput, INDArray> embeddings = new LinkedHashMap<>();
        teacher.outputs(data.train(), List.of(Network.FEATURES))
                .forEach((k, v) -> embeddings.put(TeacherOutput.of(k), v));
        long t2 = System.nanoTime();
        TrainingOptions options = TrainingOptions.defaults()
                .epochs(1)
                .batchSize(o.batchSize())
                .learningRate(o.learningRate())
                .seed(1);
        new Trainer(student, objective, options).fit(data.train(), null, embeddings, data.validation(), null);
        long t3 = System.nanoTime();
        Map<String, Object> plan = new LinkedHashMap<>();
        plan.put("dir", dir.toString());
        plan.put("train", data.train().size());
        plan.put("validation", data.validation().size());
        plan.put("length", spec.inputs());
        plan.put("vocab", spec.vocab());
        plan.put("depth", spec.depth());
        plan.put("width", spec.width());
        plan.put("heads", spec.heads());
        plan.put("ffn", spec.ffn());
        plan.put("classes", spec.outputs());
        plan.put("teacher_batch", 32);
        plan.put("batch", o.batchSize());
        plan.put("learning_rate", o.learningRate());
        write(dir.resolve("train-ids.f32"), data.train().features());
        write(dir.resolve("validation-ids.f32"), data.validation().features());
        write(dir.resolve("teacher.f32"), embeddings.get(TeacherOutput.of(Network.FEATURES)));
        // streamed from the class path: a copy of the weights on the heap would count in this case's memory
        String onnx = PretrainedEncoders.text(SENTENCE_TEACHER).onnx();
        try (var in = Workflows.class.getClassLoader().getResourceAsStream(onnx)) {
            Files.copy(in, dir.resolve("teacher.onnx"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Object> row = Cases.wholeJob(
                "workflow-sentences", (t3 - t1) / 1e9, "seconds: the teacher's embeddings and one epoch");
        row.put("plan", plan);
        row.put("tokenize_s", tokenize);
        row.put("teacher_s", (t2 - t1) / 1e9);
        row.put("epoch_s", (t3 - t2) / 1e9);
        return row;
    }

    /** {@code a}'s values as little-endian float32, row after row. */
    private static void write(Path file, INDArray a) {
        float[] v = a.castTo(DataType.FLOAT).dup('c').data().asFloat();
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        try {
            Files.write(file, b.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes what {@link #sentences} left for the twin, once it has run. */
    static void cleanUp(Map<String, Object> row) {
        if (row.get("plan") instanceof Map<?, ?> plan && plan.get("dir") instanceof String dir) {
            deleteQuietly(Path.of(dir));
        }
    }

    /**
     * From this process's start (as the kernel records it) to its first training step done, in
     * seconds: the JVM's start, ND4J's natives and BLAS loaded ({@code nd4j_ready_s}, from {@code
     * backendReadyMillis}, when {@link Backend#start} returned), the data read, and one {@code kd-mlp-256} step
     * with every class loaded and nothing compiled yet ({@code first_step_ms}); then the same step
     * warm, for comparison.
     */
    static Map<String, Object> startup(long backendReadyMillis) {
        long started =
                ProcessHandle.current().info().startInstant().orElseThrow().toEpochMilli();
        double ready = (backendReadyMillis - started) / 1000.0;
        var data = Cases.images(1280);
        var teacher = Cases.uniform(1280, 10, 7, 4.0);
        Network net = Network.build(ModelSpec.parse("mlp:256"), 1);
        List<Long> stamps = new ArrayList<>();
        TrainingListener clock = new TrainingListener() {
            @Override
            public void onStep(Progress p) {
                stamps.add(System.nanoTime());
            }
        };
        long before = System.nanoTime();
        new Trainer(
                        net,
                        Losses.hinton(4.0, 0.5),
                        TrainingOptions.defaults().epochs(1).seed(1))
                .listener(clock)
                .fit(
                        data,
                        teacher,
                        Map.of(),
                        data.rows(java.util.stream.IntStream.range(0, 128).toArray(), "v"),
                        null);
        double firstStepMs = (stamps.get(0) - before) / 1e6;
        double firstStepDone =
                (System.currentTimeMillis() - started - (System.nanoTime() - stamps.get(0)) / 1_000_000) / 1000.0;
        double warm = (stamps.get(stamps.size() - 1) - stamps.get(stamps.size() - 2)) / 1e6;
        Map<String, Object> row =
                Cases.wholeJob("startup", firstStepDone, "seconds from process start to the first training step done");
        row.put("nd4j_ready_s", ready);
        row.put("first_step_ms", firstStepMs);
        row.put("tenth_step_ms", warm);
        return row;
    }

    private static Path temporary(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind is harmless
        }
    }
}
