package dev.distillery.kernel.magics;

import dev.distillery.data.SpeechCommandsSynth;
import dev.distillery.kernel.display.LiveProgress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "%dataset",
        description = {
            "Build or load a dataset made here: speech-commands-synth (20 keywords spoken "
                    + "by 27 synthetic voices, perturbed; built with espeak-ng, festival and sox).",
            "Loading builds the set first if it is missing, then keeps both tasks (word, voice) so that "
                    + "--data speech-commands-synth/word and /voice reuse them."
        },
        footer = {
            "",
            "Examples:",
            "  %%dataset speech-commands-synth --small",
            "  var speech = %%dataset speech-commands-synth",
            "  %%dataset build speech-commands-synth --dir data/scs --seed 2"
        })
final class DatasetMagic extends Magic {

    @Parameters(
            arity = "1..2",
            paramLabel = "[build] NAME",
            description = "speech-commands-synth, or build speech-commands-synth " + "to (re)build it")
    List<String> words;

    @Option(
            names = "--small",
            description = "the small set quick runs use: 20 words × 12 voices × 2 versions (480 clips)")
    boolean small;

    @Option(
            names = {"--dir", "--out"},
            paramLabel = "DIR",
            description = "where the set is (default: $DISTILLERY_DATA/NAME, "
                    + "else ~/.cache/distillery/NAME; NAME-small with --small)")
    Path dir;

    @Option(
            names = "--seed",
            paramLabel = "SEED",
            defaultValue = "1",
            description =
                    "perturbation and split seed of a "
                            + "build (default: ${DEFAULT-VALUE}); a set already built keeps its own; a set loaded in this kernel is reused unless build is given")
    long seed;

    @Override
    public SpeechCommandsSynth.Loaded run(String body) {
        boolean build = words.size() == 2;
        String name = words.get(words.size() - 1);
        if (build && !words.get(0).equals("build")) {
            throw new MagicUsageException(
                    "%dataset",
                    "'" + words.get(0) + "' is not an action; use %dataset build " + name + " or %dataset " + name,
                    ctx.catalog().line("dataset").usage());
        }
        if (!name.equals(SpeechCommandsSynth.NAME)) {
            throw new MagicUsageException(
                    "%dataset",
                    "no dataset '" + name + "' is made here; known: " + SpeechCommandsSynth.NAME
                            + " (Fashion-MNIST comes from its Debian package: --data fashion-mnist)",
                    ctx.catalog().line("dataset").usage());
        }
        Path where = dir != null
                ? dir.toAbsolutePath()
                : small ? SpeechCommandsSynth.smallDir() : SpeechCommandsSynth.defaultDir();
        SpeechCommandsSynth.Options base =
                small ? SpeechCommandsSynth.smallOptions() : SpeechCommandsSynth.Options.defaults();
        SpeechCommandsSynth.Options o =
                new SpeechCommandsSynth.Options(base.words(), base.voices(), base.perturbations(), seed);
        SpeechCommandsSynth.Loaded kept = ctx.workbench().speechSet(where);
        if (!build
                && kept != null
                && Files.isRegularFile(where.resolve("manifest.csv"))
                && kept.sha256().equals(dev.distillery.data.DataLocator.sha256(where.resolve("manifest.csv")))) {
            return kept;
        }
        LiveProgress progress = ctx.progress("%dataset " + name);
        if (build || !Files.isRegularFile(where.resolve("manifest.csv"))) {
            SpeechCommandsSynth.Built b = SpeechCommandsSynth.build(where, o, progress::message);
            progress.message(
                    String.format("built %,d clips in %.0f s; manifest sha256 %s", b.clips(), b.seconds(), b.sha256()));
        }
        SpeechCommandsSynth.Loaded loaded = SpeechCommandsSynth.open(where, o, progress::message);
        ctx.workbench().putSpeechSet(loaded, where.equals(SpeechCommandsSynth.defaultDir()));
        progress.done(String.format(
                "%s: %,d training, %,d validation, %,d test clips in %s; use --data %s/word:dir=%s",
                name,
                loaded.word().train().size(),
                loaded.word().validation().size(),
                loaded.word().test().size(),
                where,
                name,
                where));
        return loaded;
    }
}
