package dev.distillery.tensor;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reverse-mode differentiation for one training step: every {@link Var} made on this tape records
 * how to pass a gradient back to its inputs, and {@link #backward(Var)} replays those records in
 * reverse. Each op runs eagerly on ND4J arrays (one native call forward, one to three back), so a
 * step costs its arithmetic plus a few microseconds per op, not a graph session.
 *
 * <p>A tape is used by one thread for one step and then dropped. Leaves made with {@link #param}
 * collect their gradient; {@link #constant} leaves (inputs, labels, teacher outputs) do not.
 */
public final class Tape {

    private final List<Var> nodes = new ArrayList<>();
    private final boolean recording;

    /** A tape that records, for training. */
    public Tape() {
        this(true);
    }

    private Tape(boolean recording) {
        this.recording = recording;
    }

    /** A tape that records nothing: forward passes for inference, with no gradient bookkeeping. */
    public static Tape inference() {
        return new Tape(false);
    }

    public boolean recording() {
        return recording;
    }

    /** A leaf that takes no gradient. */
    public Var constant(INDArray value) {
        return new Var(this, value, false, null);
    }

    /** A scalar constant. */
    public Var scalar(double value) {
        return constant(Nd4j.scalar(DataType.FLOAT, value));
    }

    /** A leaf whose gradient {@link #backward} collects (a parameter of the model or of the loss). */
    public Var param(INDArray value) {
        return new Var(this, value, recording, null);
    }

    /** Called by {@link Var} for every op result that needs a gradient. */
    void record(Var v) {
        nodes.add(v);
    }

    /**
     * Per-op time, forward and backward, for finding where a step goes: on when the system property
     * {@code distillery.tape.profile} is set, and printed to standard error at exit.
     */
    static final boolean PROFILE = Boolean.getBoolean("distillery.tape.profile");

    private static final java.util.Map<String, long[]> TIMES = new java.util.concurrent.ConcurrentHashMap<>();
    private long last = System.nanoTime();

    static {
        if (PROFILE) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> System.err.print(profileReport())));
        }
    }

    /** Charges the time since the previous op to the op that just finished (profiling only). */
    void charge(Var v) {
        long now = System.nanoTime();
        TIMES.computeIfAbsent(v.op, k -> new long[3])[0] += now - last;
        TIMES.get(v.op)[2]++;
        last = now;
    }

    /** The profile so far: op, forward ms, backward ms, calls; slowest first. */
    public static String profileReport() {
        StringBuilder b = new StringBuilder(String.format("%-22s %10s %10s %8s%n", "op", "fwd ms", "bwd ms", "calls"));
        TIMES.entrySet().stream()
                .sorted((x, y) -> Long.compare(y.getValue()[0] + y.getValue()[1], x.getValue()[0] + x.getValue()[1]))
                .forEach(e -> b.append(String.format(
                        "%-22s %10.1f %10.1f %8d%n",
                        e.getKey(), e.getValue()[0] / 1e6, e.getValue()[1] / 1e6, e.getValue()[2])));
        return b.toString();
    }

    /**
     * Back-propagates from scalar {@code loss}: afterwards every {@link #param} leaf that the loss
     * depends on holds its gradient in {@link Var#grad()}; those it does not depend on hold null.
     */
    public void backward(Var loss) {
        if (!recording) {
            throw new IllegalStateException("this tape records no gradients (Tape.inference())");
        }
        if (loss.value().length() != 1) {
            throw new IllegalArgumentException("backward needs a scalar loss, got shape "
                    + java.util.Arrays.toString(loss.value().shape()));
        }
        loss.accumulate(Nd4j.onesLike(loss.value()));
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Var v = nodes.get(i);
            if (v.grad() != null && v.back != null) {
                long t0 = PROFILE ? System.nanoTime() : 0;
                v.back.apply(v.grad());
                if (PROFILE) {
                    TIMES.computeIfAbsent(v.op, k -> new long[3])[1] += System.nanoTime() - t0;
                }
            }
        }
    }

    /** How many recorded ops this tape holds (for tests and diagnostics). */
    public int size() {
        return nodes.size();
    }
}
