package dev.distillery.nn;

import dev.distillery.tensor.Var;
import java.util.Map;

/**
 * Scaled dot-product self-attention with {@code heads} heads: projections {@code q}, {@code k},
 * {@code v} and the output projection {@code o}, each {@code [width, width]}.
 */
public final class MultiHeadAttention extends Module {

    /** The attended values {@code [B, S, D]} and the attention maps {@code [B, H, S, S]}. */
    public record Attended(Var output, Var weights) {}

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
    private Var split(Var x, long b, int s, int dh) {
        return x.reshape(b, s, heads, dh).permute(0, 2, 1, 3);
    }

    @Override
    public Map<String, Object> settings() {
        return ordered("width", width, "heads", heads);
    }
}
