package dev.distillery.nn;

import dev.distillery.tensor.Var;
import java.util.Map;

/**
 * One transformer layer on {@code [B, S, D]}: self-attention and a feed-forward MLP, each added
 * back to its input, with layer norms before each ({@code pre}) or after each residual sum
 * ({@code post}, as in BERT), and dropout on each branch's output.
 */
public final class TransformerBlock extends Module {

    /** The block's output {@code [B, S, D]} and its attention maps {@code [B, H, S, S]}. */
    public record Output(Var hidden, Var attention) {
        /** The same as ONNX tensor names. */
        public record Onnx(String hidden, String attention) {}
    }

    private final boolean preNorm;
    private final LayerNorm norm1;
    private final MultiHeadAttention attn;
    private final Dropout attnDrop;
    private final LayerNorm norm2;
    private final FeedForward ffn;
    private final Dropout ffnDrop;

    /** A block for sequences of {@code sequence} positions (dropout masks are per position and channel). */
    public TransformerBlock(
            int width, int heads, int ffnWidth, Activation activation, boolean preNorm, double dropout, int sequence) {
        this.preNorm = preNorm;
        LayerNorm n1 = preNorm ? child("norm1", new LayerNorm(width)) : null;
        this.attn = child("attn", new MultiHeadAttention(width, heads, activation));
        this.attnDrop = optional("attn_drop", Dropout.ofRate(sequence * width, dropout));
        this.norm1 = preNorm ? n1 : child("norm1", new LayerNorm(width));
        LayerNorm n2 = preNorm ? child("norm2", new LayerNorm(width)) : null;
        this.ffn = child("ffn", new FeedForward(width, ffnWidth, activation));
        this.ffnDrop = optional("ffn_drop", Dropout.ofRate(sequence * width, dropout));
        this.norm2 = preNorm ? n2 : child("norm2", new LayerNorm(width));
    }

    private Dropout optional(String name, Dropout d) {
        return d == null ? null : child(name, d);
    }

    /** {@code bias}: the attention bias for padding ({@code [B, 1, 1, S]}), or null. */
    public Output forward(Forward f, Var hidden, Var bias) {
        long b = hidden.shape()[0];
        long s = hidden.shape()[1];
        long d = hidden.shape()[2];
        MultiHeadAttention.Attended a = attn.forward(f, preNorm ? norm1.forward(f, hidden) : hidden, bias);
        hidden = hidden.add(Dropout.through(attnDrop, f, a.output()));
        if (!preNorm) {
            hidden = norm1.forward(f, hidden);
        }
        Var x = (preNorm ? norm2.forward(f, hidden) : hidden).reshape(b * s, d);
        hidden = hidden.add(Dropout.through(ffnDrop, f, ffn.forward(f, x).reshape(b, s, d)));
        if (!preNorm) {
            hidden = norm2.forward(f, hidden);
        }
        return new Output(hidden, a.weights());
    }

    /** {@link #forward} as ONNX nodes, for inference (dropout is the identity). */
    public Output.Onnx exportOnnx(OnnxWriter w, String hidden, String bias) {
        MultiHeadAttention.Attended.Onnx a = attn.exportOnnx(w, preNorm ? norm1.exportOnnx(w, hidden) : hidden, bias);
        hidden = w.node("Add", hidden, a.output());
        if (!preNorm) {
            hidden = norm1.exportOnnx(w, hidden);
        }
        String x = preNorm ? norm2.exportOnnx(w, hidden) : hidden;
        hidden = w.node("Add", hidden, ffn.exportOnnx(w, x));
        if (!preNorm) {
            hidden = norm2.exportOnnx(w, hidden);
        }
        return new Output.Onnx(hidden, a.weights());
    }

    @Override
    public Map<String, Object> settings() {
        return Map.of("norm", preNorm ? "pre" : "post");
    }
}
