package dev.distillery.eval;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.inverse.InvertMatrix;

/**
 * How closely one model's sentence embeddings follow another's. Widths may differ:
 * <ul>
 * <li>{@link #fidelity}: a linear map (ridge least squares, with a bias) from the student's space to
 *     the teacher's is fitted on training sentences; the score is the mean cosine between the mapped
 *     student embedding and the teacher's on held-out sentences. Every student gets the same
 *     treatment, trained, untrained or distilled, so the numbers compare;
 * <li>{@link #neighbourAgreement}: for each held-out sentence, the overlap of its {@code k} nearest
 *     neighbours (by cosine, itself excluded) in the student's space with those in the teacher's,
 *     averaged: no map at all.
 * </ul>
 */
public final class Embeddings {

    private Embeddings() {}

    /** Mean cosine on held-out rows after a ridge map ({@code lambda}·I) fitted on training rows; rows are examples. */
    public static double fidelity(
            INDArray studentTrain, INDArray teacherTrain, INDArray studentHeld, INDArray teacherHeld, double lambda) {
        if (studentTrain.rows() != teacherTrain.rows() || studentHeld.rows() != teacherHeld.rows()) {
            throw new IllegalArgumentException("fidelity needs the same sentences on both sides: " + studentTrain.rows()
                    + " vs " + teacherTrain.rows() + " training rows, " + studentHeld.rows() + " vs "
                    + teacherHeld.rows() + " held out");
        }
        INDArray map = fitMap(studentTrain, teacherTrain, lambda);
        INDArray mapped = withBias(studentHeld).mmul(map);
        return meanCosine(mapped, teacherHeld.castTo(DataType.DOUBLE));
    }

    /** As {@link #fidelity(INDArray, INDArray, INDArray, INDArray, double)} with λ = 1e-3 × the mean squared norm. */
    public static double fidelity(
            INDArray studentTrain, INDArray teacherTrain, INDArray studentHeld, INDArray teacherHeld) {
        return fidelity(studentTrain, teacherTrain, studentHeld, teacherHeld, -1);
    }

    /** The ridge solution {@code W} of {@code [S 1] W ≈ T} (double precision). */
    static INDArray fitMap(INDArray s, INDArray t, double lambda) {
        INDArray x = withBias(s);
        INDArray y = t.castTo(DataType.DOUBLE);
        INDArray xtx = x.transpose().mmul(x);
        double trace = 0;
        for (int i = 0; i < xtx.rows(); i++) {
            trace += xtx.getDouble(i, i);
        }
        double l = lambda >= 0 ? lambda : 1e-3 * trace / xtx.rows();
        xtx.addi(Nd4j.eye(xtx.rows()).castTo(DataType.DOUBLE).muli(Math.max(l, 1e-9)));
        return InvertMatrix.invert(xtx, false).mmul(x.transpose().mmul(y));
    }

    private static INDArray withBias(INDArray a) {
        return Nd4j.hstack(a.castTo(DataType.DOUBLE), Nd4j.ones(DataType.DOUBLE, a.rows(), 1));
    }

    /** The mean over rows of cos(a_i, b_i). */
    public static double meanCosine(INDArray a, INDArray b) {
        INDArray x = a.castTo(DataType.DOUBLE);
        INDArray y = b.castTo(DataType.DOUBLE);
        INDArray dot = x.mul(y).sum(1);
        INDArray nx = x.norm2(1);
        INDArray ny = y.norm2(1);
        return dot.div(nx.mul(ny).addi(1e-12)).meanNumber().doubleValue();
    }

    /** Mean overlap of the {@code k} nearest neighbours (cosine, self excluded) of each row in both spaces. */
    public static double neighbourAgreement(INDArray student, INDArray teacher, int k) {
        int n = student.rows();
        if (teacher.rows() != n) {
            throw new IllegalArgumentException(
                    "neighbour agreement needs the same sentences: " + n + " vs " + teacher.rows());
        }
        if (k < 1 || k >= n) {
            throw new IllegalArgumentException("k must be between 1 and " + (n - 1) + ", got " + k);
        }
        int[][] ns = neighbours(student, k);
        int[][] nt = neighbours(teacher, k);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            int[] a = ns[i].clone();
            Arrays.sort(a);
            int common = 0;
            for (int j : nt[i]) {
                common += Arrays.binarySearch(a, j) >= 0 ? 1 : 0;
            }
            sum += common / (double) k;
        }
        return sum / n;
    }

    /** The {@code k} rows nearest to row {@code row} by cosine, nearest first, itself excluded. */
    public static int[] nearest(INDArray x, int row, int k) {
        INDArray d = x.castTo(DataType.DOUBLE);
        INDArray unit = d.divColumnVector(d.norm2(1).reshape(d.rows(), 1).addi(1e-12));
        double[] sim = unit.mmul(unit.getRow(row).reshape(d.columns(), 1)).toDoubleVector();
        sim[row] = Double.NEGATIVE_INFINITY;
        return java.util.stream.IntStream.range(0, sim.length)
                .boxed()
                .sorted((p, q) -> Double.compare(sim[q], sim[p]))
                .limit(k)
                .mapToInt(Integer::intValue)
                .toArray();
    }

    /** Each row's {@code k} nearest rows by cosine, itself excluded. */
    static int[][] neighbours(INDArray x, int k) {
        INDArray d = x.castTo(DataType.DOUBLE);
        INDArray unit = d.divColumnVector(d.norm2(1).reshape(d.rows(), 1).addi(1e-12));
        double[][] sim = Matrices.doubles(unit.mmul(unit.transpose()));
        int n = sim.length;
        int[][] out = new int[n][];
        for (int i = 0; i < n; i++) {
            double[] row = sim[i];
            row[i] = Double.NEGATIVE_INFINITY;
            Integer[] idx = new Integer[n];
            for (int j = 0; j < n; j++) {
                idx[j] = j;
            }
            // partial selection would do; n is a few thousand at most
            Arrays.sort(
                    idx,
                    (p, q) -> Double.compare(row[q], row[p]) != 0
                            ? Double.compare(row[q], row[p])
                            : Integer.compare(p, q));
            out[i] = new int[k];
            for (int j = 0; j < k; j++) {
                out[i][j] = idx[j];
            }
        }
        return out;
    }
}
