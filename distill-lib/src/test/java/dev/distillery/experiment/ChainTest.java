package dev.distillery.experiment;

import static org.junit.jupiter.api.Assertions.*;

import dev.distillery.distill.Chain;
import dev.distillery.model.ModelSpec;
import dev.distillery.provenance.Lineage;
import dev.distillery.spec.SpecException;
import dev.distillery.spec.Specs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Teacher-assistant chains and ensembles run from an experiment spec, with records that link stage to stage. */
class ChainTest {

    @Test
    void aTwoAssistantChainRunsEndToEndAndItsRecordsLinkStageToStage(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("chain.yaml"), """
                name: takd
                data: {labels: 300, trainSize: 1500, validationSize: 500, testSize: 500}
                teacher: {name: cnn, model: {type: cnn, channels: [8], dense: [32]}, epochs: 2}
                students: [{name: tiny, model: {type: mlp, hidden: [8]}}]
                recipes: [{name: kd, loss: {type: hinton, temperature: 4, alpha: 0.1}, epochs: 8}]
                chain: {name: c1, count: 2, finals: [last, de]}
                """);
        ExperimentSpec spec = Specs.read(dir.resolve("chain.yaml"), ExperimentSpec.class);
        RunStore store = new RunStore(dir.resolve("runs"));
        Experiment.Outcome out = new Experiment(spec, store).run();
        List<RunRecord> records = store.list();
        assertEquals(4, records.size(), "two assistants and two finals");
        RunRecord ta1 = records.get(0);
        RunRecord ta2 = records.get(1);
        RunRecord last = records.get(2);
        RunRecord multi = records.get(3);

        // geometric sizes between the teacher and the student, in the student's family
        long pt = out.teacher().network().parameterCount();
        long ps = ModelSpec.parse("mlp:8").parameterCount();
        double[] want = {Math.pow(pt, 2 / 3.0) * Math.pow(ps, 1 / 3.0), Math.pow(pt, 1 / 3.0) * Math.pow(ps, 2 / 3.0)};
        assertEquals(want[0], ta1.metrics().parameters(), 0.02 * want[0]);
        assertEquals(want[1], ta2.metrics().parameters(), 0.02 * want[1]);
        assertTrue(ta1.studentSpec().startsWith("mlp:") && ta2.studentSpec().startsWith("mlp:"));

        Lineage l1 = ta1.lineage();
        assertEquals("assistant", l1.role());
        assertEquals(1, l1.stage());
        assertEquals(3, l1.stages());
        assertEquals("c1", l1.chain());
        assertEquals(List.of(), l1.parents(), "the first assistant learns from the teacher itself");
        assertEquals("cnn", l1.teachers().get(0).name());
        assertEquals(out.teacher().id(), l1.teachers().get(0).id());

        assertEquals(List.of(ta1.id()), ta2.lineage().parents(), "stage 2 names the run it learned from");
        assertEquals("ta1", ta2.lineage().teachers().get(0).name());

        assertEquals(List.of(ta2.id()), last.lineage().parents());
        assertEquals("student", last.lineage().role());
        assertEquals("kd · from ta2", last.recipe());

        Lineage lm = multi.lineage();
        assertEquals(List.of(ta1.id(), ta2.id()), lm.parents(), "the multi-assistant student learns from both");
        assertEquals(
                List.of(ta1.id(), ta2.id()),
                lm.teachers().stream().map(Lineage.Member::run).toList());
        assertEquals("de", lm.weighting());
        assertEquals("targets", lm.mode());
        assertEquals(1.0, lm.teachers().get(0).weight() + lm.teachers().get(1).weight(), 1e-9);
        assertTrue(multi.recipe().startsWith("kd · from de(ta1+ta2)"), multi.recipe());

        // every stage's record reads back with its lineage, and the table traces the whole chain
        assertEquals(multi, store.read(multi.id()));
        // measured: the assistants 64.2 and 63.8 %, the 784-8-10 students 28.0 (from ta2) and 29.0 % (from both)
        for (RunRecord r : records) {
            double floor = r.lineage().role().equals("assistant") ? 0.60 : 0.25;
            assertTrue(
                    r.metrics().testAccuracy() > floor,
                    r.student() + " (" + r.recipe() + ") trained to "
                            + r.metrics().testAccuracy() + ", below " + floor);
            assertEquals(out.teacher().id(), r.teacher().id(), "every record names the chain's root teacher");
        }
        assertEquals(4, Results.lineage(records).rowCount());
        tech.tablesaw.api.Table cmp = Results.compare(records);
        assertEquals(
                List.of("takd (ta2)", "takd (de(ta1+ta2))"),
                cmp.stringColumn("method").asList(),
                "one row per way the student learned; the assistants are stages, not methods");
    }

    @Test
    void anEnsembleSpecSearchesItsWeightsAndRecordsThem(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("ens.yaml"), """
                name: ens
                data: {labels: 300, trainSize: 1500, validationSize: 500, testSize: 500}
                ensemble:
                  name: pair
                  members:
                    - {name: cnn, model: {type: cnn, channels: [8], dense: [32]}, epochs: 1}
                    - {name: mlp, model: {type: mlp, hidden: [32]}, epochs: 1}
                  weights: de
                  mode: losses
                  evaluations: 200
                students: [{name: tiny, model: {type: mlp, hidden: [8]}}]
                recipes: [{name: kd, loss: {type: hinton, temperature: 4, alpha: 0.1}, epochs: 1}]
                """);
        ExperimentSpec spec = Specs.read(dir.resolve("ens.yaml"), ExperimentSpec.class);
        Experiment.Outcome out = new Experiment(spec, new RunStore(dir.resolve("runs"))).run();
        RunRecord r = out.records().get(0);
        assertEquals("pair", r.teacher().name());
        Lineage l = r.lineage();
        assertEquals("losses", l.mode());
        assertEquals(
                List.of("cnn", "mlp"),
                l.teachers().stream().map(Lineage.Member::name).toList());
        assertEquals("de", l.search().method());
        assertTrue(l.search().evaluations() <= 200);
        assertTrue(r.loss().startsWith("ensemble losses [cnn "), r.loss());
        assertNotNull(r.metrics().agreement(), "fidelity is measured against the ensemble");
        assertTrue(out.report().contains("ensemble 'pair'"), out.report());

        assertThrows(SpecException.class, () -> Specs.parse("""
                {name: x, ensemble: {members: [{name: a, file: a.dtm}]}, students: [{model: {type: mlp, hidden: [8]}}],
                 recipes: [{loss: {type: hinton}}]}""", ExperimentSpec.class, "x"), "an ensemble of one");
        SpecException both =
                assertThrows(SpecException.class, () -> Chain.assistantSizes(1000, ModelSpec.parse("mlp:64"), 2));
        assertTrue(both.getMessage().contains("not larger than the student"), both.getMessage());
    }
}
