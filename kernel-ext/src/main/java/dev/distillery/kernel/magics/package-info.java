/**
 * The magics ({@code %teacher}, {@code %student}, {@code %distill}, {@code %%distill}, {@code %sweep},
 * {@code %ensemble}, {@code %chain}, {@code %runs}, {@code %plot}, {@code %dataset}, {@code %help} and
 * the class-path magics), each a picocli command with help text, in the
 * {@link dev.distillery.kernel.magics.MagicCatalog}.
 *
 * <p>May import: backend, data, distill, eval, experiment, kernel, kernel.display, loss, model, plot, spec, teacher, train.
 */
package dev.distillery.kernel.magics;
