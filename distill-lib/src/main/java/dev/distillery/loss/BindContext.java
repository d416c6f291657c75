package dev.distillery.loss;

import dev.distillery.model.Layered;
import dev.distillery.model.Network;
import java.util.List;

/**
 * The models a loss is bound to: the student, and its teacher or an ensemble's teachers with their
 * names, weights and {@link EnsembleMode}. A single teacher may be null (a loss without one).
 */
public record BindContext(
        Network student, List<Layered> teachers, List<String> names, double[] weights, EnsembleMode mode) {

    public BindContext {
        teachers = teachers == null
                ? List.of()
                : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(teachers));
        names = names == null ? List.of() : List.copyOf(names);
        weights = weights == null ? null : weights.clone();
    }

    /** {@code student} taught by {@code teacher} (null: no teacher). */
    public static BindContext single(Layered teacher, Network student) {
        return new BindContext(
                student, teacher == null ? null : java.util.Collections.singletonList(teacher), null, null, null);
    }

    /** {@code student} taught by {@code teachers}, named {@code names} and weighted {@code weights}, in {@code mode}. */
    public static BindContext ensemble(
            List<? extends Layered> teachers,
            List<String> names,
            double[] weights,
            EnsembleMode mode,
            Network student) {
        return new BindContext(student, List.copyOf(teachers), names, weights, mode);
    }

    public boolean isEnsemble() {
        return mode != null;
    }

    /** The single teacher (null if none). */
    public Layered teacher() {
        return teachers.isEmpty() ? null : teachers.get(0);
    }
}
