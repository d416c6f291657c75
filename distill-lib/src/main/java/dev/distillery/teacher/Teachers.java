package dev.distillery.teacher;

import dev.distillery.data.Splits;
import dev.distillery.eval.Accuracy;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.Network;
import dev.distillery.provenance.Provenance;
import dev.distillery.train.CrossEntropy;
import dev.distillery.train.Trainer;
import dev.distillery.train.TrainingListener;
import dev.distillery.train.TrainingOptions;
import dev.distillery.train.TrainingOutcome;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Teacher sources: trained here from a spec (cross-entropy on the labels), or loaded from a file. */
public final class Teachers {

    /** A trained teacher and how its training went. */
    public record Trained(Teacher teacher, TrainingOutcome outcome, double testAccuracy) {}

    private Teachers() {}

    /** Tokens per sentence a pretrained teacher reads unless told otherwise. */
    public static final int DEFAULT_LENGTH = 64;

    /**
     * A pretrained encoder the class path carries ({@link PretrainedEncoders}: bge-small-en-v1.5,
     * all-minilm-l6-v2 and their int8 {@code -q} variants), with every layer's hidden states exposed,
     * reading {@value #DEFAULT_LENGTH} tokens per sentence, on all cores. Nothing is downloaded.
     */
    public static Teacher pretrained(String name) {
        return pretrained(name, DEFAULT_LENGTH, Runtime.getRuntime().availableProcessors());
    }

    /**
     * As {@link #pretrained(String)}, reading {@code length} tokens per sentence on {@code threads}
     * threads; the speech teacher ({@code speech-embedding}) reads one-second clips and ignores
     * {@code length}.
     */
    public static Teacher pretrained(String name, int length, int threads) {
        PretrainedEncoders.Pretrained p = PretrainedEncoders.get(name);
        if (p instanceof PretrainedEncoders.Listening) {
            return speech(threads, s -> {});
        }
        OnnxEncoder e = OnnxEncoder.pretrained(name, threads, true);
        return onnxTeacher(name, new OnnxTeacher(e, length), "pretrained " + p.source());
    }

    /**
     * The pretrained speech teacher {@code speech-embedding} ({@link SpeechEmbedding}) for the speech
     * set's one-second clips, on {@code threads} threads; fetched into the cache first if missing
     * ({@code log} says so).
     */
    public static Teacher speech(int threads, java.util.function.Consumer<String> log) {
        return speech(dev.distillery.data.SpeechCommandsSynth.LENGTH, threads, log);
    }

    /** The pretrained speech teacher for clips of {@code samples} samples at 16 kHz. */
    public static Teacher speech(int samples, int threads, java.util.function.Consumer<String> log) {
        SpeechEmbedding m = SpeechEmbedding.open(samples, threads, log);
        return onnxTeacher(SpeechEmbedding.NAME, m, "pretrained npm " + SpeechEmbedding.PACKAGE.spec());
    }

    /**
     * Any BERT-style text encoder exported to ONNX: {@code model} with the {@code tokenizer.json}
     * beside it (named {@code tokenizer.json} or {@code <model>-tokenizer.json}), {@code [CLS]} pooling,
     * {@value #DEFAULT_LENGTH} tokens. Hidden states are exposed when the graph's node names show them.
     */
    public static Teacher onnx(java.nio.file.Path model) {
        java.nio.file.Path tok = tokenizerBeside(model);
        if (!java.nio.file.Files.isRegularFile(tok) && java.nio.file.Files.isRegularFile(model)) {
            throw new dev.distillery.spec.SpecException("no tokenizer for " + model
                    + ": put the model's tokenizer.json beside it " + "(as tokenizer.json or " + tok.getFileName()
                    + "), or use onnx(model, tokenizer, pooling, length, threads)");
        }
        return onnx(
                model,
                tok,
                OnnxEncoder.Pooling.CLS,
                DEFAULT_LENGTH,
                Runtime.getRuntime().availableProcessors());
    }

    /** The tokenizer an ONNX file is read with by default: {@code <model>-tokenizer.json} beside it if there is one, else {@code tokenizer.json}. */
    public static java.nio.file.Path tokenizerBeside(java.nio.file.Path model) {
        String base = model.getFileName().toString().replaceFirst("\\.onnx$", "");
        java.nio.file.Path dir = model.toAbsolutePath().getParent();
        java.nio.file.Path named = dir.resolve(base + "-tokenizer.json");
        return java.nio.file.Files.isRegularFile(named) ? named : dir.resolve("tokenizer.json");
    }

    /** Any BERT-style text encoder exported to ONNX, with its tokenizer, pooling, length and threads given. */
    public static Teacher onnx(
            java.nio.file.Path model,
            java.nio.file.Path tokenizer,
            OnnxEncoder.Pooling pooling,
            int length,
            int threads) {
        OnnxEncoder e;
        try {
            e = OnnxEncoder.onnx(model, tokenizer, pooling, Math.max(length, 512), threads, true);
        } catch (dev.distillery.spec.SpecException noLayers) {
            if (!noLayers.getMessage().startsWith("no hidden states")) {
                throw noLayers;
            }
            e = OnnxEncoder.onnx(model, tokenizer, pooling, Math.max(length, 512), threads, false);
        }
        String name = model.getFileName().toString().replaceFirst("\\.onnx$", "");
        return onnxTeacher(name, new OnnxTeacher(e, length), "ONNX file " + model.toAbsolutePath());
    }

    /**
     * Any ONNX model whose input is a float tensor (an image classifier, an audio or tabular model)
     * as a teacher, read as {@code options} say: layout, size, normalisation, and which graph nodes
     * are its {@code logits}, {@code features} and layers. A model that reads token ids is a text
     * encoder: {@link #onnx(java.nio.file.Path)}.
     */
    public static Teacher onnxModel(java.nio.file.Path model, OnnxModel.Options options) {
        OnnxModel m = OnnxModel.load(model, options);
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("parameters", (double) m.parameterCount());
        String name = model.getFileName().toString().replaceFirst("\\.onnx$", "");
        Provenance p = Provenance.of(
                name,
                "teacher",
                0,
                "ONNX file " + model.toAbsolutePath(),
                m.fingerprint(),
                "pretrained",
                null,
                0,
                metrics);
        return new Teacher(name, m, p);
    }

    private static Teacher onnxTeacher(String name, dev.distillery.model.Layered t, String source) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("parameters", (double) t.parameterCount());
        Provenance p = Provenance.of(name, "teacher", 0, source, t.fingerprint(), "pretrained", null, 0, metrics);
        return new Teacher(name, t, p);
    }

    /** Trains {@code spec} on all labels of {@code data.train()}, keeps the best epoch by validation accuracy. */
    public static Trained train(
            String name, ModelSpec spec, Splits data, TrainingOptions options, List<TrainingListener> listeners) {
        Network net = Network.build(spec, options.seed());
        TrainingOutcome out = new Trainer(net, new CrossEntropy(), options.stage("teacher " + name))
                .listeners(listeners)
                .fit(data.train().labeledOnly(), null, data.validation(), null);
        double test =
                Accuracy.of(net.logits(data.test().features()), data.test().labels());
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("test_accuracy", test);
        metrics.put("val_accuracy", out.bestValAccuracy());
        metrics.put("parameters", (double) net.parameterCount());
        Provenance p = Provenance.of(
                name,
                "teacher",
                options.seed(),
                data.train().name(),
                data.fingerprint(),
                "cross-entropy",
                null,
                out.curve().size(),
                metrics);
        return new Trained(new Teacher(name, net, p), out, test);
    }
}
