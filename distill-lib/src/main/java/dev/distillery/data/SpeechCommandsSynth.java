package dev.distillery.data;

import dev.distillery.backend.Seeds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The synthetic speech-commands dataset: keywords spoken by many synthetic voices, each utterance
 * perturbed several ways, 16 kHz mono, one second each. Labels are the word (the content task,
 * like keyword spotting) and the voice (the speaker task).
 *
 * <p>Built here from Debian packages, nothing downloaded: {@code espeak-ng} speaks with English
 * accents and voice variants at low and high pitch, {@code festival} with its installed voices,
 * and {@code sox} resamples and perturbs (speed, pitch, tempo, reverb); noise is added here from
 * the seed. The same seed gives byte-identical files and the same manifest SHA-256.
 *
 * <p>Layout: {@code DIR/wav/<voice>/<word>-<perturbation>.wav} and {@code DIR/manifest.csv}
 * ({@code file,word,voice,engine,perturbation,utterance,split,sha256}). Splits keep the
 * perturbations of one utterance together: per voice, the words are dealt to train, validation
 * and test, so every voice and every word appears in every split.
 */
public final class SpeechCommandsSynth {

    public static final String NAME = "speech-commands-synth";
    public static final int SAMPLE_RATE = 16000;
    /** Samples per clip: one second. */
    public static final int LENGTH = 16000;

    /** The Debian packages the build needs. */
    public static final List<String> PACKAGES =
            List.of("espeak-ng", "sox", "festival", "festvox-kallpc16k", "festvox-kdlpc16k", "festvox-us-slt-hts");

    /** Twenty keywords, as in the Speech Commands benchmark. */
    public static final List<String> WORDS = List.of(
            "yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go", "zero", "one", "two", "three",
            "four", "five", "six", "seven", "eight", "nine");

    /** A synthetic speaker: the engine, its voice, and (espeak-ng) a pitch 0-99 and speed in words per minute. */
    public record Voice(String name, String engine, String voice, int pitch, int speed) {}

    /**
     * espeak-ng's eight English accents, each spoken by three of its voice variants (24 distinct
     * variants in all: a low-pitched male, a high-pitched female and a third of either, each with its
     * own pitch and rate), then festival's three voices. Distinct variants give each voice its own
     * timbre, so the speaker task is about the voice and not only about pitch.
     */
    public static List<Voice> voices() {
        List<Voice> v = new ArrayList<>();
        String[][] plan = {
            {"en-us", "m1", "22", "150", "f1", "72", "165", "klatt", "48", "155"},
            {"en-gb", "m2", "28", "145", "f2", "78", "170", "Andy", "40", "160"},
            {"en-gb-scotland", "m3", "20", "155", "f3", "68", "160", "Annie", "62", "150"},
            {"en-gb-x-rp", "m4", "32", "140", "f4", "80", "175", "Alex", "36", "165"},
            {"en-gb-x-gbclan", "m5", "24", "160", "f5", "70", "150", "Gene", "30", "145"},
            {"en-gb-x-gbcwmd", "m6", "30", "150", "steph", "74", "165", "Lee", "44", "170"},
            {"en-029", "m7", "26", "165", "klatt2", "66", "155", "Mario", "38", "150"},
            {"en-us-nyc", "edward", "34", "155", "klatt3", "76", "145", "robert", "28", "175"},
        };
        for (String[] p : plan) {
            for (int k = 1; k < p.length; k += 3) {
                v.add(new Voice(
                        p[0] + "-" + p[k].toLowerCase(Locale.ROOT),
                        "espeak-ng",
                        p[0] + "+" + p[k],
                        Integer.parseInt(p[k + 1]),
                        Integer.parseInt(p[k + 2])));
            }
        }
        v.add(new Voice("festival-kal", "festival", "kal_diphone", 0, 0));
        v.add(new Voice("festival-ked", "festival", "ked_diphone", 0, 0));
        v.add(new Voice("festival-slt", "festival", "cmu_us_slt_arctic_hts", 0, 0));
        return List.copyOf(v);
    }

    /** The perturbations besides the clean clip; each utterance gets the clean clip and {@code perturbations} of these. */
    public static final List<String> PERTURBATIONS = List.of("speed", "pitch", "tempo", "reverb", "noise");

    /** What to build: words, voices, perturbed copies per utterance (besides the clean one), and the seed. */
    public record Options(List<String> words, List<Voice> voices, int perturbations, long seed) {

        public static Options defaults() {
            return new Options(WORDS, SpeechCommandsSynth.voices(), 3, 1);
        }

        /**
         * A smaller set for quick runs: the first {@code words} words and {@code voices} voices (three
         * voices per accent, in order), {@code perturbations} perturbed copies per utterance.
         */
        public static Options small(int words, int voices, int perturbations, long seed) {
            List<Voice> all = SpeechCommandsSynth.voices();
            if (words < 2 || words > WORDS.size() || voices < 2 || voices > all.size()) {
                throw new IllegalArgumentException(NAME + ": a set needs 2–" + WORDS.size() + " words and 2–"
                        + all.size() + " voices; got " + words + " words and " + voices + " voices");
            }
            if (perturbations < 0 || perturbations > PERTURBATIONS.size()) {
                throw new IllegalArgumentException(NAME + ": perturbations per utterance must be 0–"
                        + PERTURBATIONS.size() + ", got " + perturbations);
            }
            return new Options(WORDS.subList(0, words), all.subList(0, voices), perturbations, seed);
        }
    }

    /** What a build made: the manifest, its SHA-256, and how many clips. */
    public record Built(Path dir, Path manifest, String sha256, int clips, double seconds) {}

    private SpeechCommandsSynth() {}

    /** Builds the dataset into {@code dir} (replacing what is there); progress lines go to {@code log}. */
    public static Built build(Path dir, Options o, java.util.function.Consumer<String> log) {
        long t0 = System.nanoTime();
        for (String tool : List.of("espeak-ng", "sox", "text2wave")) {
            if (!SpeechTools.onPath(tool)) {
                throw new IllegalStateException(NAME + " needs '" + tool
                        + "'; install the Debian packages: sudo apt-get install " + String.join(" ", PACKAGES));
            }
        }
        try {
            Path wav = dir.resolve("wav");
            if (Files.exists(wav)) {
                try (var walk = Files.walk(wav)) {
                    walk.sorted(java.util.Comparator.reverseOrder())
                            .forEach(p -> p.toFile().delete());
                }
            }
            Files.createDirectories(wav);
            StringBuilder manifest = new StringBuilder("file,word,voice,engine,perturbation,utterance,split,sha256\n");
            int clips = 0;
            for (int vi = 0; vi < o.voices().size(); vi++) {
                Voice v = o.voices().get(vi);
                Files.createDirectories(wav.resolve(v.name()));
                String[] splits = deal(o.words().size(), Seeds.stream(o.seed(), "split", vi));
                for (int wi = 0; wi < o.words().size(); wi++) {
                    String word = o.words().get(wi);
                    String utterance = v.name() + "/" + word;
                    float[] clean = Wav.fit(SpeechTools.speak(v, word));
                    SplittableRandom rng = Seeds.stream(o.seed(), "perturb", vi * 1000L + wi);
                    List<String> kinds = new ArrayList<>(PERTURBATIONS);
                    List<String> chosen = new ArrayList<>(List.of("clean"));
                    for (int k = 0; k < o.perturbations() && !kinds.isEmpty(); k++) {
                        chosen.add(kinds.remove(rng.nextInt(kinds.size())));
                    }
                    for (String kind : chosen) {
                        float[] x = SpeechTools.perturb(clean, kind, rng);
                        String file = "wav/" + v.name() + "/" + word + "-" + kind + ".wav";
                        byte[] bytes = Wav.bytes(x);
                        Files.write(dir.resolve(file), bytes);
                        manifest.append(String.join(
                                        ",",
                                        file,
                                        word,
                                        v.name(),
                                        v.engine(),
                                        kind,
                                        utterance,
                                        splits[wi],
                                        DataLocator.sha256(bytes)))
                                .append('\n');
                        clips++;
                    }
                }
                log.accept(String.format(
                        Locale.ROOT,
                        "%s: voice %d/%d (%s) done, %d clips",
                        NAME,
                        vi + 1,
                        o.voices().size(),
                        v.name(),
                        clips));
            }
            Path m = dir.resolve("manifest.csv");
            Files.writeString(m, manifest.toString());
            return new Built(dir, m, DataLocator.sha256(m), clips, (System.nanoTime() - t0) / 1e9);
        } catch (IOException e) {
            throw new UncheckedIOException("building " + NAME + " in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The two tasks: the word spoken (content) and who spoke it (speaker). */
    public enum Task {
        WORD,
        VOICE
    }

    /**
     * The built set as train, validation and test {@link LabeledData}: each clip's log-mel features
     * ({@code [frames × mels]} flattened, frame-major, so a {@code speech:} transformer with
     * {@code frame=mels,length=frames} reads them), standardised per band with the training split's
     * mean and deviation, labelled for {@code task}. Every file's SHA-256 is checked against the manifest.
     * Each clip's waveform ({@value #LENGTH} samples in [-1, 1]) is kept beside its features
     * ({@link LabeledData#waveforms()}), for teachers that listen to the audio.
     */
    public static Splits load(Path dir, Task task, LogMel mel) {
        return loadTasks(dir, mel).get(task);
    }

    /**
     * Both tasks at once, sharing one feature array per split (the same rows in the same order, so a
     * multi-task model can read word and voice labels side by side).
     */
    public static java.util.Map<Task, Splits> loadTasks(Path dir, LogMel mel) {
        Path manifest = dir == null ? null : dir.resolve("manifest.csv");
        if (manifest == null || !Files.isRegularFile(manifest)) {
            throw new DataUnavailableException(NAME + " is not built" + (dir == null ? "" : " in " + dir)
                    + "; build it with: ./distillery dataset build " + NAME);
        }
        List<String[]> rows;
        try {
            rows = Files.readAllLines(manifest).stream()
                    .skip(1)
                    .filter(l -> !l.isBlank())
                    .map(l -> l.split(","))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + manifest + ": " + e.getMessage(), e);
        }
        List<String> words = rows.stream().map(r -> r[1]).distinct().sorted().toList();
        List<String> voices = rows.stream().map(r -> r[2]).distinct().sorted().toList();
        int frames = mel.frames(LENGTH);
        int mels = mel.config().mels();
        int width = frames * mels;
        java.util.Map<String, List<Integer>> bySplit = new java.util.LinkedHashMap<>();
        float[][] feats = new float[rows.size()][];
        float[][] waves = new float[rows.size()][];
        for (int i = 0; i < rows.size(); i++) {
            String[] r = rows.get(i);
            Path file = dir.resolve(r[0]);
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (IOException e) {
                throw new DataUnavailableException(
                        file + " is missing; rebuild with: ./distillery dataset build " + NAME, e);
            }
            if (!DataLocator.sha256(bytes).equals(r[7])) {
                throw new DataUnavailableException(file + " does not match its SHA-256 in " + manifest
                        + "; rebuild with: ./distillery dataset build " + NAME);
            }
            float[] wave = java.util.Arrays.copyOf(Wav.read(file), LENGTH);
            waves[i] = wave;
            float[][] f = mel.compute(wave);
            float[] flat = new float[width];
            for (int t = 0; t < frames; t++) {
                System.arraycopy(f[t], 0, flat, t * mels, mels);
            }
            feats[i] = flat;
            bySplit.computeIfAbsent(r[6], k -> new ArrayList<>()).add(i);
        }
        // per-band standardisation from the training clips
        double[] mean = new double[mels];
        double[] sq = new double[mels];
        List<Integer> train = bySplit.getOrDefault("train", List.of());
        long count = (long) train.size() * frames;
        for (int i : train) {
            for (int j = 0; j < width; j++) {
                mean[j % mels] += feats[i][j];
                sq[j % mels] += (double) feats[i][j] * feats[i][j];
            }
        }
        double[] std = new double[mels];
        for (int m = 0; m < mels; m++) {
            mean[m] /= Math.max(1, count);
            std[m] = Math.sqrt(Math.max(1e-12, sq[m] / Math.max(1, count) - mean[m] * mean[m]));
        }
        String sha = DataLocator.sha256(manifest);
        java.util.Map<Task, java.util.Map<String, LabeledData>> parts = new java.util.EnumMap<>(Task.class);
        for (String split : List.of("train", "validation", "test")) {
            List<Integer> idx = bySplit.getOrDefault(split, List.of());
            float[] x = new float[idx.size() * width];
            float[] w = new float[idx.size() * LENGTH];
            int[] wordLabels = new int[idx.size()];
            int[] voiceLabels = new int[idx.size()];
            for (int n = 0; n < idx.size(); n++) {
                float[] f = feats[idx.get(n)];
                for (int j = 0; j < width; j++) {
                    x[n * width + j] = (float) ((f[j] - mean[j % mels]) / std[j % mels]);
                }
                System.arraycopy(waves[idx.get(n)], 0, w, n * LENGTH, LENGTH);
                String[] r = rows.get(idx.get(n));
                wordLabels[n] = words.indexOf(r[1]);
                voiceLabels[n] = voices.indexOf(r[2]);
            }
            org.nd4j.linalg.api.ndarray.INDArray features = org.nd4j.linalg.factory.Nd4j.create(
                    x, new long[] {idx.size(), width}, org.nd4j.linalg.api.buffer.DataType.FLOAT);
            org.nd4j.linalg.api.ndarray.INDArray waveforms = org.nd4j.linalg.factory.Nd4j.create(
                    w, new long[] {idx.size(), LENGTH}, org.nd4j.linalg.api.buffer.DataType.FLOAT);
            for (Task task : Task.values()) {
                boolean word = task == Task.WORD;
                parts.computeIfAbsent(task, k -> new java.util.LinkedHashMap<>())
                        .put(
                                split,
                                new LabeledData(
                                                NAME + "/" + split + " ("
                                                        + task.name().toLowerCase(Locale.ROOT) + ")",
                                                features,
                                                word ? wordLabels : voiceLabels,
                                                word ? words.size() : voices.size(),
                                                DataLocator.sha256(sha + "|" + split + "|" + task + "|" + mel.config()))
                                        .withWaveforms(waveforms));
            }
        }
        java.util.Map<Task, Splits> out = new java.util.EnumMap<>(Task.class);
        parts.forEach((task, p) -> out.put(task, new Splits(p.get("train"), p.get("validation"), p.get("test"))));
        return out;
    }

    /** A built set, loaded: where it is, its manifest's SHA-256, and both tasks over the same clips. */
    public record Loaded(Path dir, String sha256, java.util.Map<Task, Splits> tasks) {

        public Splits word() {
            return tasks.get(Task.WORD);
        }

        public Splits voice() {
            return tasks.get(Task.VOICE);
        }

        /** Clips per split, with the number of words and voices. */
        public tech.tablesaw.api.Table summary() {
            tech.tablesaw.api.StringColumn split = tech.tablesaw.api.StringColumn.create("split");
            tech.tablesaw.api.IntColumn clips = tech.tablesaw.api.IntColumn.create("clips");
            for (String name : List.of("train", "validation", "test")) {
                LabeledData d = name.equals("train")
                        ? word().train()
                        : name.equals("validation") ? word().validation() : word().test();
                split.append(name);
                clips.append(d.size());
            }
            return tech.tablesaw.api.Table.create(
                    NAME + ": " + word().train().numClasses() + " words × "
                            + voice().train().numClasses() + " voices, "
                            + word().train().inputSize() / 40 + " frames × 40 mels",
                    split,
                    clips);
        }

        @Override
        public String toString() {
            return summary().print() + "\n" + dir + "\nmanifest sha256 " + sha256;
        }
    }

    /** Builds the set in {@code dir} with {@code o} if it is missing there, then loads both tasks. */
    public static Loaded open(Path dir, Options o, java.util.function.Consumer<String> log) {
        ensureBuilt(dir, o, log);
        java.util.Map<Task, Splits> tasks = loadTasks(dir, new LogMel(LogMel.Config.speech(40)));
        return new Loaded(dir, DataLocator.sha256(dir.resolve("manifest.csv")), tasks);
    }

    /** The small set's default directory, beside the full one: {@code .../speech-commands-synth-small}. */
    public static Path smallDir() {
        return DataLocator.buildDir(NAME + "-small");
    }

    /** The small set quick runs use: all 20 words × 12 voices × (clean + 1 perturbation), 480 clips, seed 1. */
    public static Options smallOptions() {
        return Options.small(20, 12, 1, 1);
    }

    /** The set in {@code dir}, built there with {@code o} first if it has no manifest yet. */
    public static Path ensureBuilt(Path dir, Options o, java.util.function.Consumer<String> log) {
        if (!Files.isRegularFile(dir.resolve("manifest.csv"))) {
            log.accept(
                    NAME + ": not built in " + dir + "; building " + o.words().size() + " words × "
                            + o.voices().size() + " voices × " + (o.perturbations() + 1) + " versions");
            build(dir, o, log);
        }
        return dir;
    }

    /** The default build directory: {@code $DISTILLERY_DATA/speech-commands-synth}, else {@code ~/.cache/distillery/...}. */
    public static Path defaultDir() {
        return DataLocator.buildDir(NAME);
    }

    /** Per voice, the words dealt to splits: 80% train, 10% validation, 10% test (at least one word each). */
    static String[] deal(int words, SplittableRandom rng) {
        int[] order = new int[words];
        for (int i = 0; i < words; i++) {
            order[i] = i;
        }
        for (int i = words - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int held = Math.max(1, words / 10);
        String[] s = new String[words];
        for (int i = 0; i < words; i++) {
            s[order[i]] = i < held ? "test" : i < 2 * held ? "validation" : "train";
        }
        return s;
    }
}
