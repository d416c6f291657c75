package dev.distillery.model;

import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * What training minimises, defined on the graph: given the model's logits and the batch's
 * placeholders, returns the scalar loss. Plain cross-entropy lives here; distillation losses
 * live in the {@code loss} package.
 */
public interface Objective {

    /**
     * The inputs a loss may use. {@code teacherLogits} is null unless {@link #needsTeacher()};
     * {@code teacherOutputs} holds one placeholder per name in {@link #teacherOutputs()}, each
     * flattened to {@code [B, prod(shape)]}; the student's own named outputs are variables of
     * {@code sd} ({@link Network#outputNames()}).
     */
    record Inputs(SDVariable logits, SDVariable labels, SDVariable labelMask, SDVariable teacherLogits,
            Map<String, SDVariable> teacherOutputs, Aux aux) {

        public Inputs(SDVariable logits, SDVariable labels, SDVariable labelMask, SDVariable teacherLogits) {
            this(logits, labels, labelMask, teacherLogits, Map.of(), null);
        }
    }

    /**
     * Trainable weights that belong to the loss rather than the model (projections to the teacher's
     * width, prediction heads, supervision heads): trained with the model, then dropped.
     */
    interface Aux {
        /** A weight matrix drawn from the run's seed (Xavier normal). */
        SDVariable weight(String name, long rows, long columns);

        /** A bias, starting at zero. */
        SDVariable bias(String name, long size);
    }

    /** A short description that identifies the objective and its settings, e.g. {@code hinton T=4 alpha=0.5}. */
    String describe();

    default boolean needsTeacher() {
        return false;
    }

    /** Teacher outputs other than logits (hidden states, attention maps) that each batch must carry. */
    default List<String> teacherOutputs() {
        return List.of();
    }

    /** Adds the loss to {@code sd} and returns it (a scalar). */
    SDVariable define(SameDiff sd, Inputs in);
}
