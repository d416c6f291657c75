package dev.distillery.model;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.distillery.nn.Classifier;
import dev.distillery.nn.ClassifierHead;
import dev.distillery.nn.Model;
import dev.distillery.spec.SpecException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a model is, as data: readable and writable as JSON and YAML, and as a compact string
 * ({@code mlp:800x800}, {@code mlp:64,dropout=0.2}, {@code cnn:32x64,dense=128}).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = MlpSpec.class, name = "mlp"),
    @JsonSubTypes.Type(value = CnnSpec.class, name = "cnn"),
    @JsonSubTypes.Type(value = TransformerSpec.class, name = "transformer"),
    @JsonSubTypes.Type(value = MultiHeadSpec.class, name = "multihead"),
    @JsonSubTypes.Type(value = StackSpec.class, name = "stack")
})
public sealed interface ModelSpec permits MlpSpec, CnnSpec, TransformerSpec, MultiHeadSpec, StackSpec {

    List<String> ACTIVATIONS = List.of("relu", "tanh", "sigmoid", "gelu");

    Integer inputs();

    Integer outputs();

    /** A short human name, e.g. {@code mlp 784-64-10}. */
    String describe();

    /** The compact string form, which {@link #parse} reads back. */
    String compact();

    /** The modules this spec describes, with a single classifier head (a multi-head spec: its heads). */
    default Model compose() {
        return compose(ClassifierHead.SINGLE);
    }

    /** The modules this spec describes, with the classifier {@code heads} builds. */
    Model compose(Classifier.Factory heads);

    /** Trainable parameters, computed from the spec alone; equal to {@code Network.build(spec).parameterCount()}. */
    long parameterCount();

    /**
     * Reads the compact form: {@code KIND:SIZES[,key=value...]}, sizes separated by {@code x}.
     * Keys: {@code dropout}, {@code activation}, {@code inputs}, {@code outputs}; for cnn also
     * {@code kernel}, {@code dense}; for cnn and vit {@code shape} (the images, {@code 3x32x32}: channels,
     * height, width; default: square single-channel images of {@code inputs} pixels); for vit ({@code vit:DEPTHxWIDTH}) {@code heads}, {@code ffn}
     * (ratio), {@code patch}, {@code norm} (pre or post), {@code stride} (time reduction); speech
     * ({@code speech:DEPTHxWIDTH,frame=F,length=L}, L frames of F features in) takes the vit keys but patch;
     * text ({@code text:DEPTHxWIDTH,length=L,vocab=V}, L token ids in) takes heads, ffn, norm.
     * {@code multihead:K[,combine=learned]:BODY} gives any body K classifier heads ({@link MultiHeadSpec}).
     * {@code stack:STEP>STEP>…} is a student composed from modules ({@link StackSpec}, built by {@link Student}).
     */
    static ModelSpec parse(String text) {
        String s = text.trim();
        if (s.toLowerCase(Locale.ROOT).startsWith("multihead:")) {
            return MultiHeadSpec.parseCompact(s);
        }
        if (s.toLowerCase(Locale.ROOT).startsWith("stack:")) {
            return StackSpec.parseCompact(s);
        }
        int colon = s.indexOf(':');
        if (colon < 0) {
            throw new SpecException(
                    "model spec '" + text + "' needs a kind and sizes, e.g. mlp:800x800 or cnn:32x64,dense=128");
        }
        String kind = s.substring(0, colon).toLowerCase(Locale.ROOT);
        String[] parts = s.substring(colon + 1).split(",");
        List<Integer> sizes = sizes(parts[0], text);
        Integer inputs = null;
        Integer outputs = null;
        String activation = null;
        Double dropout = null;
        Integer kernel = null;
        List<Integer> dense = null;
        Integer heads = null;
        Double ffn = null;
        Integer patch = null;
        Boolean preNorm = null;
        Integer frame = null;
        Integer length = null;
        Integer stride = null;
        Integer vocab = null;
        ImageShape shape = null;
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            if (kv.length != 2) {
                throw new SpecException("model spec '" + text + "': '" + parts[i] + "' should be key=value");
            }
            String key = kv[0].trim();
            String value = kv[1].trim();
            try {
                switch (key) {
                    case "dropout" -> dropout = Double.parseDouble(value);
                    case "activation" -> activation = value;
                    case "inputs" -> inputs = Integer.parseInt(value);
                    case "outputs" -> outputs = Integer.parseInt(value);
                    case "kernel" -> kernel = Integer.parseInt(value);
                    case "dense" -> dense = sizes(value, text);
                    case "heads" -> heads = Integer.parseInt(value);
                    case "ffn" -> ffn = Double.parseDouble(value);
                    case "patch" -> patch = Integer.parseInt(value);
                    case "frame" -> frame = Integer.parseInt(value);
                    case "length" -> length = Integer.parseInt(value);
                    case "stride" -> stride = Integer.parseInt(value);
                    case "vocab" -> vocab = Integer.parseInt(value);
                    case "shape" -> shape = ImageShape.parse(value);
                    case "norm" -> {
                        if (!value.equals("pre") && !value.equals("post")) {
                            throw new SpecException(
                                    "model spec '" + text + "': norm is pre or post, got '" + value + "'");
                        }
                        preNorm = value.equals("pre");
                    }
                    default ->
                        throw new SpecException("model spec '" + text + "': unknown key '" + key
                                + "'; known keys: dropout, activation, inputs, outputs, kernel, dense, heads, ffn, patch, norm, "
                                + "frame, length, stride, vocab, shape");
                }
            } catch (NumberFormatException e) {
                throw new SpecException("model spec '" + text + "': '" + value + "' is not a number for " + key);
            }
        }
        boolean transformer = kind.equals("vit") || kind.equals("speech") || kind.equals("text");
        if (!transformer && (heads != null || ffn != null || patch != null || preNorm != null || stride != null)) {
            throw new SpecException(
                    "model spec '" + text + "': heads, ffn, patch, norm and stride are transformer keys "
                            + "(vit, speech, text), not " + kind);
        }
        if (!kind.equals("speech") && frame != null) {
            throw new SpecException("model spec '" + text + "': frame is a speech key, not " + kind);
        }
        if (!kind.equals("speech") && !kind.equals("text") && length != null) {
            throw new SpecException("model spec '" + text + "': length is a speech or text key, not " + kind);
        }
        if (!kind.equals("cnn") && !kind.equals("vit") && shape != null) {
            throw new SpecException(
                    "model spec '" + text + "': shape (CxHxW) is an image key of cnn and vit, not " + kind);
        }
        if (!kind.equals("text") && vocab != null) {
            throw new SpecException("model spec '" + text + "': vocab is a text key, not " + kind);
        }
        if (kind.equals("text")) {
            if (sizes.size() != 2 || length == null || vocab == null) {
                throw new SpecException(
                        "model spec '" + text + "': text takes DEPTHxWIDTH,length=L,vocab=V (L token ids "
                                + "per example from a V-word vocabulary), e.g. text:2x128,length=64,vocab=30522");
            }
            if (patch != null) {
                throw new SpecException("model spec '" + text + "': patch is a vit key, not text");
            }
            return new TransformerSpec(
                    length,
                    sizes.get(0),
                    sizes.get(1),
                    heads,
                    ffn,
                    null,
                    preNorm,
                    outputs,
                    activation,
                    dropout,
                    TransformerSpec.TOKENS,
                    null,
                    stride,
                    vocab);
        }
        if (kind.equals("speech")) {
            if (sizes.size() != 2) {
                throw new SpecException(
                        "model spec '" + text + "': " + kind + " takes DEPTHxWIDTH, e.g. " + kind + ":4x64");
            }
            if (length == null) {
                throw new SpecException("model spec '" + text + "': speech needs length=N (frames per example)");
            }
            if (frame == null) {
                throw new SpecException(
                        "model spec '" + text + "': speech needs frame=N (features per frame, e.g. 40 mel bands)");
            }
            return new TransformerSpec(
                    length * frame,
                    sizes.get(0),
                    sizes.get(1),
                    heads,
                    ffn,
                    null,
                    preNorm,
                    outputs,
                    activation,
                    dropout,
                    TransformerSpec.FRAMES,
                    frame,
                    stride);
        }
        return switch (kind) {
            case "mlp" -> {
                if (kernel != null || dense != null) {
                    throw new SpecException("model spec '" + text + "': kernel and dense are cnn keys, not mlp");
                }
                yield new MlpSpec(inputs, sizes, outputs, activation, dropout);
            }
            case "cnn" -> new CnnSpec(inputs, sizes, kernel, null, dense, outputs, activation, dropout, shape);
            case "vit" -> {
                if (sizes.size() != 2) {
                    throw new SpecException("model spec '" + text + "': vit takes DEPTHxWIDTH, e.g. vit:4x64");
                }
                yield new TransformerSpec(
                        inputs,
                        sizes.get(0),
                        sizes.get(1),
                        heads,
                        ffn,
                        patch,
                        preNorm,
                        outputs,
                        activation,
                        dropout,
                        null,
                        null,
                        stride,
                        null,
                        shape);
            }
            default ->
                throw new SpecException("model spec '" + text + "': unknown kind '" + kind
                        + "'; known kinds: mlp, cnn, vit, speech, text, multihead, stack");
        };
    }

    private static List<Integer> sizes(String text, String whole) {
        List<Integer> out = new ArrayList<>();
        if (text.isBlank()) {
            return out;
        }
        // -1 keeps empty pieces: "800x800x" has a missing last size, not two sizes
        for (String p : text.split("x", -1)) {
            if (p.isBlank()) {
                throw new SpecException("model spec '" + whole + "': a size is missing in '" + text
                        + "' (sizes are joined by x, e.g. 800x800); remove the stray x or add the size");
            }
            try {
                out.add(Integer.parseInt(p.trim()));
            } catch (NumberFormatException e) {
                throw new SpecException("model spec '" + whole + "': size '" + p + "' is not a whole number");
            }
        }
        return out;
    }

    static void checkPositive(String spec, String field, Integer value) {
        if (value == null || value <= 0) {
            throw new SpecException(spec + " spec: " + field + " must be a positive whole number, got " + value);
        }
    }

    static void checkSizes(String spec, String field, List<Integer> sizes) {
        for (int i = 0; i < sizes.size(); i++) {
            Integer v = sizes.get(i);
            if (v == null || v <= 0) {
                throw new SpecException(spec + " spec: " + field + " size " + v + " at position " + (i + 1)
                        + " must be a positive whole number");
            }
        }
    }

    static String checkActivation(String spec, String activation) {
        String a = activation == null ? "relu" : activation.toLowerCase(Locale.ROOT);
        if (!ACTIVATIONS.contains(a)) {
            throw new SpecException(spec + " spec: unknown activation '" + activation + "'; known: " + ACTIVATIONS);
        }
        return a;
    }

    static double checkDropout(String spec, Double dropout) {
        double d = dropout == null ? 0.0 : dropout;
        if (!(d >= 0.0 && d < 1.0)) {
            throw new SpecException(spec + " spec: dropout must be in [0, 1), got " + dropout);
        }
        return d;
    }
}
