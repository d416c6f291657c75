/**
 * The benchmark against PyTorch: training-step cases, whole workflows and start-up, the step timer
 * and memory breakdown, and the driver that runs each side in its own process and prints ratios
 * measured in the same run.
 *
 * <p>May import: backend, data, distill, experiment, loss, model, teacher, tensor, train.
 */
package dev.distillery.bench;
