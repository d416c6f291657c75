package dev.distillery.eval;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A matrix's rows as Java arrays in one bulk copy. ND4J's {@code toDoubleMatrix()} and {@code
 * toFloatMatrix()} make an array view per row, each with its own native shape buffer: for the
 * 2,000 validation logits a run reads after every epoch that cost milliseconds where a copy costs
 * microseconds (the fast quickstart spent a third of its student time there).
 */
public final class Matrices {

    private Matrices() {}

    /** The rows of {@code m} ({@code [rows, cols]}, any type) as doubles. */
    public static double[][] doubles(INDArray m) {
        int rows = (int) m.size(0);
        int cols = (int) m.size(1);
        double[] flat = flat(m, DataType.DOUBLE).data().asDouble();
        double[][] out = new double[rows][];
        for (int i = 0; i < rows; i++) {
            out[i] = java.util.Arrays.copyOfRange(flat, i * cols, (i + 1) * cols);
        }
        return out;
    }

    /** The rows of {@code m} ({@code [rows, cols]}, any type) as floats. */
    public static float[][] floats(INDArray m) {
        int rows = (int) m.size(0);
        int cols = (int) m.size(1);
        float[] flat = flat(m, DataType.FLOAT).data().asFloat();
        float[][] out = new float[rows][];
        for (int i = 0; i < rows; i++) {
            out[i] = java.util.Arrays.copyOfRange(flat, i * cols, (i + 1) * cols);
        }
        return out;
    }

    /** A c-order copy of {@code m} as {@code type}, alone in its buffer. */
    private static INDArray flat(INDArray m, DataType type) {
        if (m.rank() != 2) {
            throw new IllegalArgumentException("expected a matrix, got shape " + java.util.Arrays.toString(m.shape()));
        }
        INDArray c = m.dataType() == type ? m.dup('c') : m.castTo(type).dup('c');
        return c;
    }
}
