package dev.distillery.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.spec.SpecException;
import dev.distillery.spec.Specs;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Probes and auxiliary teacher tasks in a spec: read with their defaults, and their mistakes named. */
class ProbeSpecTest {

    static final String SPEC = """
            name: probed
            data: {dataset: speech-commands-synth/word, dir: /nowhere}
            teacher:
              name: t
              model: {type: transformer, depth: 1, width: 16, heads: 2, inputs: 3920, input: frames, frame: 40,
                      outputs: 20}
              auxiliary: speech-commands-synth/voice
            students: [{name: s, model: {type: transformer, depth: 1, width: 8, heads: 2, inputs: 3920,
                        input: frames, frame: 40, outputs: 20}}]
            recipes: [{name: kd, loss: {type: hinton, temperature: 2, alpha: 0.5}}]
            probes: [{type: layers, tasks: [speech-commands-synth/word, speech-commands-synth/voice], epochs: 5}]
            """;

    @Test
    void aSpecReadsItsProbesAndTheTeachersAuxiliaryTaskAndWritesThemBack() {
        ExperimentSpec spec = Specs.parse(SPEC, ExperimentSpec.class, "probed.yaml");
        ExperimentSpec.ProbeSpec p = spec.probes().get(0);
        assertEquals(List.of("speech-commands-synth/word", "speech-commands-synth/voice"), p.tasks());
        assertEquals(5, p.epochs());
        assertEquals(1e-2, p.learningRate(), "the default learning rate");
        assertEquals("speech-commands-synth/voice", spec.teacher().auxiliary());
        assertEquals(
                spec, Specs.parse(Specs.toJson(spec), ExperimentSpec.class, "record"), "a record's copy reads back");
        ExperimentSpec bare = new ExperimentSpec(
                spec.name(),
                spec.data(),
                null,
                spec.students(),
                List.of(new ExperimentSpec.RecipeSpec(
                        "scratch", dev.distillery.loss.Losses.scratch(), null, null, null)),
                null,
                null,
                null);
        assertTrue(
                !Specs.toJson(bare).contains("probes") && !Specs.toJson(bare).contains("auxiliary"),
                "without probes or an auxiliary task the JSON reads as it always did: " + Specs.toJson(bare));
    }

    @Test
    void mistakesNameTheFieldAndWhatIsKnown() {
        SpecException e = assertThrows(
                SpecException.class,
                () -> new ExperimentSpec.ProbeSpec("linear", List.of("fashion-mnist"), 1, null, null));
        assertTrue(
                e.getMessage().contains("unknown probe 'linear'")
                        && e.getMessage().contains("layers"),
                e.getMessage());
        e = assertThrows(
                SpecException.class, () -> new ExperimentSpec.ProbeSpec("layers", List.of(), null, null, null));
        assertTrue(e.getMessage().contains("needs tasks"), e.getMessage());
        e = assertThrows(
                SpecException.class,
                () -> new ExperimentSpec.ProbeSpec("layers", List.of("speech/word"), null, null, null));
        assertTrue(e.getMessage().contains("speech-commands-synth/word"), e.getMessage());
        e = assertThrows(
                SpecException.class,
                () -> new ExperimentSpec.TeacherSpec(
                        "t", null, "t.dtm", null, null, null, null, null, "speech-commands-synth/voice"));
        assertTrue(e.getMessage().contains("auxiliary trains a second head"), e.getMessage());
    }
}
