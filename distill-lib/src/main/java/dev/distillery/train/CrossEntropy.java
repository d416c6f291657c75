package dev.distillery.train;

import dev.distillery.tensor.FusedLosses;
import dev.distillery.tensor.Var;

/** Cross-entropy with the hard labels, averaged over the labeled examples of the batch. */
public record CrossEntropy() implements Objective {

    @Override
    public String describe() {
        return "cross-entropy";
    }

    @Override
    public Var define(Inputs in) {
        return masked(in.logits(), in.labels(), in.labelMask());
    }

    /** {@code sum_i mask_i * CE_i / max(sum_i mask_i, tiny)}: zero for a batch without labels. */
    public static Var masked(Var logits, Var labels, Var mask) {
        return FusedLosses.maskedCrossEntropy(logits, labels, mask);
    }
}
