package dev.distillery.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.train.EpochStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run store's own guarantees, within one process: see {@code RunStoreProcessesIT} for several. */
class RunStoreTest {

    static final List<EpochStats> TWO_EPOCHS =
            List.of(new EpochStats(1, 0.9, 0.7, null, 1.0), new EpochStats(2, 0.6, 0.8, null, 1.0));

    private static RunRecord.Builder record(RunStore.Claim c, String identity) {
        return RunRecord.builder(c.id(), "exp")
                .identity(identity)
                .student("s", "mlp:8")
                .recipe("kd", "hinton");
    }

    /** A run whose process stopped without a word after two epochs: its record still says running. */
    private static String stoppedRun(RunStore store, String identity) {
        try (RunStore.Claim c = store.create("exp", "s", "kd", 1)) {
            store.write(record(c, identity).running(TWO_EPOCHS));
            return c.id();
        }
    }

    @Test
    void aCorruptRecordIsListedByItsFileAndEveryOtherRunIsShown(@TempDir Path dir) throws Exception {
        RunStore store = new RunStore(dir);
        Path broken = null;
        for (int i = 0; i < 3; i++) {
            try (RunStore.Claim c = store.create("exp", "s", "kd", i)) {
                Path f = store.write(record(c, "x").build());
                if (i == 1) {
                    broken = f;
                }
            }
        }
        byte[] whole = Files.readAllBytes(broken);
        Files.write(broken, java.util.Arrays.copyOf(whole, whole.length / 2));

        RunStore.Listing l = store.scan();
        assertEquals(2, l.records().size(), "the two readable records");
        assertEquals(1, l.corrupt().size());
        assertEquals(broken, l.corrupt().get(0).file());
        assertTrue(l.corrupt().get(0).describe().contains(broken.toString()));
    }

    @Test
    void aRunningRecordIsShownAsInterruptedOnceItsProcessLetsGo(@TempDir Path dir) {
        RunStore store = new RunStore(dir);
        try (RunStore.Claim c = store.create("exp", "s", "kd", 1)) {
            store.write(record(c, "x").running(TWO_EPOCHS));
            RunRecord live = store.list().get(0);
            assertEquals(RunRecord.RUNNING, live.status(), "its process (this one) holds its lock");
            assertEquals(ProcessHandle.current().pid(), live.heartbeat().pid());
            assertNull(live.finished());
        }
        RunRecord gone = store.list().get(0);
        assertEquals(RunRecord.INTERRUPTED, gone.status());
        assertEquals(2, gone.curve().size(), "with the epochs it finished");
        assertTrue(gone.error().contains("pid " + ProcessHandle.current().pid()), gone.error());
    }

    @Test
    void aRerunTakesOverTheInterruptedRunWithItsIdentityAndNoOther(@TempDir Path dir) {
        RunStore store = new RunStore(dir);
        String id = stoppedRun(store, "same");
        try (RunStore.Claim other = store.begin("exp", "s", "kd", 1, "different", true)) {
            assertNotEquals(id, other.id(), "another identity starts a run of its own");
            assertNull(other.resumed());
        }
        try (RunStore.Claim fresh = store.begin("exp", "s", "kd", 1, "same", false)) {
            assertNotEquals(id, fresh.id(), "--fresh starts a run of its own");
        }
        try (RunStore.Claim resumed = store.begin("exp", "s", "kd", 1, "same", true)) {
            assertEquals(id, resumed.id());
            assertEquals(2, resumed.resumed().curve().size());
            try (RunStore.Claim second = store.begin("exp", "s", "kd", 1, "same", true)) {
                assertNotEquals(id, second.id(), "a run being resumed is not taken twice");
            }
        }
    }

    @Test
    void leftoverTemporaryFilesGoAtTheNextStartButNotThoseOfALiveRun(@TempDir Path dir) throws Exception {
        RunStore store = new RunStore(dir);
        String stopped = stoppedRun(store, "x");
        Path left = Files.createDirectories(store.dir(stopped).resolve("checkpoint"))
                .resolve(".checkpoint.zip123.tmp");
        Files.writeString(left, "half a checkpoint");
        Path fresh = Files.writeString(
                Files.createDirectories(dir.resolve("teachers")).resolve(".t.dtm456.tmp"), "being written");
        Path old = Files.writeString(dir.resolve("teachers").resolve(".t.dtm789.tmp"), "left long ago");
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(RunStore.TEMP_AGE.multipliedBy(2))));
        try (RunStore.Claim live = store.create("exp", "s", "kd", 2)) {
            Path writing = Files.writeString(live.dir().resolve(".record.json1.tmp"), "{");
            assertEquals(2, store.sweep());
            assertFalse(Files.exists(left), "the stopped run's half-written checkpoint");
            assertFalse(Files.exists(old), "an old temporary file outside the runs");
            assertTrue(Files.exists(fresh), "a recent one may be another process's write in progress");
            assertTrue(Files.exists(writing), "a live run's write in progress");
        }
    }
}
