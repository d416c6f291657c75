package dev.distillery.nn;

import dev.distillery.tensor.Var;
import java.util.Map;

/** {@code x · weight + bias}: weight {@code [in, out]}; bias {@code [out]}, or {@code [1, out]} in the MLP and CNN families. */
public final class Linear extends Module implements Layer {

    private final long in;
    private final long out;
    private final Parameter weight;
    private final Parameter bias;

    /** Weights drawn as {@code weightInit} says, bias zero, of shape {@code biasShape}. */
    public Linear(long in, long out, Init weightInit, long... biasShape) {
        this.in = in;
        this.out = out;
        this.weight = parameter("weight", weightInit, in, out);
        this.bias = parameter("bias", Init.zeros(), biasShape.length == 0 ? new long[] {out} : biasShape);
    }

    /** Weights scaled for the activation that follows ({@link Init#fan}), bias {@code [out]} zero. */
    public Linear(long in, long out, Activation activation) {
        this(in, out, Init.fan(in, out, activation));
    }

    /** {@code x} of shape {@code [N, in]} to {@code [N, out]}. */
    @Override
    public Var forward(Forward f, Var x) {
        return x.linear(f.value(weight), f.value(bias));
    }

    /** {@code x · weight + bias} as ONNX nodes. */
    public String exportOnnx(OnnxWriter w, String x) {
        return w.node("Add", w.matmul(x, weight), w.parameter(bias));
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    @Override
    public Map<String, Object> settings() {
        return ordered("in", in, "out", out);
    }
}
