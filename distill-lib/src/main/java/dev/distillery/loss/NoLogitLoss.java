package dev.distillery.loss;

import dev.distillery.tensor.Var;
import dev.distillery.train.Objective;

/**
 * No loss on the logits at all: the logit part of a task-agnostic features loss (DistilHuBERT's
 * recipe learns from the teacher's hidden states alone, without labels). The student's classifier
 * is left untrained, so its accuracy means nothing; probes measure what such a student learned.
 */
public record NoLogitLoss() implements LossSpec, Objective {

    @Override
    public String describe() {
        return "no logit loss (task-agnostic)";
    }

    @Override
    public String label() {
        return "none";
    }

    @Override
    public boolean taskAgnostic() {
        return true;
    }

    @Override
    public Var define(Inputs in) {
        return in.tape().scalar(0.0);
    }

    @Override
    public boolean needsTeacher() {
        return false;
    }

    /** Itself, which needs no weights of its own; for an ensemble, the ensemble's objective. */
    @Override
    public Objective bind(BindContext context) {
        return context.isEnsemble() ? EnsembleLoss.bind(this, context) : this;
    }
}
