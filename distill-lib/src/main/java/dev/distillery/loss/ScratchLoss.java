package dev.distillery.loss;

import dev.distillery.model.CrossEntropy;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

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
    public SDVariable define(SameDiff sd, Inputs in) {
        return CrossEntropy.masked(sd, in.logits(), in.labels(), in.labelMask());
    }
}
