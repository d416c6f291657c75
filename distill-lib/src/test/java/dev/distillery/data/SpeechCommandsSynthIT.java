package dev.distillery.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A small build of the speech set, twice: the same seed gives the same bytes, and the layout holds. */
class SpeechCommandsSynthIT {

    @Test
    void aSmallBuildIsReproducibleAndKeepsUtterancesTogether(@TempDir Path tmp) throws Exception {
        for (String tool : List.of("/usr/bin/espeak-ng", "/usr/bin/sox", "/usr/bin/text2wave")) {
            assertTrue(
                    Files.isExecutable(Path.of(tool)),
                    tool + " is missing: the speech set needs " + String.join(" ", SpeechCommandsSynth.PACKAGES)
                            + " (./distillery test installs them)");
        }
        List<SpeechCommandsSynth.Voice> all = SpeechCommandsSynth.voices();
        List<SpeechCommandsSynth.Voice> three = List.of(all.get(0), all.get(1), all.get(all.size() - 1));
        SpeechCommandsSynth.Options o =
                new SpeechCommandsSynth.Options(SpeechCommandsSynth.WORDS.subList(0, 10), three, 3, 7);
        SpeechCommandsSynth.Built a = SpeechCommandsSynth.build(tmp.resolve("a"), o, s -> {});
        SpeechCommandsSynth.Built b = SpeechCommandsSynth.build(tmp.resolve("b"), o, s -> {});
        assertEquals(120, a.clips(), "10 words × 3 voices × (clean + 3 perturbations)");
        assertEquals(a.sha256(), b.sha256(), "same seed, same manifest (which holds every file's SHA-256)");
        assertEquals(Files.readString(a.manifest()), Files.readString(b.manifest()));

        List<String[]> rows = Files.readAllLines(a.manifest()).stream()
                .skip(1)
                .map(l -> l.split(","))
                .toList();
        for (String[] r : rows) {
            float[] x = Wav.read(a.dir().resolve(r[0]));
            assertEquals(SpeechCommandsSynth.LENGTH, x.length, r[0] + " is one second at 16 kHz");
            double energy = 0;
            for (float v : x) {
                energy += v * v;
            }
            assertTrue(energy > 1, r[0] + " is not silent: " + energy);
        }
        // every utterance (voice × word) sits in one split, with all its perturbations
        Map<String, Set<String>> splitsOf = rows.stream()
                .collect(Collectors.groupingBy(r -> r[5], Collectors.mapping(r -> r[6], Collectors.toSet())));
        assertEquals(30, splitsOf.size());
        splitsOf.forEach((u, s) -> assertEquals(1, s.size(), u + " is in one split"));
        // every voice appears in every split, so the speaker task can be tested
        for (String split : List.of("train", "validation", "test")) {
            Set<String> voices =
                    rows.stream().filter(r -> r[6].equals(split)).map(r -> r[2]).collect(Collectors.toSet());
            assertEquals(3, voices.size(), split + " has every voice");
        }
        // loaded for each task: log-mel frames of every clip, labels by word or voice, standardised on train
        LogMel mel = new LogMel(LogMel.Config.speech(40));
        Splits words = SpeechCommandsSynth.load(a.dir(), SpeechCommandsSynth.Task.WORD, mel);
        Splits voices = SpeechCommandsSynth.load(a.dir(), SpeechCommandsSynth.Task.VOICE, mel);
        assertEquals(10, words.train().numClasses());
        assertEquals(3, voices.test().numClasses());
        assertEquals(
                120,
                words.train().size() + words.validation().size() + words.test().size());
        assertEquals(98 * 40, words.train().inputSize(), "98 frames × 40 bands");
        double trainMean = words.train().features().meanNumber().doubleValue();
        assertEquals(0, trainMean, 1e-3, "standardised on the training split");
        // the same set through an experiment's data spec, as %teacher --data and YAML specs name it
        dev.distillery.experiment.ExperimentSpec.DataSpec spec =
                dev.distillery.experiment.ExperimentSpec.DataSpec.parse(
                        "speech-commands-synth/voice:dir=" + a.dir() + ",train=24");
        Splits viaSpec = dev.distillery.experiment.Experiment.data(spec);
        assertEquals(24, viaSpec.train().size());
        assertEquals(3, viaSpec.train().numClasses());
        assertEquals(voices.test().size(), viaSpec.test().size());
        assertTrue(org.junit.jupiter.api.Assertions.assertThrows(
                        dev.distillery.spec.SpecException.class,
                        () -> dev.distillery.experiment.ExperimentSpec.DataSpec.parse("speech-commands"))
                .getMessage()
                .contains("speech-commands-synth/word"));
        Files.write(a.dir().resolve(rows.get(0)[0]), new byte[] {1, 2, 3});
        dev.distillery.data.DataUnavailableException bad = org.junit.jupiter.api.Assertions.assertThrows(
                dev.distillery.data.DataUnavailableException.class,
                () -> SpeechCommandsSynth.load(a.dir(), SpeechCommandsSynth.Task.WORD, mel));
        assertTrue(
                bad.getMessage().contains("SHA-256") && bad.getMessage().contains("dataset build"), bad.getMessage());
        // a different seed perturbs differently
        SpeechCommandsSynth.Built c = SpeechCommandsSynth.build(
                tmp.resolve("c"), new SpeechCommandsSynth.Options(o.words(), o.voices(), 3, 8), s -> {});
        assertNotEquals(a.sha256(), c.sha256());
    }
}
