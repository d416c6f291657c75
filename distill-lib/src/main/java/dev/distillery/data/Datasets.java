package dev.distillery.data;

import dev.distillery.registry.Registry;
import java.lang.ref.SoftReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The registry of data sets a spec or a magic names: Fashion-MNIST and both tasks of the synthetic speech set. */
public final class Datasets {

    private static final Registry<Dataset> REGISTRY = new Registry<Dataset>("dataset")
            .register(
                    FashionMnist.NAME,
                    "Zalando's 28×28 clothing images, 10 classes (Debian's fashion-mnist package)",
                    new FashionMnistSet())
            .register(
                    SpeechCommandsSynth.NAME + "/word",
                    "synthetic spoken words as log-mel frames, labelled by word "
                            + "(./distillery dataset build speech-commands-synth)",
                    new SpeechSet(SpeechCommandsSynth.Task.WORD))
            .register(
                    SpeechCommandsSynth.NAME + "/voice",
                    "the same utterances labelled by voice (the speaker task)",
                    new SpeechSet(SpeechCommandsSynth.Task.VOICE));

    private Datasets() {}

    public static Registry<Dataset> registry() {
        return REGISTRY;
    }

    /** The data set called {@code name}; an unknown name lists the known ones. */
    public static Dataset get(String name) {
        return REGISTRY.get(name);
    }

    /** The four IDX files from Debian's package, found on the {@link FashionMnist#locator() search path}. */
    private static final class FashionMnistSet implements Dataset {
        @Override
        public Splits load(Path dir, int validation, long splitSeed) {
            return Splits.of(
                    FashionMnist.load(FashionMnist.Part.TRAIN, dir),
                    FashionMnist.load(FashionMnist.Part.TEST, dir),
                    validation,
                    splitSeed);
        }

        @Override
        public Map<String, String> checksums(Path dir) {
            Map<String, String> files = new LinkedHashMap<>();
            for (FashionMnist.Part p : FashionMnist.Part.values()) {
                // locate hashes the file it finds and refuses one whose SHA-256 differs: the sum is verified
                FashionMnist.locator().locate(p.imagesFile(), p.imagesSha256(), dir);
                FashionMnist.locator().locate(p.labelsFile(), p.labelsSha256(), dir);
                files.put(p.imagesFile(), p.imagesSha256());
                files.put(p.labelsFile(), p.labelsSha256());
            }
            return files;
        }
    }

    /**
     * One task of the built speech set as 40-band log-mel frames; its splits are fixed by the build, and
     * its manifest lists every WAV file with its SHA-256 (checked on load). Both tasks are loaded at once
     * and the last set loaded is kept (softly), so the word and voice tasks of one set share their
     * feature arrays, as {@link SpeechCommandsSynth#loadTasks} gives them.
     */
    private record SpeechSet(SpeechCommandsSynth.Task task) implements Dataset {
        /** The tasks of the set last loaded, under its directory and manifest checksum. */
        private record Loaded(Path dir, String manifestSha256, Map<SpeechCommandsSynth.Task, Splits> tasks) {}

        private static SoftReference<Loaded> last = new SoftReference<>(null);

        @Override
        public Splits load(Path dir, int validation, long splitSeed) {
            Path d = dirOrDefault(dir).toAbsolutePath().normalize();
            Path manifest = d.resolve("manifest.csv");
            String sha = Files.isRegularFile(manifest) ? DataLocator.sha256(manifest) : null;
            synchronized (SpeechSet.class) {
                Loaded l = last.get();
                if (sha == null
                        || l == null
                        || !l.dir().equals(d)
                        || !l.manifestSha256().equals(sha)) {
                    l = new Loaded(d, sha, SpeechCommandsSynth.loadTasks(d, new LogMel(LogMel.Config.speech(40))));
                    last = new SoftReference<>(l);
                }
                return l.tasks().get(task);
            }
        }

        @Override
        public Map<String, String> checksums(Path dir) {
            return Map.of("manifest.csv", DataLocator.sha256(dirOrDefault(dir).resolve("manifest.csv")));
        }

        private static Path dirOrDefault(Path dir) {
            return dir == null ? SpeechCommandsSynth.defaultDir() : dir;
        }
    }
}
