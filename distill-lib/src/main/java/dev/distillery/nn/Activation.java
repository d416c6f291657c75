package dev.distillery.nn;

import dev.distillery.tensor.Var;
import java.util.Locale;

/** The nonlinearities a model can use between layers. */
public enum Activation {
    RELU,
    TANH,
    SIGMOID,
    GELU;

    /** {@code relu}, {@code tanh}, {@code sigmoid} or {@code gelu}, any case. */
    public static Activation of(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "unknown activation '" + name + "'; known: relu, tanh, sigmoid, gelu", e);
        }
    }

    public Var apply(Var x) {
        return switch (this) {
            case TANH -> x.tanh();
            case SIGMOID -> x.sigmoid();
            case GELU -> x.gelu();
            case RELU -> x.relu();
        };
    }

    /** The activation as ONNX nodes; GELU in its sigmoid form {@code x·σ(1.702·x)}, as {@link #apply}. */
    public String exportOnnx(OnnxWriter w, String x) {
        return switch (this) {
            case TANH -> w.node("Tanh", x);
            case SIGMOID -> w.node("Sigmoid", x);
            case GELU -> w.node("Mul", x, w.node("Sigmoid", w.node("Mul", x, w.scalar(1.702f))));
            case RELU -> w.node("Relu", x);
        };
    }

    /** Whether weights feeding this activation start He-scaled (rectifiers) rather than Xavier-scaled. */
    public boolean heScaled() {
        return this == RELU || this == GELU;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
