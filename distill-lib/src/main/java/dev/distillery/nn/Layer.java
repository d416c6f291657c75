package dev.distillery.nn;

import dev.distillery.tensor.Var;

/** A module that maps rows {@code [N, in]} to rows {@code [N, out]}: a linear map, an MLP, a norm. */
public interface Layer {

    Var forward(Forward f, Var x);
}
