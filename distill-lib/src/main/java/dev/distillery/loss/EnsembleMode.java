package dev.distillery.loss;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** How an ensemble's teachers teach one student ({@link EnsembleLoss}). */
public enum EnsembleMode {
    /** The student learns the weighted mean of the teachers' soft targets. */
    TARGETS,
    /** The student minimises the weighted mean of one loss per teacher. */
    LOSSES,
    /** Each of the student's heads learns from one teacher. */
    HEADS;

    /** {@code targets}, {@code losses} or {@code heads}: the name specs, magics and records use. */
    @JsonValue
    public String label() {
        return SpecLabels.of(this);
    }

    @JsonCreator
    public static EnsembleMode parse(String text) {
        return SpecLabels.parse(
                EnsembleMode.class,
                text,
                "ensemble mode '" + text + "': use targets (average the soft "
                        + "targets), losses (average the per-teacher losses) or heads (one student head per teacher)");
    }

    @Override
    public String toString() {
        return label();
    }
}
