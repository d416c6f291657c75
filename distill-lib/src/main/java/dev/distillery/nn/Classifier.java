package dev.distillery.nn;

import dev.distillery.tensor.Var;
import java.util.Map;

/** A model's last stage: features {@code [B, width]} to {@value Outputs#LOGITS} {@code [B, classes]}. */
public abstract class Classifier extends Module {

    /** How a model builds its classifier once it knows the feature width. */
    @FunctionalInterface
    public interface Factory {
        /** {@code biasShape}: {@code [classes]}, or {@code [1, classes]} in the MLP and CNN families. */
        Classifier create(long width, int classes, Activation activation, long[] biasShape);
    }

    /** The name the model gives this stage: {@code head}, or {@code heads} for several. */
    public abstract String slot();

    /** Puts {@value Outputs#LOGITS} (and any per-head logits) into {@code out}. */
    public abstract void classify(Forward f, Var features, Map<String, Var> out);

    /** The heads' outputs on {@code features} as ONNX nodes, named as {@link #classify} names them. */
    public void exportOnnx(OnnxWriter w, String features, Map<String, String> out) {
        throw new UnsupportedOperationException(type() + " does not export to ONNX yet");
    }
}
