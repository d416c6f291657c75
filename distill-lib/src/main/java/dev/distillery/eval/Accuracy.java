package dev.distillery.eval;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Top-1 accuracy of logits {@code [N, C]} against integer labels. */
public final class Accuracy {

    private Accuracy() {}

    public static double of(INDArray logits, int[] labels) {
        if (logits.rows() != labels.length) {
            throw new IllegalArgumentException(
                    "accuracy: " + logits.rows() + " rows of logits for " + labels.length + " labels");
        }
        int[] pred = argmax(logits);
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            correct += pred[i] == labels[i] ? 1 : 0;
        }
        return labels.length == 0 ? Double.NaN : correct / (double) labels.length;
    }

    /** The index of the largest value of each row. */
    public static int[] argmax(INDArray logits) {
        float[][] m = Matrices.floats(logits);
        int[] out = new int[m.length];
        for (int i = 0; i < m.length; i++) {
            int best = 0;
            for (int j = 1; j < m[i].length; j++) {
                if (m[i][j] > m[i][best]) {
                    best = j;
                }
            }
            out[i] = best;
        }
        return out;
    }
}
