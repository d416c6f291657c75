package dev.distillery.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/**
 * {@code %runs} over a run store written by an earlier version (commit d463f04: spec runs, the speech
 * study, the sentence study), the same fixtures the library's {@code RecordsFromBeforeTest} reads,
 * plus one record cut short, as a full disk or a crash leaves one.
 */
class RunsMagicTest {

    static final Path FIXTURES = Path.of("../distill-lib/src/test/resources/dev/distillery/experiment/runs-d463f04");

    @TempDir
    static Path runs;

    static KernelHarness h;
    static Path truncated;

    @BeforeAll
    static void start() throws IOException {
        try (Stream<Path> files = Files.walk(FIXTURES)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Path to = runs.resolve(FIXTURES.relativize(f).toString());
                Files.createDirectories(to.getParent());
                Files.copy(f, to);
            }
        }
        Path whole = Files.list(runs)
                .filter(Files::isDirectory)
                .sorted()
                .findFirst()
                .orElseThrow()
                .resolve("record.json");
        truncated = Files.createDirectories(runs.resolve("20990101-000000-001-cut-short"))
                .resolve("record.json");
        byte[] bytes = Files.readAllBytes(whole);
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 3));
        h = new KernelHarness(runs);
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @Test
    void runsListsRecordsWrittenBeforeTheRunPipelineWasReshaped() throws Exception {
        h.sink.clear();
        Table all = (Table) h.kernel.evalRaw("%runs");
        assertEquals(10, all.rowCount(), "every readable record, whatever the one cut short: " + all.print());
        String notes = h.sink.events().stream()
                .map(e -> KernelHarness.text(e.data()))
                .collect(java.util.stream.Collectors.joining("\n"));
        assertTrue(notes.contains("corrupt record " + truncated), notes);
        String shown = all.print();
        for (String model : List.of("mlp-16", "d1w38", "d4w20", "student, distilled (DisCo)")) {
            assertTrue(shown.contains(model), model + " missing from %runs:\n" + shown);
        }
        Table speech = (Table) h.kernel.evalRaw("%runs --experiment speech-depth-width");
        assertEquals(4, speech.rowCount(), "the study's teacher and three students:\n" + speech.print());
        Table summary = (Table) h.kernel.evalRaw("%runs --summary");
        assertTrue(summary.print().contains("mlp-16"), summary.print());
    }
}
