package dev.distillery.nn;

import dev.distillery.tensor.Var;
import java.util.Map;

/** The mean of every {@code stride} consecutive positions of {@code [B, S, D]}; a remainder is dropped. */
public final class TimeReduction extends Module {

    private final int stride;

    public TimeReduction(int stride) {
        this.stride = stride;
    }

    public Var forward(Var x) {
        long[] s = x.shape();
        long kept = s[1] / stride;
        return x.narrow(1, 0, kept * stride).reshape(s[0], kept, stride, s[2]).mean(false, 2);
    }

    public int stride() {
        return stride;
    }

    @Override
    public Map<String, Object> settings() {
        return Map.of("stride", stride);
    }
}
