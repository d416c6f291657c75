/**
 * Distillation runs: {@link dev.distillery.distill.Distill} (a student from a teacher, an ensemble
 * or scratch, with a loss, on data, to a {@link dev.distillery.distill.DistillResult} with metrics and
 * provenance), sentence-embedding distillation, teacher-assistant chains, ensemble weights by
 * differential evolution, layer dropping and layer probes.
 *
 * <p>May import: backend, data, eval, loss, model, provenance, spec, teacher, tensor, train.
 */
package dev.distillery.distill;
