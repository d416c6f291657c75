package dev.distillery.data;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A model's own tokenizer ({@code tokenizer.json}, read by DJL's HuggingFace tokenizers) with
 * truncation at {@link #maxLength()} tokens, special tokens included: longer sentences lose their
 * end. Padding is never added by the tokenizer (some shipped files pad everything to a fixed
 * length); {@link #ids} pads with 0 ({@code [PAD]}) to the length asked for.
 */
public final class TextTokenizer implements AutoCloseable {

    private final HuggingFaceTokenizer tokenizer;
    private final int maxLength;
    private final String source;

    private TextTokenizer(HuggingFaceTokenizer tokenizer, int maxLength, String source) {
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
        this.source = source;
    }

    /** Reads {@code tokenizerJson}; {@code source} names it in errors and fingerprints. */
    public static TextTokenizer read(InputStream tokenizerJson, int maxLength, String source) {
        if (maxLength < 3) {
            throw new IllegalArgumentException(
                    "a tokenizer's maximum length must leave room for [CLS], a token and [SEP]; got " + maxLength);
        }
        Map<String, String> opts = new LinkedHashMap<>();
        opts.put("truncation", "true");
        opts.put("padding", "false");
        opts.put("maxLength", String.valueOf(maxLength));
        opts.put("modelMaxLength", String.valueOf(maxLength));
        try {
            return new TextTokenizer(HuggingFaceTokenizer.newInstance(tokenizerJson, opts), maxLength, source);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(
                    "the tokenizer " + source + " cannot be read (" + e.getMessage()
                            + "); give the model's tokenizer.json",
                    e);
        }
    }

    public int maxLength() {
        return maxLength;
    }

    /** Where this tokenizer came from, e.g. {@code bge-small-en-v1.5}. */
    public String source() {
        return source;
    }

    /** Token ids of {@code sentence} (special tokens included, truncated). */
    public long[] tokens(String sentence) {
        return tokenizer.encode(sentence).getIds();
    }

    /** The encodings of a batch: ids, attention mask and token types, unpadded. */
    public Encoding[] encode(List<String> sentences) {
        return tokenizer.batchEncode(sentences);
    }

    /**
     * Token ids of every sentence as a float matrix {@code [N, length]}, padded with 0 and truncated at
     * {@code length} (at most {@link #maxLength()}): the input of a text student and of an ONNX teacher.
     */
    public INDArray ids(List<String> sentences, int length) {
        if (length > maxLength) {
            throw new IllegalArgumentException(
                    "asked for " + length + " tokens per sentence, but " + source + " truncates at " + maxLength);
        }
        float[] out = new float[sentences.size() * length];
        int batch = 256;
        for (int s = 0; s < sentences.size(); s += batch) {
            Encoding[] enc = encode(sentences.subList(s, Math.min(sentences.size(), s + batch)));
            for (int i = 0; i < enc.length; i++) {
                long[] ids = enc[i].getIds();
                int n = Math.min(length, ids.length);
                for (int j = 0; j < n; j++) {
                    out[(s + i) * length + j] = ids[j];
                }
                if (ids.length > length) {
                    out[(s + i) * length + length - 1] = ids[ids.length - 1]; // keep [SEP] last, as the model expects
                }
            }
        }
        return Nd4j.create(out, new long[] {sentences.size(), length}, DataType.FLOAT);
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    @Override
    public String toString() {
        return "tokenizer " + source + " (truncates at " + maxLength + " tokens)";
    }
}
