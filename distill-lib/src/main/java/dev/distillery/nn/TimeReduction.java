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

    /** The mean of every {@code stride} positions of {@code x} ({@code [B, L, D]} of {@code length} positions). */
    public String exportOnnx(OnnxWriter w, String x, int length, int width) {
        int kept = length / stride;
        String head = w.node("Slice", x, w.ints(0), w.ints((long) kept * stride), w.ints(1));
        String grouped = w.node("Reshape", head, w.ints(-1, kept, stride, width));
        return w.node("ReduceMean", java.util.List.of(grouped), Map.of("axes", new long[] {2}, "keepdims", 0L));
    }

    public int stride() {
        return stride;
    }

    @Override
    public Map<String, Object> settings() {
        return Map.of("stride", stride);
    }
}
