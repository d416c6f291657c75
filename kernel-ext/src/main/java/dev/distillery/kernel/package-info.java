/**
 * The Jupyter kernel: {@link dev.distillery.kernel.DistilleryKernel} (JJava's base kernel with a JShell
 * session that survives failed cells, Distillery's imports preloaded, magics, completion and
 * inspection), the {@link dev.distillery.kernel.Workbench} of a session's data, teachers, students and
 * runs, the kernelspec installer and the notebook helpers cells call. Registers the magics of
 * {@code kernel.magics}, which in turn use the workbench: the two packages are one component.
 *
 * <p>May import: backend, data, experiment, kernel.display, kernel.magics, model, teacher, train.
 */
package dev.distillery.kernel;
