package dev.distillery.eval;

import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Size and speed of a model: parameters, bytes on disk, and inference latency per sample. */
public record Footprint(long parameters, long bytesOnDisk, double latencyMicros, int latencyBatch) {

    /**
     * Times {@code forward} on single-sample batches drawn from {@code inputs} (the median of
     * {@code repeats} after a warm-up), on the current thread settings.
     */
    public static Footprint measure(
            long parameters, long bytesOnDisk, UnaryOperator<INDArray> forward, INDArray inputs, int repeats) {
        int n = Math.min(inputs.rows(), Math.max(1, repeats));
        for (int i = 0; i < Math.min(n, 20); i++) {
            forward.apply(inputs.getRow(i, true));
        }
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            INDArray x = inputs.getRow(i, true);
            long t0 = System.nanoTime();
            forward.apply(x);
            t[i] = System.nanoTime() - t0;
        }
        java.util.Arrays.sort(t);
        return new Footprint(parameters, bytesOnDisk, t[n / 2] / 1000.0, 1);
    }
}
