package dev.distillery.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.data.FashionMnist;
import dev.distillery.model.Specs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExperimentTest {

    static final String SPEC = """
            name: tiny
            data: {labels: 200, trainSize: 2000, validationSize: 500, testSize: 1000}
            teacher: {name: cnn, model: {type: cnn, channels: [8], dense: [16]}, epochs: 1}
            students: [{name: small, model: {type: mlp, hidden: [16]}}]
            recipes:
              - {name: scratch, loss: {type: scratch}, epochs: 5}
              - {name: kd, loss: {type: hinton, temperature: 4, alpha: 0.1}, epochs: 2}
            seeds: [1, 2]
            """;

    @Test
    void aShortExperimentWritesCompleteRunRecordsAndFigures(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("tiny.yaml"), SPEC);
        Path runs = dir.resolve("runs");
        ExperimentSpec spec = Specs.read(dir.resolve("tiny.yaml"), ExperimentSpec.class);
        Quickstart.Report report = Quickstart.run(spec, runs, List.of(), s -> {});
        Experiment.Outcome out = report.outcome();

        List<RunRecord> records = new RunStore(runs).list();
        assertEquals(4, records.size(), "2 recipes x 2 seeds");
        for (RunRecord r : records) {
            assertEquals("completed", r.status());
            assertEquals(spec, r.spec(), "the record carries the spec that produced it");
            assertEquals(FashionMnist.Part.TRAIN.imagesSha256(), r.data().sha256().get("train-images-idx3-ubyte.gz"));
            assertEquals(200, r.data().trainLabeled());
            assertEquals(2000, r.data().train());
            assertNotNull(r.data().fingerprint());
            assertEquals(out.teacher().id(), r.teacher().id());
            assertEquals("1.0.0-M2.1", r.versions().get("nd4j"));
            assertNotNull(r.versions().get("java"));
            assertTrue(r.metrics().testAccuracy() > 0.3, "trained above chance: " + r.metrics());
            assertNotNull(r.metrics().agreement());
            assertEquals(r.recipe().equals("kd") ? 2 : 5, r.curve().size());
            assertNotNull(r.started());
            assertNotNull(r.finished());
            assertTrue(Files.isRegularFile(runs.resolve(r.id()).resolve("checkpoint").resolve("checkpoint.zip")));
        }
        assertEquals(records.get(0), Specs.read(runs.resolve(records.get(0).id()).resolve("record.json"), RunRecord.class));

        assertEquals(4, out.runs().rowCount());
        assertEquals(2, out.summary().rowCount());
        assertEquals(2, out.summary().intColumn("seeds").get(0));
        double[] scratch = records.stream().filter(r -> r.recipe().equals("scratch"))
                .mapToDouble(r -> r.metrics().testAccuracy()).toArray();
        assertEquals(Results.mean(scratch), out.summary().doubleColumn("test_acc_mean").get(0), 1e-12);
        assertTrue(report.text().contains("scratch") && report.text().contains("±"), report.text());

        for (Path png : List.of(report.tradeoffFigure(), report.curvesFigure())) {
            assertTrue(Files.size(png) > 5000, png + " is a real figure");
            assertTrue(ImageIO.read(png.toFile()).getWidth() > 500);
        }
        assertEquals(3, Quickstart.tradeoffChart(out).getSeriesMap().size(), "teacher, scratch and kd series");

        // the teacher is trained once: a second run of the same spec reuses it
        Experiment.Outcome again = new Experiment(spec, new RunStore(runs)).run();
        assertTrue(again.teacherSource().startsWith("reused"), again.teacherSource());
        assertEquals(out.teacher().id(), again.teacher().id());
        for (RunRecord first : records) {
            RunRecord second = again.records().stream()
                    .filter(r -> r.recipe().equals(first.recipe()) && r.seed() == first.seed()).findFirst().orElseThrow();
            assertEquals(first.metrics().testAccuracy(), second.metrics().testAccuracy(), 0.0,
                    "fixed seeds give the same numbers: " + first.recipe() + " seed " + first.seed());
        }
        // records list in the order the runs started: students x recipes x seeds
        assertEquals(List.of("scratch", "scratch", "kd", "kd"), records.stream().map(RunRecord::recipe).toList());
    }
}
