package dev.distillery.loss;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.distillery.train.Objective;

/**
 * A distillation recipe's loss, as data: {@code {type: scratch}} (hard labels only, no teacher)
 * or {@code {type: hinton, temperature: 4, alpha: 0.5}}; compact form {@code hinton:T=4,alpha=0.5};
 * or {@code {type: none}} (no logit loss: the logit part of a task-agnostic features loss);
 * or {@code {type: features, logits: {...}, matches: [...], mapping: {...}, heads: {...}, supervise: [...]}}
 * ({@link FeatureLoss}).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ScratchLoss.class, name = "scratch"),
    @JsonSubTypes.Type(value = HintonLoss.class, name = "hinton"),
    @JsonSubTypes.Type(value = FeatureLoss.class, name = "features"),
    @JsonSubTypes.Type(value = NoLogitLoss.class, name = "none")
})
public sealed interface LossSpec permits ScratchLoss, HintonLoss, FeatureLoss, NoLogitLoss {

    /** A short name for tables, e.g. {@code scratch} or {@code kd T=4 a=0.5}. */
    String label();

    /** The loss and its settings, e.g. {@code hinton T=4 alpha=0.5}. */
    String describe();

    /** Whether it learns from a teacher (scratch does not). */
    boolean needsTeacher();

    /** Whether it never looks at the labels or the logits ({@link Objective#taskAgnostic()}). */
    boolean taskAgnostic();

    /**
     * The temperature at which it reads the teacher's soft targets, when it reads them (Hinton KD, or
     * a features loss whose logit part is Hinton KD): an ensemble of mode {@code targets} averages
     * its members' probabilities at this temperature.
     */
    default java.util.OptionalDouble softTargetTemperature() {
        return java.util.OptionalDouble.empty();
    }

    /**
     * Whether it learns from the teacher's intermediate outputs alone, never its class scores (a
     * features loss whose logit part is {@code none}): such a loss can distil a teacher without logits.
     */
    default boolean featuresAlone() {
        return false;
    }

    /**
     * The training objective this loss becomes for the models in {@code context}: output names and
     * shapes checked, layer mappings resolved, and every weight the loss owns (projections,
     * prediction heads, supervision heads) declared. Errors name the output and the fix.
     */
    Objective bind(BindContext context);
}
