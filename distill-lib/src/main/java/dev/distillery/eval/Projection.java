package dev.distillery.eval;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;

/** Principal component analysis for looking at embeddings: rows projected onto their top components. */
public final class Projection {

    private Projection() {}

    /**
     * The rows of {@code x} ({@code [N, D]}) centred and projected onto their {@code k} principal
     * components ({@code [N, k]}): the eigenvectors of the covariance with the largest eigenvalues (LAPACK's
     * symmetric eigensolver through ND4J); each component's sign is fixed so that its largest loading is
     * positive, so the picture does not flip between runs.
     */
    public static double[][] pca(INDArray x, int k) {
        INDArray centred = x.castTo(DataType.DOUBLE).dup();
        centred.subiRowVector(centred.mean(0));
        INDArray vectors = centred.transpose()
                .mmul(centred)
                .divi(Math.max(1, x.rows() - 1))
                .dup('f');
        // eigenvalues ascending; the eigenvectors replace the matrix, one per column
        Eigen.symmetricGeneralizedEigenvalues(vectors, true);
        int d = vectors.columns();
        double[][] out = new double[x.rows()][k];
        for (int c = 0; c < k && c < d; c++) {
            INDArray v = vectors.getColumn(d - 1 - c).dup().reshape(d, 1);
            if (v.getDouble(argmaxAbs(v), 0) < 0) {
                v.negi();
            }
            INDArray projected = centred.mmul(v);
            for (int i = 0; i < out.length; i++) {
                out[i][c] = projected.getDouble(i, 0);
            }
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
