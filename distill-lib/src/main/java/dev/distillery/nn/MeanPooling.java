package dev.distillery.nn;

import dev.distillery.tensor.Var;

/** The mean over a sequence's positions, {@code [B, S, D]} to {@code [B, D]}; with padding, over real tokens only. */
public final class MeanPooling extends Module {

    /** {@link #forward} as ONNX nodes: the mean over positions, or over the real ones. */
    public String exportOnnx(OnnxWriter w, String x, Embedded.Onnx e) {
        if (e.keep() == null) {
            return w.node("ReduceMean", java.util.List.of(x), java.util.Map.of("axes", new long[] {1}, "keepdims", 0L));
        }
        String sum = w.node(
                "ReduceSum",
                java.util.List.of(w.node("Mul", x, e.keep()), w.ints(1)),
                java.util.Map.of("keepdims", 0L));
        return w.node("Div", sum, e.count());
    }

    public Var forward(Var x, Embedded.Padding padding) {
        return padding == null
                ? x.mean(false, 1)
                : x.mul(padding.keep()).sum(false, 1).div(padding.count());
    }
}
