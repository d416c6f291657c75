package dev.distillery.experiment;

import static org.junit.jupiter.api.Assertions.*;

import dev.distillery.data.DataLocator;
import dev.distillery.data.LogMel;
import dev.distillery.data.SpeechCommandsSynth;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.TransformerSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/**
 * The depth-versus-width study in its fast mode, on the small speech set built here: the teacher
 * carries both tasks, every student is distilled without labels and probed, and the table and
 * figure come back from the run records alone.
 */
class SpeechStudyTest {

    @Test
    void theFastStudyProbesATeacherWellAboveChanceAndRebuildsFromItsRecords(@TempDir Path tmp) throws Exception {
        Path set = SpeechCommandsSynth.ensureBuilt(tmp.resolve("set"), SpeechCommandsSynth.smallOptions(), s -> {});
        var tasks = SpeechCommandsSynth.loadTasks(set, new LogMel(LogMel.Config.speech(40)));
        RunStore store = new RunStore(tmp.resolve("runs"));
        SpeechStudy.Options o = SpeechStudy.Options.fast();
        SpeechStudy.Result r = SpeechStudy.run(tasks, set, o, store, List.of(), s -> {});

        // the teacher's layers carry the content task and the speaker task
        assertTrue(r.teacherWord() > 6 * 0.05, "word probe on the teacher: " + r.teacherWord() + " (chance 0.05)");
        assertTrue(r.teacherVoice() > 2.0 / 12, "voice probe on the teacher: " + r.teacherVoice() + " (chance 1/12)");

        List<RunRecord> records = store.list();
        assertEquals(1 + o.depths().size(), records.size(), "the teacher and one student per depth");
        TransformerSpec teacher = (TransformerSpec) ModelSpec.parse(records.stream()
                .filter(x -> x.recipe().equals(SpeechStudy.TEACHER)).findFirst().orElseThrow().studentSpec());
        long budget = Math.round(teacher.parameterCount() * o.budgetFraction());
        String manifestSha = DataLocator.sha256(set.resolve("manifest.csv"));
        int lastWidth = Integer.MAX_VALUE;
        for (RunRecord rec : records) {
            assertEquals("completed", rec.status());
            assertEquals(manifestSha, rec.data().sha256().get("manifest.csv"), "the record names the exact data");
            assertNotNull(rec.versions().get("nd4j"));
            assertTrue(rec.probes().get("word") > rec.probes().get("word_chance"), rec.student() + " " + rec.probes());
            if (rec.recipe().equals(SpeechStudy.TEACHER)) {
                continue;
            }
            TransformerSpec s = (TransformerSpec) ModelSpec.parse(rec.studentSpec());
            assertEquals(teacher.stride(), s.stride(), "students keep the teacher's frame rate");
            assertTrue(Math.abs(s.parameterCount() - budget) < 0.1 * budget, s.compact() + " is near the budget " + budget);
            assertTrue(s.width() < lastWidth, "width falls as depth grows");
            lastWidth = s.width();
            assertTrue(rec.loss().startsWith("no logit loss (task-agnostic) + heads[0, 1]:l1-logsig-cos from layer"),
                    "distilled without labels: " + rec.loss());
        }
        assertTrue(records.stream().filter(x -> !x.recipe().equals(SpeechStudy.TEACHER))
                .map(RunRecord::studentSpec).distinct().count() == o.depths().size());

        Path png = tmp.resolve("figure.png");
        Table again = SpeechStudy.regenerate(store.root(), png);
        assertEquals(r.table().print(), again.print(), "the table comes back from the records alone");
        assertEquals(1 + o.depths().size(), again.rowCount());
        assertTrue(Files.size(png) > 10_000, "the figure is drawn");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SpeechStudy.regenerate(tmp.resolve("empty"), tmp.resolve("x.png")));
        assertTrue(e.getMessage().contains("run the study first"), e.getMessage());
    }
}
