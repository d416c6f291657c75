package dev.distillery.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.experiment.ExperimentSpec;
import dev.distillery.experiment.Quickstart;
import dev.distillery.loss.FeatureLoss;
import dev.distillery.loss.HintonLoss;
import dev.distillery.loss.LossSpec;
import dev.distillery.spec.SpecException;
import dev.distillery.spec.Specs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecsTest {

    @Test
    void modelSpecsRoundTripThroughJsonAndYaml(@TempDir Path dir) {
        List<ModelSpec> specs = List.of(
                MlpSpec.of(800, 800).withDropout(0.2),
                new CnnSpec(null, List.of(32, 64), 5, 2, List.of(128), 10, "tanh", 0.3),
                ModelSpec.parse("mlp:64"));
        for (ModelSpec s : specs) {
            assertEquals(s, Specs.parse(Specs.toJson(s), ModelSpec.class, "json"));
            assertEquals(s, Specs.parse(Specs.toYaml(s), ModelSpec.class, "yaml"));
            Specs.write(s, dir.resolve("m.yaml"));
            assertEquals(s, Specs.read(dir.resolve("m.yaml"), ModelSpec.class));
            Specs.write(s, dir.resolve("m.json"));
            assertEquals(s, Specs.read(dir.resolve("m.json"), ModelSpec.class));
            assertEquals(s, ModelSpec.parse(s.compact()), "compact form reads back: " + s.compact());
        }
    }

    @Test
    void experimentSpecsRoundTripThroughJsonAndYaml() {
        ExperimentSpec q = Quickstart.spec(false);
        assertEquals(q, Specs.parse(Specs.toJson(q), ExperimentSpec.class, "json"));
        assertEquals(q, Specs.parse(Specs.toYaml(q), ExperimentSpec.class, "yaml"));
        assertEquals(new HintonLoss(4.0, 0.1), q.recipes().get(1).loss());
        assertEquals(List.of(1L, 2L, 3L), q.seeds());
    }

    @Test
    void featureLossEnumsReadAsEnumsAndWriteAsTheirLabels() {
        String yaml = "type: features\nlogits: {type: hinton, temperature: 4, alpha: 0.5}\n"
                + "mapping: {kind: LAST, k: 2, feature: Attention}\nsupervise: [{layer: layer1, target: kd}]\n";
        FeatureLoss f = (FeatureLoss) Specs.parse(yaml, LossSpec.class, "loss.yaml");
        assertEquals(FeatureLoss.Mapping.Kind.LAST, f.mapping().kind());
        assertEquals(FeatureLoss.Mapping.Feature.ATTENTION, f.mapping().feature());
        assertEquals("attention-kl", f.mapping().loss());
        assertEquals(FeatureLoss.Supervision.Target.KD, f.supervise().get(0).target());
        String written = Specs.toYaml(f);
        assertTrue(
                written.contains("kind: last")
                        && written.contains("feature: attention")
                        && written.contains("target: kd"),
                written);
        assertEquals(f, Specs.parse(written, LossSpec.class, "written"));
        assertEquals(f.mapping(), FeatureLoss.Mapping.parse("last-2:attention"));
        SpecException e = assertThrows(
                SpecException.class,
                () -> Specs.parse(yaml.replace("target: kd", "target: labels"), LossSpec.class, "loss.yaml"));
        assertTrue(e.getMessage().contains("supervision target 'labels': use task (labels) or kd"), e.getMessage());
    }

    @Test
    void unknownFieldIsNamedWithTheKnownOnes() {
        SpecException e = assertThrows(
                SpecException.class, () -> Specs.parse("type: mlp\nhiden: [64]\n", ModelSpec.class, "student.yaml"));
        assertTrue(e.getMessage().startsWith("student.yaml"), e.getMessage());
        assertTrue(e.getMessage().contains("unknown field 'hiden'"), e.getMessage());
        assertTrue(e.getMessage().contains("hidden"), e.getMessage());
    }

    @Test
    void aStrayXIsAMissingSizeNotNothing() {
        for (String spec : List.of("mlp:800x800x", "mlp:64x", "cnn:32x64x", "mlp:x64")) {
            SpecException e = assertThrows(SpecException.class, () -> ModelSpec.parse(spec), spec);
            assertTrue(e.getMessage().contains("a size is missing"), e.getMessage());
        }
        assertEquals(List.of(800, 800), ((MlpSpec) ModelSpec.parse("mlp:800x800")).hidden());
    }

    @Test
    void aDataSpecMayBeItsCompactStringAndAnUnknownSetIsNamed() {
        String spec = "students: [{name: s, model: {type: mlp, hidden: [8]}}]\nrecipes: [{loss: {type: scratch}}]\n";
        ExperimentSpec e = Specs.parse("data: fashion-mnist:labels=100,train=500\n" + spec, ExperimentSpec.class, "x");
        assertEquals(ExperimentSpec.DataSpec.parse("fashion-mnist:labels=100,train=500"), e.data());
        SpecException unknown = assertThrows(
                SpecException.class, () -> Specs.parse("data: no-such-set\n" + spec, ExperimentSpec.class, "x.yaml"));
        assertTrue(
                unknown.getMessage().contains("unknown dataset 'no-such-set'; known: fashion-mnist"),
                unknown.getMessage());
    }

    @Test
    void negativeSizeIsRejectedWithItsPosition() {
        SpecException e = assertThrows(
                SpecException.class,
                () -> Specs.parse("{\"type\": \"mlp\", \"hidden\": [64, -3]}", ModelSpec.class, "s.json"));
        assertTrue(
                e.getMessage().contains("hidden size -3 at position 2 must be a positive whole number"),
                e.getMessage());
        assertThrows(SpecException.class, () -> ModelSpec.parse("mlp:0"));
        SpecException kind = assertThrows(SpecException.class, () -> ModelSpec.parse("rnn:64"));
        assertTrue(kind.getMessage().contains("known kinds: mlp, cnn"), kind.getMessage());
    }

    @Test
    void unknownTypeListsTheKnownTypes() {
        SpecException e =
                assertThrows(SpecException.class, () -> Specs.parse("type: rnn\n", ModelSpec.class, "x.yaml"));
        assertTrue(
                e.getMessage().contains("unknown type 'rnn'") && e.getMessage().contains("mlp, cnn"), e.getMessage());
    }

    @Test
    void studentWhoseOutputsDifferFromTheTeacherIsRejectedInTheSpec(@TempDir Path dir) throws Exception {
        String yaml = """
                teacher: {model: {type: cnn, channels: [8]}}
                students: [{name: tiny, model: {type: mlp, hidden: [16], outputs: 5}}]
                recipes: [{loss: {type: hinton}}]
                """;
        Files.writeString(dir.resolve("e.yaml"), yaml);
        SpecException e =
                assertThrows(SpecException.class, () -> Specs.read(dir.resolve("e.yaml"), ExperimentSpec.class));
        assertTrue(
                e.getMessage().contains("student 'tiny' has 5 outputs but teacher 'teacher' has 10"), e.getMessage());
    }

    @Test
    void missingSpecFileSaysSo() {
        SpecException e =
                assertThrows(SpecException.class, () -> Specs.read(Path.of("no-such.yaml"), ExperimentSpec.class));
        assertTrue(e.getMessage().contains("no-such.yaml does not exist"), e.getMessage());
    }
}
