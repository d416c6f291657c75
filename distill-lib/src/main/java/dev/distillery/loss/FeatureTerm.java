package dev.distillery.loss;

import dev.distillery.tensor.Var;

/**
 * A loss between a student's and a teacher's intermediate outputs (hidden states, attention
 * maps, embeddings), as a scalar on the step's tape. Terms are registered by name in
 * {@link FeatureTerms}; a user-defined term registers the same way.
 */
@FunctionalInterface
public interface FeatureTerm {

    /**
     * The term for student output {@code s} and teacher output {@code t} of the same shape
     * (after any projection): {@code [B, D]}, {@code [B, S, D]} or, for attention, {@code [B, H, S, S]}.
     */
    Var define(Var s, Var t);
}
