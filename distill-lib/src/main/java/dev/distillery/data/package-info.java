/**
 * Data sets and their files: the {@link dev.distillery.data.Datasets} registry (each
 * {@link dev.distillery.data.Dataset} loads its splits and names the files it read, with checksums),
 * Fashion-MNIST, the synthetic speech set (built with espeak-ng, festival and sox; log-mel features),
 * the text corpus and tasks with their tokenizer, {@link dev.distillery.data.Splits} and batches, and
 * {@link dev.distillery.data.DataLocator} (where files are looked for, SHA-256 checked), and a
 * user's own data: the {@link dev.distillery.data.DataSources} registry of kinds (class folders of
 * images or WAV files, CSV tables, NumPy arrays) read, split and checked by {@code OwnDataset}.
 *
 * <p>May import: backend, registry, spec.
 */
package dev.distillery.data;
