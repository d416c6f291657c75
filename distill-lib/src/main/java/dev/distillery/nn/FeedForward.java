package dev.distillery.nn;

import dev.distillery.tensor.Var;
import java.util.Map;

/** A transformer block's position-wise MLP: {@code up} to the hidden width, the activation, {@code down} back. */
public final class FeedForward extends Module implements Layer {

    private final Activation activation;
    private final Linear up;
    private final Linear down;

    public FeedForward(int width, int hidden, Activation activation) {
        this.activation = activation;
        this.up = child("up", new Linear(width, hidden, activation));
        this.down = child("down", new Linear(hidden, width, activation));
    }

    /** Rows {@code [N, width]} to {@code [N, width]}. */
    @Override
    public Var forward(Forward f, Var x) {
        return down.forward(f, activation.apply(up.forward(f, x)));
    }

    /** {@code down(activation(up(x)))} on {@code x} of any rank (MatMul broadcasts over the leading axes). */
    public String exportOnnx(OnnxWriter w, String x) {
        return down.exportOnnx(w, activation.exportOnnx(w, up.exportOnnx(w, x)));
    }

    @Override
    public Map<String, Object> settings() {
        return Map.of("activation", activation);
    }
}
