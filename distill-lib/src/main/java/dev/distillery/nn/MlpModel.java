package dev.distillery.nn;

import dev.distillery.tensor.Var;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A multilayer perceptron: dense layers {@code layers.{i}}, then the classifier. */
public final class MlpModel extends DenseModel {

    private final int inputs;

    public MlpModel(
            int inputs,
            List<Integer> hidden,
            Activation activation,
            double dropout,
            int classes,
            Classifier.Factory heads) {
        super(activation);
        this.inputs = inputs;
        declareTail(inputs, hidden, dropout, classes, heads);
    }

    @Override
    public int inputs() {
        return inputs;
    }

    @Override
    public Map<String, Var> forward(Forward f, Var input) {
        return tail(f, input, 0, new LinkedHashMap<>());
    }

    @Override
    public Map<String, String> exportOnnx(OnnxWriter w, String input) {
        return exportTail(w, input, 0, new LinkedHashMap<>());
    }

    @Override
    public Map<String, Object> settings() {
        return ordered("inputs", inputs, "activation", activation());
    }
}
