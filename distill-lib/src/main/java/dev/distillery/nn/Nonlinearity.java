package dev.distillery.nn;

import dev.distillery.tensor.Var;

/** An activation as a module of its own, so that a stack of modules can place it anywhere. */
public final class Nonlinearity extends Module {

    private final Activation activation;

    public Nonlinearity(Activation activation) {
        this.activation = activation;
    }

    public Var forward(Var x) {
        return activation.apply(x);
    }

    public String exportOnnx(OnnxWriter w, String x) {
        return activation.exportOnnx(w, x);
    }

    public Activation activation() {
        return activation;
    }

    @Override
    public String type() {
        return activation.toString();
    }
}
