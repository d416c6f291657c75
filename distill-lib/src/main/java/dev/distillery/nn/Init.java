package dev.distillery.nn;

import dev.distillery.backend.Seeds;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How a parameter starts: all zeros, all ones, or drawn from N(0, std²). Normal draws come from
 * the network's seeded initialisation stream, parameter after parameter in declaration order.
 */
public record Init(Kind kind, double std) {

    public enum Kind {
        ZEROS,
        ONES,
        NORMAL
    }

    public static Init zeros() {
        return new Init(Kind.ZEROS, 0);
    }

    public static Init ones() {
        return new Init(Kind.ONES, 0);
    }

    public static Init normal(double std) {
        return new Init(Kind.NORMAL, std);
    }

    /**
     * Scaled by the layer's fans: He ({@code sqrt(2 / fanIn)}) before ReLU and GELU, Xavier
     * ({@code sqrt(2 / (fanIn + fanOut))}) before tanh and sigmoid.
     */
    public static Init fan(long fanIn, long fanOut, Activation activation) {
        return activation.heScaled() ? normal(Math.sqrt(2.0 / fanIn)) : xavier(fanIn, fanOut);
    }

    /** Xavier (Glorot) normal: {@code sqrt(2 / (fanIn + fanOut))}. */
    public static Init xavier(long fanIn, long fanOut) {
        return normal(Math.sqrt(2.0 / (fanIn + fanOut)));
    }

    /** Writes the initial values into {@code array}; a normal draw takes its numbers from {@code rng}. */
    public void apply(INDArray array, SplittableRandom rng) {
        switch (kind) {
            case ZEROS -> array.assign(0);
            case ONES -> array.assign(1);
            case NORMAL -> array.assign(Seeds.normal(rng, std, array.shape()));
        }
    }

    @Override
    public String toString() {
        return switch (kind) {
            case ZEROS -> "zeros";
            case ONES -> "ones";
            case NORMAL -> String.format(java.util.Locale.ROOT, "N(0, %.4g²)", std);
        };
    }
}
