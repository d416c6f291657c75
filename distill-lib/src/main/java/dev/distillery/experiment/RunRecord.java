package dev.distillery.experiment;

import dev.distillery.eval.Metrics;
import dev.distillery.model.EpochStats;
import dev.distillery.model.Lineage;
import java.util.List;
import java.util.Map;

/**
 * Everything about one run, written as {@code runs/<id>/record.json}: the experiment spec, seeds,
 * data checksums, library versions, the teacher, metrics, the curve and timings, and the
 * {@link Lineage}: the teachers, assistants and weights the run came from; {@code probes}, where a
 * study probed the model, the probe's test accuracy per task (e.g. {@code word}, {@code voice}). Status is
 * {@code completed}, {@code interrupted} or {@code failed} (with the error and the epochs
 * finished before it).
 */
public record RunRecord(String id, String experiment, String status, String student, String studentSpec,
        String recipe, String loss, long seed, long splitSeed, ExperimentSpec spec, DataInfo data, TeacherInfo teacher,
        Map<String, String> versions, Metrics metrics, List<EpochStats> curve, Double trainSeconds, Long steps,
        String stopReason, String error, String started, String finished, Lineage lineage, Map<String, Double> probes) {

    /** The data as used: name, fingerprint of the exact rows, sizes, and each source file's SHA-256. */
    public record DataInfo(String dataset, String fingerprint, int train, int trainLabeled, int validation, int test,
            Map<String, String> sha256) {}

    /** The teacher as used: name, id (hash of its weights), test accuracy, where it came from, and its size. */
    public record TeacherInfo(String name, String id, String spec, Double testAccuracy, String source, Long parameters) {}
}
