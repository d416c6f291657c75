package dev.distillery.teacher;

import dev.distillery.data.DataLocator;
import dev.distillery.data.TextTokenizer;
import dev.distillery.model.Layered;
import dev.distillery.model.Network;
import dev.distillery.spec.SpecException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A pretrained text encoder as a teacher: it reads token ids {@code [N, length]} (0 for padding,
 * made by its own {@link #tokenizer()}) and gives, by name, {@code embedding} and {@code layer{i}}
 * (hidden states {@code [length, D]}, zero at padding), {@code attention{i}} (attention probabilities
 * {@code [H, length, length]}, zero where the query or the key is padding) and {@code features} (the
 * L2-normalised sentence embedding {@code [D]}, pooled as the model was trained: {@code [CLS]} or the mean).
 * Runs in ONNX Runtime, {@link #batch()} sentences per call; has no classifier.
 */
public final class OnnxTeacher implements Layered {

    private final OnnxEncoder encoder;
    private final int length;
    private final long parameters;
    private int batch = 32;
    private Consumer<String> progress = s -> {};

    /** {@code encoder} (loaded with hidden states) reading {@code length} tokens per sentence. */
    public OnnxTeacher(OnnxEncoder encoder, int length) {
        this(encoder, length, encoder.parameterCount());
    }

    private OnnxTeacher(OnnxEncoder encoder, int length, long parameters) {
        if (length < 3 || length > encoder.maxLength()) {
            throw new SpecException(encoder.name() + " reads between 3 and " + encoder.maxLength()
                    + " tokens per sentence; got " + length);
        }
        this.encoder = encoder;
        this.length = length;
        this.parameters = parameters;
    }

    /** The same encoder reading {@code n} tokens per sentence (output shapes follow). */
    public OnnxTeacher withLength(int n) {
        OnnxTeacher t = new OnnxTeacher(encoder, n, parameters);
        t.batch = batch;
        t.progress = progress;
        return t;
    }

    /** Sentences per ONNX Runtime call. */
    public OnnxTeacher batch(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("batch must be positive, got " + n);
        }
        this.batch = n;
        return this;
    }

    public int batch() {
        return batch;
    }

    /** Where long passes report how far they are (a line every ~10 seconds). */
    public OnnxTeacher progress(Consumer<String> log) {
        this.progress = log == null ? s -> {} : log;
        return this;
    }

    public OnnxEncoder encoder() {
        return encoder;
    }

    /** Tokens per sentence this teacher reads. */
    public int length() {
        return length;
    }

    public int width() {
        return encoder.width();
    }

    /** The model's own tokenizer, truncating at {@link #length()}: it makes the ids this teacher and its students read. */
    public TextTokenizer tokenizer() {
        return encoder.tokenizer(length);
    }

    /** embedding, then each layer followed by its attention maps (when the graph shows them), then features. */
    @Override
    public List<String> outputNames() {
        List<String> names = new ArrayList<>();
        List<String> hidden = encoder.hiddenStateNames();
        List<String> maps = encoder.attentionNames();
        for (int i = 0; i < hidden.size(); i++) {
            names.add(hidden.get(i));
            if (i > 0 && i - 1 < maps.size()) {
                names.add(maps.get(i - 1));
            }
        }
        names.add(Network.FEATURES);
        return names;
    }

    @Override
    public long[] outputShape(String name) {
        check(name);
        if (name.startsWith("attention")) {
            return new long[] {encoder.heads(), length, length};
        }
        return name.equals(Network.FEATURES) ? new long[] {width()} : new long[] {length, width()};
    }

    private void check(String name) {
        if (!outputNames().contains(name)) {
            throw new SpecException(
                    describe() + " has no output '" + name + "'; it has " + String.join(", ", outputNames())
                            + (name.equals(Network.LOGITS)
                                    ? " (a sentence encoder has no classifier: distil its features or layers)"
                                    : ""));
        }
    }

    @Override
    public Map<String, INDArray> outputs(INDArray ids, List<String> names) {
        names.forEach(this::check);
        if (ids.rank() != 2 || ids.columns() != length) {
            throw new SpecException(describe() + " reads token ids [N, " + length + "]; got "
                    + java.util.Arrays.toString(ids.shape())
                    + " (make the ids with this teacher's tokenizer at its length, "
                    + "or use withLength(" + ids.columns() + "))");
        }
        int n = ids.rows();
        List<String> exposed =
                names.stream().filter(s -> !s.equals(Network.FEATURES)).toList();
        Map<String, float[]> out = new LinkedHashMap<>();
        for (String name : names) {
            long w = 1;
            for (long d : outputShape(name)) {
                w *= d;
            }
            out.put(name, new float[Math.toIntExact(n * w)]);
        }
        long start = System.nanoTime();
        long lastReport = start;
        for (int s = 0; s < n; s += batch) {
            int e = Math.min(n, s + batch);
            OnnxEncoder.Batch b = encoder.fromIds(
                    ids.get(
                            org.nd4j.linalg.indexing.NDArrayIndex.interval(s, e),
                            org.nd4j.linalg.indexing.NDArrayIndex.all()),
                    exposed);
            for (String name : names) {
                float[][][] v = b.outputs().get(name.equals(Network.FEATURES) ? OnnxEncoder.SENTENCE : name);
                float[] dst = out.get(name);
                int per = dst.length / n;
                for (int i = 0; i < v.length; i++) {
                    int at = (s + i) * per;
                    for (float[] row : v[i]) {
                        System.arraycopy(row, 0, dst, at, row.length);
                        at += row.length;
                    }
                }
            }
            long now = System.nanoTime();
            if (now - lastReport > 10_000_000_000L || (e == n && now - start > 10_000_000_000L)) {
                lastReport = now;
                progress.accept(String.format(
                        "%s: %,d / %,d sentences (%.0f per second)", encoder.name(), e, n, e / ((now - start) / 1e9)));
            }
        }
        Map<String, INDArray> result = new LinkedHashMap<>();
        out.forEach((name, v) ->
                result.put(name, Nd4j.create(v, new long[] {n, v.length / Math.max(1, n)}, DataType.FLOAT)));
        return result;
    }

    @Override
    public long parameterCount() {
        return parameters;
    }

    @Override
    public String describe() {
        return encoder.name() + " (ONNX, " + encoder.depthOrZero() + " layers × " + width() + ", "
                + encoder.pooling().name().toLowerCase(java.util.Locale.ROOT) + " pooling, " + length + " tokens)";
    }

    @Override
    public String compact() {
        return "onnx:" + encoder.name() + ",length=" + length;
    }

    /** The ONNX file's SHA-256, the pooling and the length: what decides the outputs. */
    @Override
    public String fingerprint() {
        return DataLocator.sha256(encoder.modelSha256() + "|" + encoder.pooling() + "|" + length);
    }

    @Override
    public String toString() {
        return describe() + String.format(", %,d parameters", parameters);
    }
}
