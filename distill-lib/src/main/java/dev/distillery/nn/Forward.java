package dev.distillery.nn;

import dev.distillery.tensor.Tape;
import dev.distillery.tensor.Var;
import java.util.Map;

/**
 * One forward pass: the tape it records on, each parameter's value on that tape (trainable or
 * constant), the batch size and the dropout masks (null: no dropout, as at inference).
 */
public final class Forward {

    private final Tape tape;
    private final Map<Parameter, Var> values;
    private final long batch;
    private final Masks masks;

    /** {@code values} maps each parameter object (by identity) to its value on {@code tape}. */
    public Forward(Tape tape, Map<Parameter, Var> values, long batch, Masks masks) {
        this.tape = tape;
        this.values = values;
        this.batch = batch;
        this.masks = masks;
    }

    public Var value(Parameter p) {
        Var v = values.get(p);
        if (v == null) {
            throw new IllegalStateException("a parameter of shape " + java.util.Arrays.toString(p.shape())
                    + " has no value in this forward pass; was the module added to the model it runs in?");
        }
        return v;
    }

    public Tape tape() {
        return tape;
    }

    public long batch() {
        return batch;
    }

    public Masks masks() {
        return masks;
    }
}
