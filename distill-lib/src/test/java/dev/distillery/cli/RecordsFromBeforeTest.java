package dev.distillery.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.experiment.Results;
import dev.distillery.experiment.RunRecord;
import dev.distillery.experiment.RunStore;
import dev.distillery.experiment.SpeechStudy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/**
 * Run records written before the run pipeline was reshaped (by commit d463f04: a Fashion-MNIST KD run,
 * a speech run through a spec, the speech depth-width study in its fast mode and the sentence study's
 * single-teacher fast mode) still load and show in {@code ./distillery runs}, in the tables behind
 * {@code %runs}, and in {@code ./distillery figure speech-depth-width --runs}.
 */
class RecordsFromBeforeTest {

    static final String FIXTURES = "/dev/distillery/experiment/runs-d463f04";

    @TempDir
    static Path runs;

    @BeforeAll
    static void copyTheOldRunStore() throws IOException, URISyntaxException {
        Path source = Path.of(RecordsFromBeforeTest.class.getResource(FIXTURES).toURI());
        try (Stream<Path> files = Files.walk(source)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Path to = runs.resolve(source.relativize(f).toString());
                Files.createDirectories(to.getParent());
                Files.copy(f, to);
            }
        }
    }

    @Test
    void everyOldRecordLoadsWithItsNumbers() {
        List<RunRecord> records = new RunStore(runs).list();
        assertEquals(
                10, records.size(), "2 spec runs, the speech study's teacher and 3 students, 4 sentence-study models");
        RunRecord kd = records.get(0);
        assertEquals("fixture", kd.experiment());
        assertEquals("hinton T=4 alpha=0.1", kd.loss());
        assertEquals(0.478, kd.metrics().testAccuracy(), 0.0);
        assertEquals(2, kd.curve().size());
        assertEquals("mlp-teacher", kd.lineage().teachers().get(0).name());
        assertEquals(
                "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
                kd.data().sha256().get("train-images-idx3-ubyte.gz"));
        assertNull(kd.versions().get("blas"), "old records predate the arithmetic fields and load without them");
        RunRecord d1 = records.stream()
                .filter(r -> r.student().equals("d1w38"))
                .findFirst()
                .orElseThrow();
        assertEquals(0.458, d1.probes().get("word"), 5e-4);
        RunRecord disco = records.stream()
                .filter(r -> r.recipe().equals("disco"))
                .findFirst()
                .orElseThrow();
        assertEquals(0.762, disco.probes().get("fidelity"), 5e-4);
    }

    @Test
    void theRunsTablesOfPercentRunsListThem() {
        List<RunRecord> records = new RunStore(runs).list();
        Table all = Results.runs(records);
        assertEquals(10, all.rowCount());
        Table summary = Results.summary(records);
        assertTrue(summary.rowCount() >= 2, summary.print());
        assertTrue(Results.lineage(records).rowCount() >= 1);
    }

    @Test
    void runsCommandPrintsThemAll() {
        String out = run("runs", "--runs", runs.toString());
        for (String name : List.of("mlp-16", "d1w38", "d4w20", "student, distilled (DisCo)")) {
            assertTrue(out.contains(name), name + " missing from ./distillery runs:\n" + out);
        }
    }

    @Test
    void figureCommandRedrawsTheSpeechStudyFromThem() throws IOException {
        Path png = runs.resolve("redrawn.png");
        String out = run("figure", SpeechStudy.NAME, "--runs", runs.toString(), "--out", png.toString());
        assertTrue(out.contains("d1w38") && out.contains("45.8") && out.contains("68.8"), out);
        assertTrue(ImageIO.read(png.toFile()).getWidth() >= 800, "the figure was drawn");
    }

    /** Runs the command line in this JVM and returns what it printed; fails on a non-zero exit. */
    private static String run(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream before = System.out;
        int code;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            System.setOut(out);
            code = Main.commandLine().execute(args);
        } finally {
            System.setOut(before);
        }
        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, String.join(" ", args) + " exited " + code + ":\n" + printed);
        return printed;
    }
}
