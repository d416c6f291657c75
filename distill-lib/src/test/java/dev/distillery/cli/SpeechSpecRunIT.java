package dev.distillery.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.data.DataLocator;
import dev.distillery.data.SpeechCommandsSynth;
import dev.distillery.experiment.RunRecord;
import dev.distillery.experiment.RunStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./distillery run} of a speech spec in a fresh process whose data directory
 * ({@code DISTILLERY_DATA}) is empty: it needs nothing but the speech set it names, and its record
 * lists that set's manifest checksum and no other file.
 */
class SpeechSpecRunIT {

    @Test
    void aSpeechSpecRunsWithAnEmptyDataDirectoryAndRecordsOnlyItsManifest(@TempDir Path tmp) throws Exception {
        List<SpeechCommandsSynth.Voice> voices = SpeechCommandsSynth.voices();
        SpeechCommandsSynth.Built set = SpeechCommandsSynth.build(
                tmp.resolve("speech"),
                new SpeechCommandsSynth.Options(
                        SpeechCommandsSynth.WORDS.subList(0, 10),
                        List.of(voices.get(0), voices.get(1), voices.get(2)),
                        1,
                        3),
                s -> {});
        Path spec = tmp.resolve("speech.yaml");
        Files.writeString(spec, """
                name: speech-spec
                threads: 1
                data: {dataset: speech-commands-synth/word, dir: %s}
                students:
                  - name: tiny
                    model: {type: transformer, depth: 1, width: 16, heads: 2, ffnRatio: 2, inputs: 3920, input: frames,
                            frame: 40, stride: 2, outputs: 10}
                recipes: [{name: scratch, loss: {type: scratch}, epochs: 2}]
                training: {batchSize: 16, learningRate: 0.001}
                seeds: [1]
                """.formatted(set.dir()));
        Path empty = Files.createDirectories(tmp.resolve("empty-data"));
        Path runs = tmp.resolve("runs");
        ProcessBuilder pb =
                RunStoreProcessesIT.launcher(tmp.resolve("out.txt"), "run", spec.toString(), "--runs", runs.toString());
        pb.environment().put("DISTILLERY_DATA", empty.toString());
        Process p = pb.start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the run finished");
        String out = Files.readString(tmp.resolve("out.txt"));
        assertEquals(0, p.exitValue(), out);

        List<RunRecord> records = new RunStore(runs).list();
        assertEquals(1, records.size(), out);
        RunRecord r = records.get(0);
        assertEquals("speech-commands-synth/word", r.data().dataset());
        assertEquals(
                Map.of("manifest.csv", DataLocator.sha256(set.manifest())),
                r.data().sha256(),
                "the speech set's manifest (which lists every clip's SHA-256), and no Fashion-MNIST file");
        assertEquals(2, r.curve().size());
        try (var files = Files.list(empty)) {
            assertEquals(0, files.count(), "nothing was fetched into the data directory");
        }
    }
}
