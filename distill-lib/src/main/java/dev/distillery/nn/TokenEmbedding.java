package dev.distillery.nn;

import dev.distillery.tensor.Var;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Token ids {@code [B, L]} (0 for padding) to {@code tokens[id] + positions[i]}, with the padding
 * they carry: which positions are real, the attention bias that hides padding, and how many real
 * tokens each row has.
 */
public final class TokenEmbedding extends Module implements SequenceEmbedding {

    /** The id that marks padding. */
    public static final int PAD = 0;

    private final int vocab;
    private final int length;
    private final int width;
    private final Parameter tokens;
    private final Parameter positions;

    public TokenEmbedding(int vocab, int length, int width) {
        this.vocab = vocab;
        this.length = length;
        this.width = width;
        this.tokens = parameter("tokens", Init.normal(0.02), vocab, width);
        this.positions = parameter("positions", Init.normal(0.02), length, width);
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public Embedded forward(Forward f, Var ids) {
        long b = f.batch();
        float[] values = ids.value().dup('c').data().asFloat();
        int[] flat = new int[(int) (b * length)];
        float[] m = new float[flat.length];
        float[] bs = new float[flat.length];
        float[] n = new float[(int) b];
        for (int i = 0; i < flat.length; i++) {
            float id = values[i];
            flat[i] = (int) id;
            if (flat[i] != id || flat[i] < 0 || flat[i] >= vocab) {
                throw new IllegalArgumentException(
                        "input " + id + " at row " + (i / length) + ", position " + (i % length)
                                + " is not a token id of the " + vocab + "-word vocabulary; text inputs are token ids "
                                + "(0 for padding), as the teacher's tokenizer gives them");
            }
            boolean real = flat[i] != PAD;
            m[i] = real ? 1f : 0f;
            bs[i] = real ? 0f : -1e9f;
            n[i / length] += m[i];
        }
        for (int i = 0; i < n.length; i++) {
            n[i] = Math.max(1f, n[i]);
        }
        Embedded.Padding padding = new Embedded.Padding(
                f.tape().constant(Nd4j.create(m, new long[] {b, length, 1}, DataType.FLOAT)),
                f.tape().constant(Nd4j.create(bs, new long[] {b, 1, 1, length}, DataType.FLOAT)),
                f.tape().constant(Nd4j.create(n, new long[] {b, 1}, DataType.FLOAT)));
        Var hidden = f.value(tokens).rows(flat).reshape(b, length, width).add(f.value(positions));
        return new Embedded(hidden, padding);
    }

    /**
     * Token ids (floats, as the model's input) cast to integers and looked up; padding (id 0) gives the
     * mask, the attention bias and the real-token count, as {@link #forward} computes them.
     */
    @Override
    public Embedded.Onnx exportOnnx(OnnxWriter w, String input) {
        String ids = w.node("Cast", java.util.List.of(input), Map.of("to", 7L)); // INT64
        String hidden = w.node(
                "Add",
                w.node("Gather", java.util.List.of(w.parameter(tokens), ids), Map.of("axis", 0L)),
                w.parameter(positions));
        String pad = w.node("Equal", ids, w.ints(PAD));
        String real = w.node("Cast", java.util.List.of(w.node("Not", pad)), Map.of("to", 1L)); // FLOAT
        String keep = w.node("Unsqueeze", real, w.ints(2));
        String bias = w.node(
                "Unsqueeze",
                w.node("Mul", w.node("Cast", java.util.List.of(pad), Map.of("to", 1L)), w.scalar(-1e9f)),
                w.ints(1, 2));
        String count = w.node(
                "Max", w.node("ReduceSum", java.util.List.of(real, w.ints(1)), Map.of("keepdims", 1L)), w.scalar(1f));
        return new Embedded.Onnx(hidden, keep, bias, count);
    }

    public Parameter tokens() {
        return tokens;
    }

    @Override
    public Map<String, Object> settings() {
        return ordered("vocab", vocab, "length", length, "width", width);
    }
}
