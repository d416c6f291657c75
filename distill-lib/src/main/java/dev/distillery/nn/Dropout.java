package dev.distillery.nn;

import dev.distillery.tensor.Var;
import java.util.Map;

/**
 * A dropout site: during training each of an example's {@code width} values is kept with
 * probability {@code 1 − rate} and scaled by {@code 1/(1 − rate)}; at inference it passes its input through.
 */
public final class Dropout extends Module {

    private final int width;
    private final double rate;

    public Dropout(int width, double rate) {
        if (!(rate > 0 && rate < 1)) {
            throw new IllegalArgumentException("dropout rate " + rate + " must lie in (0, 1)");
        }
        this.width = width;
        this.rate = rate;
    }

    /** A site for {@code width} values per example, or null without dropout ({@code rate} 0). */
    public static Dropout ofRate(int width, double rate) {
        return rate > 0 ? new Dropout(width, rate) : null;
    }

    /** {@code x} through {@code site}, or {@code x} itself where there is no site. */
    public static Var through(Dropout site, Forward f, Var x) {
        return site == null ? x : site.forward(f, x);
    }

    public Var forward(Forward f, Var x) {
        if (f.masks() == null) {
            return x;
        }
        org.nd4j.linalg.api.ndarray.INDArray m = f.masks().mask(this, (int) f.batch());
        return x.mul(f.tape().constant(x.rank() == 2 ? m : m.reshape('c', x.shape())));
    }

    public int width() {
        return width;
    }

    public double rate() {
        return rate;
    }

    @Override
    public Map<String, Object> settings() {
        return Map.of("rate", rate);
    }
}
