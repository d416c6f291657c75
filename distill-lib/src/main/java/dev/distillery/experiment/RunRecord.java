package dev.distillery.experiment;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.distillery.backend.Versions;
import dev.distillery.data.Dataset;
import dev.distillery.data.Splits;
import dev.distillery.eval.Metrics;
import dev.distillery.provenance.Lineage;
import dev.distillery.train.EpochStats;
import dev.distillery.train.TrainingOutcome;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything about one run, written as {@code runs/<id>/record.json}: the experiment spec, seeds,
 * the data as used (with its source files' checksums), library versions and what did the arithmetic,
 * the teacher, metrics, the curve and timings, and the {@link Lineage}: the teachers, assistants and
 * weights the run came from; {@code probes}, where a probe or study metric measured the model, its
 * values by name (e.g. {@code word}, {@code voice}). Status is {@code running} (written when the run
 * starts and at each epoch, with a {@link Heartbeat}), {@code completed}, {@code interrupted} or
 * {@code failed} (with the error and the epochs finished before it); {@code identity} is what a
 * rerun matches to resume it (see {@link RunStore}). Records are made with {@link #builder}; fields
 * are only ever added, so records written by earlier versions load.
 */
public record RunRecord(
        String id,
        String experiment,
        String status,
        String student,
        String studentSpec,
        String recipe,
        String loss,
        long seed,
        long splitSeed,
        ExperimentSpec spec,
        DataInfo data,
        TeacherInfo teacher,
        Map<String, String> versions,
        Metrics metrics,
        List<EpochStats> curve,
        Double trainSeconds,
        Long steps,
        String stopReason,
        String error,
        String started,
        String finished,
        Lineage lineage,
        Map<String, Double> probes,
        String identity,
        Heartbeat heartbeat) {

    public static final String RUNNING = "running";
    public static final String COMPLETED = "completed";
    public static final String INTERRUPTED = "interrupted";
    public static final String FAILED = "failed";
    /** The student and recipe names of a teacher's own record (written when an experiment probes its models). */
    public static final String TEACHER = "teacher";

    /** Who is running the run and when they last said so: written at its start and after each epoch. */
    public record Heartbeat(String time, long pid, String host) {

        /** This process, now. */
        public static Heartbeat now() {
            return new Heartbeat(
                    Instant.now().toString(), ProcessHandle.current().pid(), localHost());
        }

        private static String localHost() {
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                return "unknown";
            }
        }
    }

    /** This record as shown when its process is gone without a word: {@code interrupted}, with why. */
    RunRecord stopped(String why) {
        return new RunRecord(
                id,
                experiment,
                INTERRUPTED,
                student,
                studentSpec,
                recipe,
                loss,
                seed,
                splitSeed,
                spec,
                data,
                teacher,
                versions,
                metrics,
                curve,
                trainSeconds,
                steps,
                stopReason,
                why,
                started,
                finished,
                lineage,
                probes,
                identity,
                heartbeat);
    }

    /** The data as used: name, fingerprint of the exact rows, sizes, and each source file's SHA-256. */
    public record DataInfo(
            String dataset,
            String fingerprint,
            int train,
            int trainLabeled,
            int validation,
            int test,
            Map<String, String> sha256,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> classes) {

        public DataInfo {
            classes = classes == null || classes.isEmpty() ? null : List.copyOf(classes);
        }

        /** Without class names (the data set's classes are fixed). */
        public DataInfo(
                String dataset,
                String fingerprint,
                int train,
                int trainLabeled,
                int validation,
                int test,
                Map<String, String> sha256) {
            this(dataset, fingerprint, train, trainLabeled, validation, test, sha256, null);
        }

        /**
         * {@code splits} of the data set {@code name}, loaded from {@code dir} (null: its default place):
         * the checksums are those of the files the data set says that load read, and the class names
         * those it learned from them (your own data).
         */
        public static DataInfo of(String name, Dataset dataset, java.nio.file.Path dir, Splits splits) {
            DataInfo d = of(name, splits, dataset.checksums(dir));
            return new DataInfo(
                    d.dataset,
                    d.fingerprint,
                    d.train,
                    d.trainLabeled,
                    d.validation,
                    d.test,
                    d.sha256,
                    dataset.classes(dir));
        }

        /** {@code splits} made from the files in {@code sha256} (file name to checksum). */
        public static DataInfo of(String name, Splits splits, Map<String, String> sha256) {
            return new DataInfo(
                    name,
                    splits.fingerprint(),
                    splits.train().size(),
                    splits.train().labeledCount(),
                    splits.validation().size(),
                    splits.test().size(),
                    java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(sha256)));
        }
    }

    /** The teacher as used: name, id (hash of its weights), test accuracy, where it came from, and its size. */
    public record TeacherInfo(
            String name, String id, String spec, Double testAccuracy, String source, Long parameters) {}

    /** A record of run {@code id} of {@code experiment}; the versions and the finishing time are filled in by {@link Builder#build}. */
    public static Builder builder(String id, String experiment) {
        return new Builder(id, experiment);
    }

    /** Builds one record by named parts; every part but the id and experiment is optional. */
    public static final class Builder {
        private final String id;
        private final String experiment;
        private String status = COMPLETED;
        private String student;
        private String studentSpec;
        private String recipe;
        private String loss;
        private long seed;
        private long splitSeed;
        private ExperimentSpec spec;
        private DataInfo data;
        private TeacherInfo teacher;
        private Metrics metrics;
        private List<EpochStats> curve;
        private Double trainSeconds;
        private Long steps;
        private String stopReason;
        private String error;
        private String started = Instant.now().toString();
        private Lineage lineage;
        private Map<String, Double> probes;
        private String identity;
        private Heartbeat heartbeat;

        private Builder(String id, String experiment) {
            this.id = id;
            this.experiment = experiment;
        }

        /** The model this run made: its name and its compact spec. */
        public Builder student(String name, String compactSpec) {
            this.student = name;
            this.studentSpec = compactSpec;
            return this;
        }

        /** The recipe's name and the loss as trained (or as specified, for a run that did not finish). */
        public Builder recipe(String name, String lossDescription) {
            this.recipe = name;
            this.loss = lossDescription;
            return this;
        }

        /** The run's seed and the seed of its data split. */
        public Builder seeds(long runSeed, long dataSplitSeed) {
            this.seed = runSeed;
            this.splitSeed = dataSplitSeed;
            return this;
        }

        /** The experiment spec that produced the run (null for a study's runs). */
        public Builder spec(ExperimentSpec experimentSpec) {
            this.spec = experimentSpec;
            return this;
        }

        public Builder data(DataInfo info) {
            this.data = info;
            return this;
        }

        public Builder teacher(TeacherInfo info) {
            this.teacher = info;
            return this;
        }

        public Builder lineage(Lineage l) {
            this.lineage = l;
            return this;
        }

        public Builder metrics(Metrics m) {
            this.metrics = m;
            return this;
        }

        /** The training as it went: the curve, time, steps and why it stopped (null: no training). */
        public Builder training(TrainingOutcome o) {
            if (o != null) {
                this.curve = o.curve();
                this.trainSeconds = o.seconds();
                this.steps = o.steps();
                this.stopReason = o.stopReason();
            }
            return this;
        }

        /** A run that did not complete: {@code status} {@link #INTERRUPTED} or {@link #FAILED}, why, and the epochs it finished. */
        public Builder unfinished(String why, String message, List<EpochStats> finishedEpochs) {
            this.status = why;
            this.error = message;
            this.curve = finishedEpochs;
            return this;
        }

        /** Probe and study measurements by name. */
        public Builder probes(Map<String, Double> values) {
            this.probes = values;
            return this;
        }

        /** What a rerun matches to resume this run (see {@link RunStore#begin}). */
        public Builder identity(String runIdentity) {
            this.identity = runIdentity;
            return this;
        }

        /**
         * The record of the run while under way: status {@link #RUNNING}, the epochs finished so far,
         * no finishing time, and a heartbeat from this process now. The builder is left as it was.
         */
        public RunRecord running(List<EpochStats> finishedEpochs) {
            String was = status;
            List<EpochStats> had = curve;
            status = RUNNING;
            curve = finishedEpochs;
            try {
                return build();
            } finally {
                status = was;
                curve = had;
            }
        }

        /** When the run started (ISO-8601); default: when the builder was made. */
        public Builder started(String isoInstant) {
            this.started = isoInstant;
            return this;
        }

        /** The record, finished now, with the versions of everything that did the arithmetic. */
        public RunRecord build() {
            return new RunRecord(
                    id,
                    experiment,
                    status,
                    student,
                    studentSpec,
                    recipe,
                    loss,
                    seed,
                    splitSeed,
                    spec,
                    data,
                    teacher,
                    Versions.all(),
                    metrics,
                    curve,
                    trainSeconds,
                    steps,
                    stopReason,
                    error,
                    started,
                    RUNNING.equals(status) ? null : Instant.now().toString(),
                    lineage,
                    probes,
                    identity,
                    Heartbeat.now());
        }
    }
}
