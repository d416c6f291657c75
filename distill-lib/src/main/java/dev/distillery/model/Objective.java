package dev.distillery.model;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * What training minimises, defined on the graph: given the model's logits and the batch's
 * placeholders, returns the scalar loss. Plain cross-entropy lives here; distillation losses
 * live in the {@code loss} package.
 */
public interface Objective {

    /** The inputs a loss may use; {@code teacherLogits} is null unless {@link #needsTeacher()}. */
    record Inputs(SDVariable logits, SDVariable labels, SDVariable labelMask, SDVariable teacherLogits) {}

    /** A short description that identifies the objective and its settings, e.g. {@code hinton T=4 alpha=0.5}. */
    String describe();

    default boolean needsTeacher() {
        return false;
    }

    /** Adds the loss to {@code sd} and returns it (a scalar). */
    SDVariable define(SameDiff sd, Inputs in);
}
