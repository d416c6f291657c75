/**
 * What a cell shows: renderers of Distillery's values as HTML and text, the live progress area that
 * training updates in place, and the display sinks.
 *
 * <p>May import: data, distill, experiment, model, plot, provenance, teacher, train.
 */
package dev.distillery.kernel.display;
