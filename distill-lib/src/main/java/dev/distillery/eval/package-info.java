/**
 * Measures of a model against labels or a teacher: accuracy, agreement and divergences
 * ({@link dev.distillery.eval.Fidelity}), CKA, embedding neighbours, size and latency
 * ({@link dev.distillery.eval.Latency}), gathered in {@link dev.distillery.eval.Metrics}. Plain
 * arrays in, numbers out.
 *
 * <p>May import: nothing else of Distillery.
 */
package dev.distillery.eval;
