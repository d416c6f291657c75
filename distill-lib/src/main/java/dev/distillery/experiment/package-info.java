/**
 * Experiments and their records: an {@link dev.distillery.experiment.ExperimentSpec} (data,
 * teacher or ensemble, students, recipes, seeds, chains) run by {@link dev.distillery.experiment.Experiment},
 * one {@link dev.distillery.experiment.RunRecord} per run in a {@link dev.distillery.experiment.RunStore},
 * tables and charts rebuilt from records ({@link dev.distillery.experiment.Results}), sweeps, the
 * quickstart, the speech and sentence studies, and the {@link dev.distillery.experiment.Registries} help
 * and the README list.
 *
 * <p>May import: backend, data, distill, eval, loss, model, plot, provenance, registry, spec, teacher, train.
 */
package dev.distillery.experiment;
