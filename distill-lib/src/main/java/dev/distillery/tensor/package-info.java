/**
 * The autograd tape under every model: {@link dev.distillery.tensor.Var} (a value on the
 * {@link dev.distillery.tensor.Tape}, with its backward rule), grouped by kind of op (products,
 * element-wise, reductions, broadcasting, movement), the fused kernels (layer norm, losses) and GEMM,
 * and workspace memory.
 *
 * <p>May import: backend.
 */
package dev.distillery.tensor;
