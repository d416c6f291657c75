package dev.distillery.nn;

import dev.distillery.tensor.Var;

/** An embedded sequence {@code [B, L, D]}, and for text its padding (null otherwise). */
public record Embedded(Var hidden, Padding padding) {

    /**
     * Which positions are real ({@code [B, L, 1]}, 1 or 0), the attention bias that hides padding
     * ({@code [B, 1, 1, L]}, 0 or −1e9) and real tokens per row ({@code [B, 1]}, at least 1).
     */
    public record Padding(Var keep, Var attentionBias, Var count) {}

    /**
     * The same as ONNX tensor names: {@code hidden} {@code [B, L, D]} and, for padded inputs, {@code keep}
     * {@code [B, L, 1]}, {@code attentionBias} {@code [B, 1, 1, L]} and {@code count} {@code [B, 1]} (null without).
     */
    public record Onnx(String hidden, String keep, String attentionBias, String count) {
        /** An embedding without padding. */
        public static Onnx of(String hidden) {
            return new Onnx(hidden, null, null, null);
        }

        /** {@code x} with padded positions zeroed, as {@link Embedded#masked}. */
        public String masked(OnnxWriter w, String x) {
            return keep == null ? x : w.node("Mul", x, keep);
        }
    }

    /** {@code x} with padded positions zeroed; {@code x} itself without padding. */
    public Var masked(Var x) {
        return padding == null ? x : x.mul(padding.keep());
    }
}
