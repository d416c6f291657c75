package dev.distillery.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.backend.JvmDefaults;
import dev.distillery.experiment.RunRecord;
import dev.distillery.experiment.RunStore;
import dev.distillery.train.Checkpoint;
import dev.distillery.train.EpochStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run store as several {@code ./distillery run} processes use it: two at once into one store
 * lose nothing, and a run killed ({@code kill -9}) in the middle of an epoch is resumed by the next
 * invocation of its spec, in the same run, to the numbers an uninterrupted run reaches.
 */
class RunStoreProcessesIT {

    /** Three seeds of a small KD run, with a teacher both processes train and keep under {@code teachers/}. */
    static final String TWO_WRITERS = """
            name: writers
            threads: 1
            data: {labels: 200, trainSize: 600, validationSize: 200, testSize: 200, splitSeed: 3}
            teacher: {name: t, model: {type: mlp, hidden: [32]}, epochs: 1}
            students: [{name: s, model: {type: mlp, hidden: [16]}}]
            recipes: [{name: kd, loss: {type: hinton, temperature: 4, alpha: 0.5}, epochs: 2}]
            seeds: [1, 2, 3]
            """;

    /** Epochs long enough (about a second each) to be killed in the middle of one. */
    static final String LONG_EPOCHS = """
            name: resume
            threads: 1
            data: {trainSize: 20000, validationSize: 1000, testSize: 1000, splitSeed: 1}
            students: [{name: s, model: {type: mlp, hidden: [256]}}]
            recipes: [{name: scratch, loss: {type: scratch}, epochs: 5}]
            training: {batchSize: 32}
            seeds: [1]
            """;

    @Test
    void twoProcessesWritingOneStoreKeepEveryRecord(@TempDir Path tmp) throws Exception {
        Path spec = Files.writeString(tmp.resolve("writers.yaml"), TWO_WRITERS);
        Path runs = tmp.resolve("runs");
        for (int trial = 1; trial <= 3; trial++) {
            Process a =
                    distillery(tmp.resolve("a" + trial + ".txt"), "run", spec.toString(), "--runs", runs.toString());
            Process b =
                    distillery(tmp.resolve("b" + trial + ".txt"), "run", spec.toString(), "--runs", runs.toString());
            succeed(a, tmp.resolve("a" + trial + ".txt"));
            succeed(b, tmp.resolve("b" + trial + ".txt"));
            RunStore.Listing l = new RunStore(runs).scan();
            assertEquals(List.of(), l.corrupt(), "no record was damaged");
            assertEquals(6 * trial, l.records().size(), "2 processes × 3 seeds per trial, every record kept");
            assertEquals(
                    l.records().size(),
                    new HashSet<>(l.records().stream().map(RunRecord::id).toList()).size(),
                    "every run has its own id");
            assertTrue(l.records().stream().allMatch(r -> r.status().equals(RunRecord.COMPLETED)));
        }
        try (Stream<Path> teachers = Files.list(runs.resolve("teachers"))) {
            List<Path> files = teachers.toList();
            assertEquals(1, files.size(), "both wrote the one teacher file by rename: " + files);
            assertTrue(files.get(0).toString().endsWith(".dtm"));
        }
    }

    @Test
    void aRunKilledMidEpochResumesInItsOwnRecordToTheUninterruptedNumbers(@TempDir Path tmp) throws Exception {
        Path spec = Files.writeString(tmp.resolve("resume.yaml"), LONG_EPOCHS);
        Path runs = tmp.resolve("runs");
        Path reference = tmp.resolve("reference");
        Process ref = distillery(tmp.resolve("ref.txt"), "run", spec.toString(), "--runs", reference.toString());
        Process killed = distillery(tmp.resolve("killed.txt"), "run", spec.toString(), "--runs", runs.toString());

        // kill -9 half way through the epoch after the second
        RunStore store = new RunStore(runs);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        List<EpochStats> seen = List.of();
        while (seen.size() < 2 && killed.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            List<RunRecord> rs = store.list();
            seen = rs.isEmpty() || rs.get(0).curve() == null
                    ? List.of()
                    : rs.get(0).curve();
        }
        assertTrue(killed.isAlive(), "the run was still going after " + seen.size() + " epochs");
        Thread.sleep((long) (500 * seen.get(seen.size() - 1).seconds()));
        killed.destroyForcibly(); // SIGKILL: no shutdown hook, no finally
        killed.waitFor();

        List<RunRecord> after = store.list();
        assertEquals(1, after.size());
        RunRecord stopped = after.get(0);
        assertEquals(RunRecord.INTERRUPTED, stopped.status(), "a killed run is listed as interrupted");
        int finished = stopped.curve().size();
        assertTrue(finished >= 2 && finished < 5, "it had finished " + finished + " epochs");
        assertTrue(stopped.error().contains("pid"), stopped.error());
        Path checkpoint = store.dir(stopped.id()).resolve("checkpoint");
        assertTrue(Files.isDirectory(checkpoint), "its checkpoint is kept for the resume");

        // the record is written after each epoch, the checkpoint just after it: a kill between the two leaves the
        // record one epoch ahead, and the checkpoint says where training goes on
        int checkpointed = Checkpoint.finishedEpochs(checkpoint);
        assertTrue(checkpointed == finished || checkpointed == finished - 1, checkpointed + " vs " + finished);
        Path out = tmp.resolve("rerun.txt");
        succeed(distillery(out, "run", spec.toString(), "--runs", runs.toString()), out);
        String log = Files.readString(out);
        assertTrue(log.contains("resumed run " + stopped.id() + " from epoch " + (checkpointed + 1)), log);

        succeed(ref, tmp.resolve("ref.txt"));
        RunRecord uninterrupted = new RunStore(reference).list().get(0);
        List<RunRecord> done = store.list();
        assertEquals(1, done.size(), "the rerun continued the killed run rather than adding one");
        RunRecord resumed = done.get(0);
        assertEquals(stopped.id(), resumed.id());
        assertEquals(RunRecord.COMPLETED, resumed.status());
        assertEquals(stopped.started(), resumed.started(), "the record keeps when the run first started");
        assertEquals(uninterrupted.metrics().testAccuracy(), resumed.metrics().testAccuracy());
        assertEquals(uninterrupted.metrics().klDivergence(), resumed.metrics().klDivergence());
        assertEquals(losses(uninterrupted), losses(resumed), "every epoch's loss, digit for digit");
        assertEquals(accuracies(uninterrupted), accuracies(resumed));
        assertFalse(Files.exists(checkpoint), "a completed run's checkpoint is deleted");
        try (Stream<Path> files = Files.walk(runs)) {
            assertEquals(
                    List.of(), files.filter(f -> f.toString().endsWith(".tmp")).toList());
        }
    }

    private static List<Double> losses(RunRecord r) {
        return new ArrayList<>(r.curve().stream().map(EpochStats::trainLoss).toList());
    }

    private static List<Double> accuracies(RunRecord r) {
        return new ArrayList<>(r.curve().stream().map(EpochStats::valAccuracy).toList());
    }

    /** {@code ./distillery ARGS} as the launcher runs it: the CLI in a JVM of its own. */
    static Process distillery(Path output, String... args) throws Exception {
        return launcher(output, args).start();
    }

    /** The process {@link #distillery} starts, not started yet: a test may add to its environment. */
    static ProcessBuilder launcher(Path output, String... args) {
        List<String> cmd = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(JvmDefaults.OPTIONS);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile());
        return pb;
    }

    /** Waits for {@code p}, which must exit 0; its output is the message when it does not. */
    static void succeed(Process p, Path output) throws Exception {
        boolean ended = p.waitFor(5, TimeUnit.MINUTES);
        String text = Files.readString(output);
        assertTrue(ended, "still running after 5 minutes: " + text);
        assertEquals(0, p.exitValue(), text);
    }
}
