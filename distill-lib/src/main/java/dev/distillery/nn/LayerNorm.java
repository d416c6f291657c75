package dev.distillery.nn;

import dev.distillery.tensor.Var;
import java.util.Map;

/** Normalises the last axis to zero mean and unit variance, then scales by {@code weight} (ones) and shifts by {@code bias} (zeros). */
public final class LayerNorm extends Module implements Layer {

    private final int width;
    private final Parameter weight;
    private final Parameter bias;

    public LayerNorm(int width) {
        this.width = width;
        this.weight = parameter("weight", Init.ones(), width);
        this.bias = parameter("bias", Init.zeros(), width);
    }

    @Override
    public Var forward(Forward f, Var x) {
        return x.layerNorm(f.value(weight), f.value(bias));
    }

    /** ONNX {@code LayerNormalization} over the last axis, ε = 1e-5 as the tape's. */
    public String exportOnnx(OnnxWriter w, String x) {
        return w.node(
                "LayerNormalization",
                java.util.List.of(x, w.parameter(weight), w.parameter(bias)),
                Map.of("axis", -1L, "epsilon", 1e-5f));
    }

    @Override
    public Map<String, Object> settings() {
        return Map.of("width", width);
    }
}
