package dev.distillery.loss;

import dev.distillery.model.CrossEntropy;
import dev.distillery.tensor.Var;

/** Training from scratch: cross-entropy on the labels the student may see, no teacher. */
public record ScratchLoss() implements LossSpec {

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
}
