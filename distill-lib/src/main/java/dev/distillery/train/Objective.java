package dev.distillery.train;

import dev.distillery.model.Network;
import dev.distillery.nn.Forward;
import dev.distillery.nn.Module;
import dev.distillery.spec.SpecException;
import dev.distillery.tensor.Tape;
import dev.distillery.tensor.Var;
import java.util.List;
import java.util.Map;

/**
 * What training minimises: given the model's outputs and the batch, the scalar loss, built from
 * {@link Var} ops on the step's {@link Tape} (so its gradient comes for free). Plain cross-entropy
 * lives here; distillation losses live in the {@code loss} package.
 */
public interface Objective {

    /**
     * The inputs a loss may use. {@code teacherLogits} is null unless {@link #needsTeacher()};
     * {@code teacherOutputs} holds one value per reference in {@link #teacherOutputs()}, each
     * flattened to {@code [B, prod(shape)]}; {@code weights} gives the values of the loss's own
     * weights ({@link #weights()}) in this step; {@code student} holds the student's named outputs
     * ({@link Network#outputNames()}), {@code logits} among them.
     */
    record Inputs(
            Var logits,
            Var labels,
            Var labelMask,
            Var teacherLogits,
            Map<TeacherOutput, Var> teacherOutputs,
            Forward weights,
            Map<String, Var> student) {

        public Inputs(Var logits, Var labels, Var labelMask, Var teacherLogits) {
            this(logits, labels, labelMask, teacherLogits, Map.of(), null, Map.of(Network.LOGITS, logits));
        }

        /** The student's output {@code name}. */
        public Var student(String name) {
            Var v = student.get(name);
            if (v == null) {
                throw new SpecException(
                        "the student has no output '" + name + "'; it has " + String.join(", ", student.keySet()));
            }
            return v;
        }

        /** The teacher's output {@code ref}. */
        public Var teacher(TeacherOutput ref) {
            Var v = teacherOutputs.get(ref);
            if (v == null) {
                throw new IllegalStateException(
                        "the batch carries no " + ref + "; list it in the objective's teacherOutputs()");
            }
            return v;
        }

        public Tape tape() {
            return logits.tape();
        }
    }

    /**
     * Trainable weights that belong to the loss rather than the model (projections to the teacher's
     * width, prediction heads, supervision heads), declared when the loss is bound to its models:
     * initialised from the run's seed in declaration order, trained with the model, then dropped
     * (never saved or counted). Null when the loss has none.
     */
    default Module weights() {
        return null;
    }

    /** A short description that identifies the objective and its settings, e.g. {@code hinton T=4 alpha=0.5}. */
    String describe();

    /**
     * True when the loss never looks at the labels or the logits (task-agnostic distillation): the
     * classifier stays untrained, so the trainer keeps the last epoch's weights instead of choosing
     * an epoch by validation accuracy.
     */
    default boolean taskAgnostic() {
        return false;
    }

    default boolean needsTeacher() {
        return false;
    }

    /**
     * Whether each batch must carry the teacher's logits. A loss on features alone (a sentence
     * encoder has no logits) needs the teacher but not its logits.
     */
    default boolean needsTeacherLogits() {
        return needsTeacher();
    }

    /** Teacher outputs other than the logits (hidden states, attention maps) that each batch must carry. */
    default List<TeacherOutput> teacherOutputs() {
        return List.of();
    }

    /** The loss for one batch (a scalar). */
    Var define(Inputs in);
}
