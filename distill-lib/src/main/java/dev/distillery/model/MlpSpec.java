package dev.distillery.model;

import dev.distillery.nn.Activation;
import dev.distillery.nn.Classifier;
import dev.distillery.nn.MlpModel;
import dev.distillery.nn.Model;
import java.util.List;
import java.util.stream.Collectors;

/** A multilayer perceptron: {@code inputs -> hidden... -> outputs}, dropout after each hidden layer. */
public record MlpSpec(Integer inputs, List<Integer> hidden, Integer outputs, String activation, Double dropout)
        implements ModelSpec {

    public MlpSpec {
        inputs = inputs == null ? 784 : inputs;
        outputs = outputs == null ? 10 : outputs;
        hidden = hidden == null ? List.of() : List.copyOf(hidden);
        ModelSpec.checkPositive("mlp", "inputs", inputs);
        ModelSpec.checkPositive("mlp", "outputs", outputs);
        ModelSpec.checkSizes("mlp", "hidden", hidden);
        activation = ModelSpec.checkActivation("mlp", activation);
        dropout = ModelSpec.checkDropout("mlp", dropout);
    }

    public static MlpSpec of(Integer... hidden) {
        return new MlpSpec(null, List.of(hidden), null, null, null);
    }

    public MlpSpec withDropout(double p) {
        return new MlpSpec(inputs, hidden, outputs, activation, p);
    }

    @Override
    public long parameterCount() {
        long n = 0;
        long in = inputs;
        for (int h : hidden) {
            n += in * h + h;
            in = h;
        }
        return n + in * outputs + outputs;
    }

    @Override
    public Model compose(Classifier.Factory heads) {
        return new MlpModel(inputs, hidden, Activation.of(activation), dropout, outputs, heads);
    }

    @Override
    public String describe() {
        String layers = hidden.stream().map(String::valueOf).collect(Collectors.joining("-"));
        return "mlp " + inputs + (layers.isEmpty() ? "" : "-" + layers) + "-" + outputs;
    }

    @Override
    public String compact() {
        String s = "mlp:" + hidden.stream().map(String::valueOf).collect(Collectors.joining("x"));
        if (inputs != 784) s += ",inputs=" + inputs;
        if (outputs != 10) s += ",outputs=" + outputs;
        if (!activation.equals("relu")) s += ",activation=" + activation;
        if (dropout > 0) s += ",dropout=" + dropout;
        return s;
    }
}
