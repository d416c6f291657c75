/**
 * Figures: {@link dev.distillery.plot.Charts} draws XChart charts and saves them as PNG.
 *
 * <p>May import: nothing else of Distillery.
 */
package dev.distillery.plot;
