package dev.distillery.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.distillery.nn.Activation;
import dev.distillery.nn.Classifier;
import dev.distillery.nn.CnnModel;
import dev.distillery.nn.Model;
import dev.distillery.spec.SpecException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A small convolutional net: per entry of {@code channels} a same-padded {@code kernel x kernel}
 * convolution, the activation and 2x2 max pooling; then the {@code dense} layers (dropout after each)
 * and the output layer. The images are {@code shape} ({@code 3x32x32}: C×H×W, stored in each row
 * channel by channel); without it, square single-channel images of {@code inputs} pixels (784:
 * 28×28), and then {@code shape} is left out of the spec's JSON.
 */
public record CnnSpec(
        Integer inputs,
        List<Integer> channels,
        Integer kernel,
        Integer pool,
        List<Integer> dense,
        Integer outputs,
        String activation,
        Double dropout,
        @JsonInclude(JsonInclude.Include.NON_NULL) ImageShape shape)
        implements ModelSpec {

    /** For square single-channel images of {@code inputs} pixels. */
    public CnnSpec(
            Integer inputs,
            List<Integer> channels,
            Integer kernel,
            Integer pool,
            List<Integer> dense,
            Integer outputs,
            String activation,
            Double dropout) {
        this(inputs, channels, kernel, pool, dense, outputs, activation, dropout, null);
    }

    public CnnSpec {
        inputs = shape == null ? (inputs == null ? 784 : inputs) : checkShape("cnn", inputs, shape);
        shape = shape == null || shape.isSquareGrey() ? null : shape;
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
        ImageShape image = shape == null ? ImageShape.square("cnn", inputs) : shape;
        int h = image.height();
        int w = image.width();
        for (int i = 0; i < channels.size(); i++) {
            h /= pool;
            w /= pool;
        }
        if (h < 1 || w < 1) {
            throw new SpecException("cnn spec: " + channels.size() + " pooling steps of " + pool + " shrink a "
                    + image.height() + "x" + image.width() + " image to nothing; use fewer convolutions");
        }
        activation = ModelSpec.checkActivation("cnn", activation);
        dropout = ModelSpec.checkDropout("cnn", dropout);
    }

    public static CnnSpec of(List<Integer> channels, List<Integer> dense, double dropout) {
        return new CnnSpec(null, channels, null, null, dense, null, null, dropout);
    }

    /** The inputs {@code shape} holds; refused when {@code inputs} is also given and disagrees. */
    static int checkShape(String family, Integer inputs, ImageShape shape) {
        if (inputs != null && inputs != shape.size()) {
            throw new SpecException(family + " spec: inputs " + inputs + " disagrees with shape " + shape + " ("
                    + shape.size() + " values); give one of them");
        }
        return shape.size();
    }

    /** The images this net reads. */
    public ImageShape image() {
        return shape == null ? ImageShape.square("cnn", inputs) : shape;
    }

    /** Values per example after the last convolution and pooling: what the first dense layer reads. */
    public long convolvedWidth() {
        ImageShape image = image();
        long h = image.height();
        long w = image.width();
        for (int i = 0; i < channels.size(); i++) {
            h /= pool;
            w /= pool;
        }
        return channels.get(channels.size() - 1) * h * w;
    }

    @Override
    public long parameterCount() {
        long n = 0;
        long in = image().channels();
        for (int c : channels) {
            n += (long) kernel * kernel * in * c + c;
            in = c;
        }
        long width = convolvedWidth();
        for (int d : dense) {
            n += width * d + d;
            width = d;
        }
        return n + width * outputs + outputs;
    }

    @Override
    public Model compose(Classifier.Factory heads) {
        ImageShape i = image();
        return new CnnModel(
                i.channels(),
                i.height(),
                i.width(),
                channels,
                kernel,
                pool,
                dense,
                Activation.of(activation),
                dropout,
                outputs,
                heads);
    }

    @Override
    public String describe() {
        return "cnn " + channels.stream().map(String::valueOf).collect(Collectors.joining("-")) + " k" + kernel
                + " dense " + dense.stream().map(String::valueOf).collect(Collectors.joining("-"))
                + (shape == null ? "" : " on " + shape);
    }

    @Override
    public String compact() {
        String s = "cnn:" + channels.stream().map(String::valueOf).collect(Collectors.joining("x")) + ",kernel="
                + kernel + ",dense=" + dense.stream().map(String::valueOf).collect(Collectors.joining("x"));
        if (shape != null) s += ",shape=" + shape;
        else if (inputs != 784) s += ",inputs=" + inputs;
        if (outputs != 10) s += ",outputs=" + outputs;
        if (!activation.equals("relu")) s += ",activation=" + activation;
        if (dropout > 0) s += ",dropout=" + dropout;
        return s;
    }
}
