package dev.distillery.eval;

import java.util.List;

/**
 * What a trained student scores on the test set: accuracy; fidelity to its teacher (null without
 * one); and its footprint. {@code latencyMicros} is the tape's median single-example pass; {@code
 * latencies} holds every figure measured, each saying its engine and batch size (null in records
 * written before they were measured).
 */
public record Metrics(
        double testAccuracy,
        double valAccuracy,
        Double agreement,
        Double klDivergence,
        Double jsDivergence,
        long parameters,
        long bytesOnDisk,
        double latencyMicros,
        List<Latency> latencies) {

    /** Without the per-engine figures. */
    public Metrics(
            double testAccuracy,
            double valAccuracy,
            Double agreement,
            Double klDivergence,
            Double jsDivergence,
            long parameters,
            long bytesOnDisk,
            double latencyMicros) {
        this(
                testAccuracy,
                valAccuracy,
                agreement,
                klDivergence,
                jsDivergence,
                parameters,
                bytesOnDisk,
                latencyMicros,
                null);
    }

    /** The figure for {@code engine} at {@code batch}, or null when it was not measured. */
    public Latency latency(String engine, int batch) {
        return Latency.find(latencies, engine, batch);
    }
}
