package dev.distillery.loss;

import dev.distillery.tensor.Var;
import dev.distillery.train.CrossEntropy;
import dev.distillery.train.Objective;

/** Training from scratch: cross-entropy on the labels the student may see, no teacher. */
public record ScratchLoss() implements LossSpec, Objective {

    @Override
    public String describe() {
        return "scratch (cross-entropy)";
    }

    @Override
    public String label() {
        return "scratch";
    }

    @Override
    public Var define(Inputs in) {
        return CrossEntropy.masked(in.logits(), in.labels(), in.labelMask());
    }

    @Override
    public boolean needsTeacher() {
        return false;
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
