/**
 * Distillation losses, bound once to a student and its teachers: the logit losses
 * ({@link dev.distillery.loss.Losses} registry: scratch, Hinton, none), feature terms and
 * projections ({@link dev.distillery.loss.FeatureTerms}, {@link dev.distillery.loss.Projection}),
 * layer mappings and prediction heads ({@link dev.distillery.loss.FeatureLoss}), ensemble modes, and
 * {@link dev.distillery.loss.LossSpec}, the serialisable form specs and records carry.
 *
 * <p>May import: model, nn, registry, spec, tensor, train.
 */
package dev.distillery.loss;
