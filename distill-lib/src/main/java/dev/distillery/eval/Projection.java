package dev.distillery.eval;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Principal component analysis for looking at embeddings: rows projected onto their top components. */
public final class Projection {

    private Projection() {}

    /**
     * The rows of {@code x} ({@code [N, D]}) centred and projected onto their {@code k} principal
     * components ({@code [N, k]}), found by power iteration on the covariance with deflation; each
     * component's sign is fixed so that its largest loading is positive, so the picture does not
     * flip between runs.
     */
    public static double[][] pca(INDArray x, int k) {
        INDArray centred = x.castTo(DataType.DOUBLE).dup();
        centred.subiRowVector(centred.mean(0));
        INDArray cov = centred.transpose().mmul(centred).divi(Math.max(1, x.rows() - 1));
        long d = cov.rows();
        double[][] out = new double[x.rows()][k];
        for (int c = 0; c < k && c < d; c++) {
            INDArray v = org.nd4j.linalg.factory.Nd4j.linspace(DataType.DOUBLE, 1, d, 1)
                    .reshape(d, 1);
            double lambda = 0;
            for (int it = 0; it < 500; it++) {
                INDArray w = cov.mmul(v);
                double norm = w.norm2Number().doubleValue();
                if (norm == 0) {
                    break;
                }
                w.divi(norm);
                double change = w.sub(v).norm2Number().doubleValue();
                v = w;
                lambda = norm;
                if (change < 1e-10) {
                    break;
                }
            }
            if (v.getDouble(argmaxAbs(v), 0) < 0) {
                v.negi();
            }
            INDArray projected = centred.mmul(v);
            for (int i = 0; i < out.length; i++) {
                out[i][c] = projected.getDouble(i, 0);
            }
            cov.subi(v.mmul(v.transpose()).muli(lambda)); // deflate: the next component is orthogonal
        }
        return out;
    }

    private static int argmaxAbs(INDArray v) {
        int best = 0;
        for (int i = 1; i < v.rows(); i++) {
            if (Math.abs(v.getDouble(i, 0)) > Math.abs(v.getDouble(best, 0))) {
                best = i;
            }
        }
        return best;
    }
}
