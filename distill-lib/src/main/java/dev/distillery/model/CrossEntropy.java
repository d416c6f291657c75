package dev.distillery.model;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Cross-entropy with the hard labels, averaged over the labeled examples of the batch. Built from
 * primitive ops: SameDiff's {@code sd.loss.*} ops drop scalar weights in backprop.
 */
public record CrossEntropy() implements Objective {

    @Override
    public String describe() {
        return "cross-entropy";
    }

    @Override
    public SDVariable define(SameDiff sd, Inputs in) {
        return masked(sd, in.logits(), in.labels(), in.labelMask());
    }

    /** {@code sum_i mask_i * CE_i / max(sum_i mask_i, tiny)}: zero for a batch without labels. */
    public static SDVariable masked(SameDiff sd, SDVariable logits, SDVariable labels, SDVariable mask) {
        SDVariable logp = sd.nn.logSoftmax(logits);
        SDVariable ce = logp.mul(labels).sum(true, 1).neg();
        return ce.mul(mask).sum().div(mask.sum().add(1e-8));
    }
}
