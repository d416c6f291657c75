package dev.distillery.loss;

import dev.distillery.spec.SpecException;
import dev.distillery.tensor.FusedLosses;
import dev.distillery.tensor.Var;
import dev.distillery.train.CrossEntropy;
import dev.distillery.train.Objective;

/**
 * Hinton et al.'s knowledge distillation:
 * {@code L = alpha * CE(y, softmax(z_s)) + (1 - alpha) * T^2 * mean_i KL(softmax(z_t/T) || softmax(z_s/T))}.
 * The hard term averages over the labeled examples of the batch; the soft term over all of them,
 * so a teacher can teach on examples whose labels the student never sees. {@code T^2} keeps the
 * soft term's gradient the same size as T changes.
 */
public record HintonLoss(Double temperature, Double alpha) implements LossSpec, Objective {

    public HintonLoss {
        temperature = temperature == null ? 4.0 : temperature;
        alpha = alpha == null ? 0.5 : alpha;
        if (!(temperature > 0) || temperature.isInfinite()) {
            throw new SpecException("hinton loss: temperature must be a positive number, got " + temperature);
        }
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new SpecException(
                    "hinton loss: alpha (the weight of the hard-label term) must be in [0, 1], got " + alpha);
        }
    }

    @Override
    public java.util.OptionalDouble softTargetTemperature() {
        return java.util.OptionalDouble.of(temperature);
    }

    @Override
    public boolean needsTeacher() {
        return true;
    }

    @Override
    public String describe() {
        return "hinton T=" + fmt(temperature) + " alpha=" + fmt(alpha);
    }

    @Override
    public String label() {
        return "kd T=" + fmt(temperature) + " a=" + fmt(alpha);
    }

    @Override
    public Var define(Inputs in) {
        Var soft = soft(in.logits(), in.teacherLogits(), temperature).mul(1 - alpha);
        if (alpha == 0) {
            return soft;
        }
        Var hard = CrossEntropy.masked(in.logits(), in.labels(), in.labelMask());
        return hard.mul(alpha.doubleValue()).add(soft);
    }

    /** {@code T² · mean_i KL(softmax(teacher_i/T) || softmax(student_i/T))}: the soft term at full weight. */
    static Var soft(Var student, Var teacher, double t) {
        return FusedLosses.softKl(student, teacher, t);
    }

    static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    @Override
    public boolean taskAgnostic() {
        return false;
    }

    /** Itself, which needs no weights of its own; for an ensemble, the ensemble's objective. */
    @Override
    public Objective bind(BindContext context) {
        return context.isEnsemble() ? EnsembleLoss.bind(this, context) : this;
    }
}
