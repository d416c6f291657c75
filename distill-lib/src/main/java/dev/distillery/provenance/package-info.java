/**
 * Where a trained model came from, saved with it: {@link dev.distillery.provenance.ModelFile} (the
 * {@code .dtm} zip of spec, weights and provenance, and the readers of every earlier layout),
 * {@link dev.distillery.provenance.Provenance} (objective, teacher, data fingerprint, seed, versions)
 * and {@link dev.distillery.provenance.Lineage} (the teachers, weights and chain stages soft targets
 * came from). Run records, which embed an experiment spec, live in {@code experiment}.
 *
 * <p>May import: backend, model, spec.
 */
package dev.distillery.provenance;
