package dev.distillery.model;

import dev.distillery.nn.Activation;
import dev.distillery.nn.Classifier;
import dev.distillery.nn.CnnModel;
import dev.distillery.nn.Model;
import dev.distillery.spec.SpecException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A small convolutional net for square single-channel images: per entry of {@code channels} a
 * same-padded {@code kernel x kernel} convolution, the activation and 2x2 max pooling; then the
 * {@code dense} layers (dropout after each) and the output layer.
 */
public record CnnSpec(
        Integer inputs,
        List<Integer> channels,
        Integer kernel,
        Integer pool,
        List<Integer> dense,
        Integer outputs,
        String activation,
        Double dropout)
        implements ModelSpec {

    public CnnSpec {
        inputs = inputs == null ? 784 : inputs;
        outputs = outputs == null ? 10 : outputs;
        kernel = kernel == null ? 3 : kernel;
        pool = pool == null ? 2 : pool;
        channels = channels == null ? List.of() : List.copyOf(channels);
        dense = dense == null ? List.of(128) : List.copyOf(dense);
        ModelSpec.checkPositive("cnn", "inputs", inputs);
        ModelSpec.checkPositive("cnn", "outputs", outputs);
        ModelSpec.checkPositive("cnn", "kernel", kernel);
        ModelSpec.checkPositive("cnn", "pool", pool);
        if (channels.isEmpty()) {
            throw new SpecException("cnn spec: channels must list at least one convolution, e.g. [32, 64]");
        }
        ModelSpec.checkSizes("cnn", "channels", channels);
        ModelSpec.checkSizes("cnn", "dense", dense);
        int side = (int) Math.round(Math.sqrt(inputs));
        if (side * side != inputs) {
            throw new SpecException("cnn spec: inputs " + inputs + " is not a square image (e.g. 784 = 28x28)");
        }
        int s = side;
        for (int i = 0; i < channels.size(); i++) {
            s /= pool;
        }
        if (s < 1) {
            throw new SpecException("cnn spec: " + channels.size() + " pooling steps of " + pool + " shrink a " + side
                    + "x" + side + " image to nothing; use fewer convolutions");
        }
        activation = ModelSpec.checkActivation("cnn", activation);
        dropout = ModelSpec.checkDropout("cnn", dropout);
    }

    public static CnnSpec of(List<Integer> channels, List<Integer> dense, double dropout) {
        return new CnnSpec(null, channels, null, null, dense, null, null, dropout);
    }

    @Override
    public long parameterCount() {
        long n = 0;
        long in = 1;
        int s = side();
        for (int c : channels) {
            n += (long) kernel * kernel * in * c + c;
            in = c;
            s /= pool;
        }
        long width = in * s * s;
        for (int d : dense) {
            n += width * d + d;
            width = d;
        }
        return n + width * outputs + outputs;
    }

    public int side() {
        return (int) Math.round(Math.sqrt(inputs));
    }

    @Override
    public Model compose(Classifier.Factory heads) {
        return new CnnModel(side(), channels, kernel, pool, dense, Activation.of(activation), dropout, outputs, heads);
    }

    @Override
    public String describe() {
        return "cnn " + channels.stream().map(String::valueOf).collect(Collectors.joining("-")) + " k" + kernel
                + " dense " + dense.stream().map(String::valueOf).collect(Collectors.joining("-"));
    }

    @Override
    public String compact() {
        String s = "cnn:" + channels.stream().map(String::valueOf).collect(Collectors.joining("x")) + ",kernel="
                + kernel + ",dense=" + dense.stream().map(String::valueOf).collect(Collectors.joining("x"));
        if (!activation.equals("relu")) s += ",activation=" + activation;
        if (dropout > 0) s += ",dropout=" + dropout;
        return s;
    }
}
