package dev.distillery.bench;

import dev.distillery.backend.Backend;
import dev.distillery.distill.DistillResult;
import dev.distillery.experiment.Experiment;
import dev.distillery.experiment.Quickstart;
import dev.distillery.loss.Losses;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.Network;
import dev.distillery.teacher.TeacherCache;
import dev.distillery.train.Progress;
import dev.distillery.train.Trainer;
import dev.distillery.train.TrainingListener;
import dev.distillery.train.TrainingOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
