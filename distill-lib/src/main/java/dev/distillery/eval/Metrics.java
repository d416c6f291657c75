package dev.distillery.eval;

/**
 * What a trained student scores on the test set: accuracy; fidelity to its teacher (null without
 * one); and its footprint.
 */
public record Metrics(
        double testAccuracy,
        double valAccuracy,
        Double agreement,
        Double klDivergence,
        Double jsDivergence,
        long parameters,
        long bytesOnDisk,
        double latencyMicros) {}
