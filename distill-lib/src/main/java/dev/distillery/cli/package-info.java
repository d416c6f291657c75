/**
 * The {@code ./distillery} command line (picocli): quickstart, run, runs, backend, dataset, study and
 * figure, with console progress.
 *
 * <p>May import: backend, data, experiment, plot, registry, spec, train.
 */
package dev.distillery.cli;
