/**
 * The training-step benchmark against PyTorch: cases, the step timer, and the driver that runs each
 * side in its own process and prints ratios measured in the same run.
 *
 * <p>May import: backend, data, distill, loss, model, teacher, tensor, train.
 */
package dev.distillery.bench;
