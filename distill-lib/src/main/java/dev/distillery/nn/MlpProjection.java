package dev.distillery.nn;

import dev.distillery.tensor.Var;
import java.util.Map;

/** A two-layer projection, {@code fc1}, GELU, {@code fc2}, through a hidden width of {@code max(in, out)}; Xavier-initialised. */
public final class MlpProjection extends Module implements Layer {

    private final Linear fc1;
    private final Linear fc2;

    public MlpProjection(long in, long out) {
        long hidden = Math.max(in, out);
        this.fc1 = child("fc1", new Linear(in, hidden, Init.xavier(in, hidden)));
        this.fc2 = child("fc2", new Linear(hidden, out, Init.xavier(hidden, out)));
    }

    @Override
    public Var forward(Forward f, Var x) {
        return fc2.forward(f, fc1.forward(f, x).gelu());
    }

    @Override
    public Map<String, Object> settings() {
        return Map.of("hidden", fc1.settings().get("out"));
    }
}
