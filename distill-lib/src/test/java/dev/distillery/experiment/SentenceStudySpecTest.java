package dev.distillery.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.loss.Losses;
import dev.distillery.spec.SpecException;
import dev.distillery.spec.Specs;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sentence study as experiment specs: what they hold, that they read back, and the mistakes named. */
class SentenceStudySpecTest {

    @Test
    void theStudyIsThreeSpecsThatReadBackFromYaml(@TempDir Path dir) {
        List<ExperimentSpec> specs = SentenceStudy.specs(SentenceStudy.Options.fast());
        assertEquals(3, specs.size(), "the main experiment, the ensemble's student and the chain");
        ExperimentSpec main = specs.get(0);
        assertEquals("text/sentences", main.data().dataset());
        assertEquals(32, main.data().textOptions().length());
        assertEquals("bge-small-en-v1.5", main.teacher().pretrained());
        assertEquals(
                List.of("untrained", "disco", "scratch"),
                main.recipes().stream().map(ExperimentSpec.RecipeSpec::name).toList());
        assertEquals(
                List.of("fidelity", "embedding-probe", "fine-tune", "latency"),
                main.probes().stream().map(ExperimentSpec.ProbeSpec::type).toList());
        assertEquals(
                List.of("bge-small-en-v1.5", "all-minilm-l6-v2"),
                specs.get(1).ensemble().members().stream()
                        .map(ExperimentSpec.TeacherSpec::pretrained)
                        .toList());
        assertEquals(List.of(1L), specs.get(2).seeds(), "the chain runs on the first seed");
        assertEquals("assistant", specs.get(2).chain().assistants().get(0).name());
        for (ExperimentSpec s : specs) {
            Path f = dir.resolve(s.hashCode() + ".yaml");
            Specs.write(s, f);
            assertEquals(Specs.toJson(s), Specs.toJson(Specs.read(f, ExperimentSpec.class)), "read back from " + f);
        }
        assertEquals(
                1, SentenceStudy.specs(SentenceStudy.Options.fast().single()).size());
    }

    @Test
    void textWithoutATokenizerAndUnknownEncodersAreNamed() {
        ExperimentSpec.DataSpec text = ExperimentSpec.DataSpec.parse("text/spam");
        SpecException e = assertThrows(SpecException.class, () -> Experiment.data(text));
        assertTrue(e.getMessage().contains("text/spam") && e.getMessage().contains("pretrained"), e.getMessage());
        e = assertThrows(SpecException.class, () -> ExperimentSpec.TeacherSpec.pretrained("bert-huge"));
        assertTrue(
                e.getMessage().contains("bert-huge") && e.getMessage().contains("bge-small-en-v1.5"), e.getMessage());
        e = assertThrows(
                SpecException.class,
                () -> new ExperimentSpec.TeacherSpec(
                        "t",
                        new dev.distillery.model.MlpSpec(784, List.of(64), 10, null, null),
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        "bge-small-en-v1.5"));
        assertTrue(e.getMessage().contains("drop model"), e.getMessage());
        e = assertThrows(
                SpecException.class,
                () -> new ExperimentSpec.RecipeSpec("r", Losses.scratch(), null, null, null, "teacher"));
        assertTrue(e.getMessage().contains("teacher-embeddings"), e.getMessage());
    }
}
