/**
 * ND4J start-up and what does the arithmetic: {@link dev.distillery.backend.Backend} sets the thread
 * counts of ND4J, OpenMP and BLAS and reports the BLAS library, CPU and native kernel build;
 * {@link dev.distillery.backend.Versions} lists library versions for records and model files;
 * {@link dev.distillery.backend.Seeds} derives independent seeds.
 *
 * <p>May import: nothing else of Distillery.
 */
package dev.distillery.backend;
