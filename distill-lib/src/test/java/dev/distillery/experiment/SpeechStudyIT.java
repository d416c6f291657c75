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
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/**
 * The depth-versus-width study in its fast mode, on the small speech set built here: the teacher
 * carries both tasks, every student is distilled without labels and probed, and the table and
 * figure come back from the run records alone.
 */
class SpeechStudyIT {

    @Test
    void theFastStudyProbesATeacherWellAboveChanceAndRebuildsFromItsRecords(@TempDir Path tmp) throws Exception {
        Path set = SpeechCommandsSynth.ensureBuilt(tmp.resolve("set"), SpeechCommandsSynth.smallOptions(), s -> {});
        var tasks = SpeechCommandsSynth.loadTasks(set, new LogMel(LogMel.Config.speech(40)));
        RunStore store = new RunStore(tmp.resolve("runs"));
        SpeechStudy.Options o = SpeechStudy.Options.fast();
        SpeechStudy.Result r = SpeechStudy.run(tasks, set, o, store, List.of(), s -> {});

        // the teacher's layers carry the content task and the speaker task; measured on the 48 test clips: word
        // 68.8 %, voice 33.3 % (chance 5 % and 8.3 %); students (depth 1, 2, 4) word 45.8 / 27.1 / 12.5 %, voice
        // 16.7 / 25.0 / 12.5 %. The floors sit a clip or two below those.
        assertTrue(r.teacherWord() > 0.6, "word probe on the teacher: " + r.teacherWord() + " (chance 0.05)");
        assertTrue(r.teacherVoice() > 0.29, "voice probe on the teacher: " + r.teacherVoice() + " (chance 1/12)");

        List<RunRecord> records = store.list();
        ExperimentSpec spec = records.get(0).spec();
        assertEquals(
                spec,
                dev.distillery.spec.Specs.parse(
                        dev.distillery.spec.Specs.toYaml(spec), ExperimentSpec.class, "speech-depth-width.yaml"),
                "the study is an experiment spec that ./distillery run reads back (study --spec writes it)");
        assertEquals(1 + o.depths().size(), records.size(), "the teacher and one student per depth");
        TransformerSpec teacher = (TransformerSpec) ModelSpec.parse(records.stream()
                .filter(x -> x.recipe().equals(SpeechStudy.TEACHER))
                .findFirst()
                .orElseThrow()
                .studentSpec());
        long budget = Math.round(teacher.parameterCount() * o.budgetFraction());
        String manifestSha = DataLocator.sha256(set.resolve("manifest.csv"));
        int lastWidth = Integer.MAX_VALUE;
        for (RunRecord rec : records) {
            assertEquals("completed", rec.status());
            assertEquals(Map.of("manifest.csv", manifestSha), rec.data().sha256(), "the record names the exact data");
            assertEquals(
                    List.of("speech-commands-synth/word", "speech-commands-synth/voice"),
                    rec.spec().probes().get(0).tasks(),
                    "the record carries the experiment spec the study ran");
            assertNotNull(rec.versions().get("nd4j"));
            assertEquals(0.05, rec.probes().get("word_chance"), 1e-12, "20 words");
            assertEquals(1.0 / 12, rec.probes().get("voice_chance"), 1e-12, "12 voices");
            if (rec.recipe().equals(SpeechStudy.TEACHER)) {
                assertEquals(
                        r.teacherWord(), rec.probes().get("word"), 0.0, "the record holds the probe the study reports");
                continue;
            }
            assertTrue(
                    rec.probes().get("word") >= 0.1 && rec.probes().get("voice") >= 0.1,
                    rec.student() + " is at least twice chance on words and above it on voices: " + rec.probes());
            TransformerSpec s = (TransformerSpec) ModelSpec.parse(rec.studentSpec());
            assertEquals(teacher.stride(), s.stride(), "students keep the teacher's frame rate");
            assertTrue(
                    Math.abs(s.parameterCount() - budget) < 0.1 * budget,
                    s.compact() + " is near the budget " + budget);
            assertTrue(s.width() < lastWidth, "width falls as depth grows");
            lastWidth = s.width();
            assertTrue(
                    rec.loss().startsWith("no logit loss (task-agnostic) + heads[0, 1]:l1-logsig-cos from layer"),
                    "distilled without labels: " + rec.loss());
        }
        assertTrue(records.stream()
                        .filter(x -> !x.recipe().equals(SpeechStudy.TEACHER))
                        .map(RunRecord::studentSpec)
                        .distinct()
                        .count()
                == o.depths().size());
        List<RunRecord> students = records.stream()
                .filter(x -> !x.recipe().equals(SpeechStudy.TEACHER))
                .toList();
        assertTrue(
                students.stream().mapToDouble(x -> x.probes().get("word")).max().orElseThrow() > 0.4,
                "the best student reads the words well: "
                        + students.stream().map(RunRecord::probes).toList());
        assertTrue(
                students.stream()
                                .mapToDouble(x -> x.probes().get("voice"))
                                .max()
                                .orElseThrow()
                        > 0.2,
                "the best student tells the voices apart: "
                        + students.stream().map(RunRecord::probes).toList());

        Path png = tmp.resolve("figure.png");
        Table again = SpeechStudy.regenerate(store.root(), png);
        assertEquals(r.table().print(), again.print(), "the table comes back from the records alone");
        assertEquals(1 + o.depths().size(), again.rowCount());
        assertTrue(Files.size(png) > 10_000, "the figure is drawn");
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> SpeechStudy.regenerate(tmp.resolve("empty"), tmp.resolve("x.png")));
        assertTrue(e.getMessage().contains("run the study first"), e.getMessage());
    }
}
