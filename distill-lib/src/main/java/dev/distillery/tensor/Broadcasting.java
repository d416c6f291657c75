package dev.distillery.tensor;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Gradients of broadcast operands: summed back to each operand's own shape. */
final class Broadcasting {

    private Broadcasting() {}

    /**
     * Column sums of a matrix {@code [N, M]} as {@code [1, M]}: a product with a row of ones, which
     * BLAS does 20 times faster than ND4J's strided reduction over the first axis.
     */
    static INDArray columnSums(INDArray g) {
        if (g.rank() != 2) {
            throw new IllegalArgumentException("column sums of a matrix, got " + Arrays.toString(g.shape()));
        }
        return Gemm.mm(Gemm.ones(g.dataType(), g.size(0)), g, false, false);
    }

    /** Sums a broadcast gradient back to {@code shape}. */
    static INDArray reduceTo(INDArray g, long[] shape) {
        long[] gs = g.shape();
        if (Arrays.equals(gs, shape)) {
            return g;
        }
        // broadcast over leading axes only (a bias, a position table): column sums of a matrix view
        int lead = gs.length - shape.length;
        int k = 0;
        while (k < gs.length && (k < lead || (shape[k - lead] == 1 && gs[k] != 1))) {
            k++;
        }
        boolean rest = k > 0 && k < gs.length && g.ordering() == 'c';
        long cols = 1;
        for (int i = k; i < gs.length && rest; i++) {
            rest = shape[i - lead] == gs[i];
            cols *= gs[i];
        }
        if (rest) {
            return columnSums(g.reshape('c', g.length() / cols, cols)).reshape('c', shape);
        }
        int[] dims = new int[gs.length];
        int n = 0;
        for (int i = 0; i < gs.length; i++) {
            long target = i < lead ? 1 : shape[i - lead];
            if (target == 1 && gs[i] != 1) {
                dims[n++] = i;
            }
        }
        INDArray r = n == 0 ? g : g.sum(true, Arrays.copyOf(dims, n));
        return r.reshape('c', shape);
    }
}
