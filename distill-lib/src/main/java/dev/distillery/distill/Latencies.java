package dev.distillery.distill;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.distillery.backend.Backend;
import dev.distillery.eval.Latency;
import dev.distillery.model.Network;
import dev.distillery.model.OnnxExport;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A student's latency where it will run: through the tape and through ONNX Runtime on its fp32
 * export, at each of {@link Latency#BATCHES}, on the test rows (repeated when there are fewer than a
 * batch), with the threads the tape has.
 */
public final class Latencies {

    /** Timed passes at batch 1 (each on another example) and at larger batches. */
    private static final int SINGLE_REPEATS = 100;

    private static final int BATCH_REPEATS = 10;

    /** Time spent timing one engine at one batch size before the median is taken, past three passes. */
    private static final double BUDGET_MICROS = 200_000;

    private Latencies() {}

    /**
     * Every figure for {@code net} on {@code inputs}. ONNX Runtime figures are left out, with a
     * warning on standard error, when the export does not open there: the trained run is kept.
     */
    public static List<Latency> measure(Network net, INDArray inputs) {
        List<Latency> out = new ArrayList<>();
        String tape = "Distillery tape, " + Backend.report();
        for (int batch : Latency.BATCHES) {
            List<INDArray> batches = batches(inputs, batch);
            int[] next = {0};
            double micros = Latency.median(
                    () -> net.forward(batches.get(next[0]++ % batches.size())), repeats(batch), BUDGET_MICROS);
            out.add(new Latency(Latency.TAPE, tape, batch, micros));
        }
        try {
            out.addAll(onnxRuntime(net, inputs));
        } catch (OrtException | RuntimeException e) {
            System.err.println("ONNX Runtime latency not measured for " + net.compact() + ": " + e.getMessage());
        }
        return out;
    }

    private static List<Latency> onnxRuntime(Network net, INDArray inputs) throws OrtException {
        return onnxRuntime(OnnxExport.bytes(net, List.of()), inputs, "fp32 export");
    }

    /**
     * ONNX Runtime's figures for {@code model} (ONNX bytes whose input is {@value OnnxExport#INPUT}) at
     * each of {@link Latency#BATCHES}, on the threads the tape has; {@code what} ends the runtime's
     * description (e.g. {@code int8 export}).
     */
    public static List<Latency> onnxRuntime(byte[] model, INDArray inputs, String what) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int threads = Backend.threadsOrDefault();
        String runtime = "ONNX Runtime " + env.getVersion() + " CPU, " + threads + " intra-op "
                + (threads == 1 ? "thread" : "threads") + ", " + what;
        List<Latency> out = new ArrayList<>();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(threads);
            o.setInterOpNumThreads(1);
            try (OrtSession session = env.createSession(model, o)) {
                for (int batch : Latency.BATCHES) {
                    List<OnnxTensor> tensors = new ArrayList<>();
                    try {
                        for (INDArray b : batches(inputs, batch)) {
                            tensors.add(OnnxTensor.createTensor(
                                    env, FloatBuffer.wrap(b.dup('c').data().asFloat()), b.shape()));
                        }
                        int[] next = {0};
                        double micros = Latency.median(
                                () -> run(session, tensors.get(next[0]++ % tensors.size())),
                                repeats(batch),
                                BUDGET_MICROS);
                        out.add(new Latency(Latency.ONNX_RUNTIME, runtime, batch, micros));
                    } finally {
                        tensors.forEach(OnnxTensor::close);
                    }
                }
            }
        }
        return out;
    }

    private static void run(OrtSession session, OnnxTensor input) {
        try {
            session.run(Map.of(OnnxExport.INPUT, input)).close();
        } catch (OrtException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static int repeats(int batch) {
        return batch == 1 ? SINGLE_REPEATS : BATCH_REPEATS;
    }

    /**
     * Batches of {@code size} rows: single rows, one per test example up to the repeat count; or one
     * batch of the first rows, cycling through them when there are fewer.
     */
    static List<INDArray> batches(INDArray inputs, int size) {
        long n = inputs.rows();
        if (size == 1) {
            return IntStream.range(0, (int) Math.min(n, SINGLE_REPEATS + 1))
                    .mapToObj(i -> inputs.getRow(i, true))
                    .toList();
        }
        int[] rows = IntStream.range(0, size).map(i -> (int) (i % n)).toArray();
        return List.of(inputs.getRows(rows));
    }
}
