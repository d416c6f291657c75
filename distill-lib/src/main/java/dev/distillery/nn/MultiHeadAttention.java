package dev.distillery.nn;

import dev.distillery.tensor.Var;
import java.util.Map;

/**
 * Scaled dot-product self-attention with {@code heads} heads: projections {@code q}, {@code k},
 * {@code v} and the output projection {@code o}, each {@code [width, width]}.
 */
public final class MultiHeadAttention extends Module {

    /** The attended values {@code [B, S, D]} and the attention maps {@code [B, H, S, S]}. */
    public record Attended(Var output, Var weights) {
        /** The same as ONNX tensor names. */
        public record Onnx(String output, String weights) {}
    }

    private final int width;
    private final int heads;
    private final Linear q;
    private final Linear k;
    private final Linear v;
    private final Linear o;

    public MultiHeadAttention(int width, int heads, Activation activation) {
        if (width % heads != 0) {
            throw new IllegalArgumentException("width " + width + " does not split into " + heads + " heads");
        }
        this.width = width;
        this.heads = heads;
        this.q = child("q", new Linear(width, width, activation));
        this.k = child("k", new Linear(width, width, activation));
        this.v = child("v", new Linear(width, width, activation));
        this.o = child("o", new Linear(width, width, activation));
    }

    /**
     * Attention over {@code x} ({@code [B, S, D]}); {@code bias} ({@code [B, 1, 1, S]}, or null) is
     * added to the scores before the softmax, e.g. −1e9 at padding.
     */
    public Attended forward(Forward f, Var x, Var bias) {
        long b = x.shape()[0];
        int s = (int) x.shape()[1];
        int dh = width / heads;
        Var flat = x.reshape(b * s, width);
        Var qh = split(q.forward(f, flat), b, s, dh);
        Var kh = split(k.forward(f, flat), b, s, dh);
        Var vh = split(v.forward(f, flat), b, s, dh);
        Var scores = qh.mmulT(kh).mul(1.0 / Math.sqrt(dh));
        Var attn = (bias == null ? scores : scores.add(bias)).softmax();
        Var context = attn.mmul(vh).permute(0, 2, 1, 3).reshape(b * s, width);
        return new Attended(o.forward(f, context).reshape(b, s, width), attn);
    }

    /** {@code [B·S, D]} to {@code [B, H, S, D/H]}. */
    /** {@link #forward} as ONNX nodes on {@code x} {@code [B, S, width]}; {@code bias} may be null. */
    public Attended.Onnx exportOnnx(OnnxWriter w, String x, String bias) {
        int dh = width / heads;
        String qh = splitOnnx(w, q.exportOnnx(w, x), new long[] {0, 2, 1, 3});
        String kt = splitOnnx(w, k.exportOnnx(w, x), new long[] {0, 2, 3, 1});
        String vh = splitOnnx(w, v.exportOnnx(w, x), new long[] {0, 2, 1, 3});
        String scores = w.node("Mul", w.node("MatMul", qh, kt), w.scalar((float) (1.0 / Math.sqrt(dh))));
        String attn = w.node(
                "Softmax", java.util.List.of(bias == null ? scores : w.node("Add", scores, bias)), Map.of("axis", -1L));
        String context = w.node(
                "Transpose", java.util.List.of(w.node("MatMul", attn, vh)), Map.of("perm", new long[] {0, 2, 1, 3}));
        String merged = w.node("Reshape", context, w.ints(0, 0, width));
        return new Attended.Onnx(o.exportOnnx(w, merged), attn);
    }

    /** {@code [B, S, width]} to heads, transposed by {@code perm} from {@code [B, S, heads, dh]}. */
    private String splitOnnx(OnnxWriter w, String x, long[] perm) {
        String h = w.node("Reshape", x, w.ints(0, 0, heads, width / heads));
        return w.node("Transpose", java.util.List.of(h), Map.of("perm", perm));
    }

    private Var split(Var x, long b, int s, int dh) {
        return x.reshape(b, s, heads, dh).permute(0, 2, 1, 3);
    }

    @Override
    public Map<String, Object> settings() {
        return ordered("width", width, "heads", heads);
    }
}
