package dev.distillery.nn;

import dev.distillery.tensor.Var;
import java.util.Map;

/** One linear classifier: {@code features · weight + bias}. */
public final class ClassifierHead extends Classifier {

    /** The factory for a single head. */
    public static final Factory SINGLE = ClassifierHead::new;

    private final long width;
    private final int classes;
    private final Parameter weight;
    private final Parameter bias;

    public ClassifierHead(long width, int classes, Activation activation, long[] biasShape) {
        this.width = width;
        this.classes = classes;
        this.weight = parameter("weight", Init.fan(width, classes, activation), width, classes);
        this.bias = parameter("bias", Init.zeros(), biasShape);
    }

    public Var logits(Forward f, Var features) {
        return features.linear(f.value(weight), f.value(bias));
    }

    /** {@link #logits} as ONNX nodes. */
    public String logitsOnnx(OnnxWriter w, String features) {
        return w.node("Add", w.matmul(features, weight), w.parameter(bias));
    }

    @Override
    public void exportOnnx(OnnxWriter w, String features, Map<String, String> out) {
        out.put(Outputs.LOGITS, logitsOnnx(w, features));
    }

    @Override
    public String slot() {
        return "head";
    }

    @Override
    public void classify(Forward f, Var features, Map<String, Var> out) {
        out.put(Outputs.LOGITS, logits(f, features));
    }

    @Override
    public Map<String, Object> settings() {
        return ordered("in", width, "classes", classes);
    }
}
