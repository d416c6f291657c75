/**
 * Models as specs and networks: the spec families ({@link dev.distillery.model.MlpSpec},
 * {@link dev.distillery.model.CnnSpec}, {@link dev.distillery.model.TransformerSpec} for images, speech
 * frames and tokens, {@link dev.distillery.model.MultiHeadSpec}), their compact string form and
 * parameter counts, {@link dev.distillery.model.Budgets} (depth/width at a parameter budget), and
 * {@link dev.distillery.model.Network}: a spec's modules with their weights, the forward pass and named
 * hidden states ({@link dev.distillery.model.Layered}).
 *
 * <p>May import: backend, data, nn, spec, tensor.
 */
package dev.distillery.model;
