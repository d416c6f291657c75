package dev.distillery.nn;

import dev.distillery.tensor.Var;

/** The mean over a sequence's positions, {@code [B, S, D]} to {@code [B, D]}; with padding, over real tokens only. */
public final class MeanPooling extends Module {

    public Var forward(Var x, Embedded.Padding padding) {
        return padding == null
                ? x.mean(false, 1)
                : x.mul(padding.keep()).sum(false, 1).div(padding.count());
    }
}
