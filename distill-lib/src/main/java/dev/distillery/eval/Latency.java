package dev.distillery.eval;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One latency figure: the engine that ran the model ({@link #TAPE} or {@link #ONNX_RUNTIME}), the
 * runtime it ran on in words (version, device, threads), the batch size, and the median time of one
 * forward pass over that batch.
 */
public record Latency(String engine, String runtime, int batch, double microsPerBatch) {

    /** Distillery's own forward pass on the autograd tape (no gradients kept). */
    public static final String TAPE = "tape";

    /** ONNX Runtime on the model's fp32 ONNX export. */
    public static final String ONNX_RUNTIME = "onnxruntime";

    /** The batch sizes every student is timed at: one request at a time, and a full batch. */
    public static final List<Integer> BATCHES = List.of(1, 256);

    /** Microseconds per example: the batch's time shared out. */
    @JsonIgnore
    public double microsPerExample() {
        return microsPerBatch / batch;
    }

    /** The engine as people name it: {@code tape} or {@code ONNX Runtime}. */
    @JsonIgnore
    public String engineName() {
        return ONNX_RUNTIME.equals(engine) ? "ONNX Runtime" : engine;
    }

    /** The figure in words, e.g. {@code ONNX Runtime 41 µs at batch 1}. */
    @Override
    public String toString() {
        return engineName() + " " + time(microsPerBatch) + " at batch " + batch;
    }

    /** A time in microseconds in the unit that reads best: {@code 41 µs}, {@code 3.2 ms}, {@code 1.25 s}. */
    public static String time(double micros) {
        if (micros < 1_000) {
            return String.format(Locale.ROOT, "%.0f µs", micros);
        }
        if (micros < 1_000_000) {
            return String.format(Locale.ROOT, "%.1f ms", micros / 1e3);
        }
        return String.format(Locale.ROOT, "%.2f s", micros / 1e6);
    }

    /** The figure for {@code engine} at {@code batch} in {@code all}, or null when it was not measured. */
    public static Latency find(List<Latency> all, String engine, int batch) {
        if (all == null) {
            return null;
        }
        return all.stream()
                .filter(l -> l.engine().equals(engine) && l.batch() == batch)
                .findFirst()
                .orElse(null);
    }

    /**
     * The median microseconds of {@code pass}: a warm-up call, then timed calls until {@code
     * maxRepeats} or, past three, until {@code budgetMicros} of timing is spent.
     */
    public static double median(Runnable pass, int maxRepeats, double budgetMicros) {
        pass.run();
        double[] t = new double[Math.max(1, maxRepeats)];
        double spent = 0;
        int n = 0;
        while (n < t.length && (n < 3 || spent < budgetMicros)) {
            long t0 = System.nanoTime();
            pass.run();
            t[n] = (System.nanoTime() - t0) / 1e3;
            spent += t[n++];
        }
        double[] done = Arrays.copyOf(t, n);
        Arrays.sort(done);
        return done[n / 2];
    }
}
