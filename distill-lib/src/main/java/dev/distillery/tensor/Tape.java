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
                v.back.apply(v.grad());
            }
        }
    }

    /** How many recorded ops this tape holds (for tests and diagnostics). */
    public int size() {
        return nodes.size();
    }
}
