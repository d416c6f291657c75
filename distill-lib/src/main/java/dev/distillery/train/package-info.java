/**
 * Training: the {@link dev.distillery.train.Trainer} loop (batches, Adam, validation, early
 * stopping, NaN and interrupt handling), the {@link dev.distillery.train.Objective} it minimises,
 * {@link dev.distillery.train.TrainingOptions}, checkpoints to resume from, listeners and progress
 * events, the stop signal a notebook's interrupt raises, and the outcome with its curve.
 *
 * <p>May import: backend, data, eval, model, nn, provenance, spec, tensor.
 */
package dev.distillery.train;
