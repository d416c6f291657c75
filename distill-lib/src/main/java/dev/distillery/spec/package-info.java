/**
 * Specs and what goes wrong with them, the base every other package builds on:
 * {@link dev.distillery.spec.SpecException} (a spec, option or argument that cannot be used, with a
 * message that names it and says how to fix it), {@link dev.distillery.spec.Specs} (specs and records
 * read and written as YAML or JSON, unknown fields refused) and {@link dev.distillery.spec.AtomicFiles}
 * (files written beside their target and moved into place, so a reader never sees half a file).
 *
 * <p>May import: nothing else of Distillery.
 */
package dev.distillery.spec;
