package dev.distillery.data;

import dev.distillery.backend.Rows;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Seeded shuffling into mini-batches; each batch carries the rows it was drawn from. */
public final class Batches {

    /** One mini-batch: the rows of the dataset it holds, and those rows pulled from each array. */
    public record Batch(int[] rows, INDArray features, INDArray oneHot, INDArray labelMask, INDArray teacherLogits) {
        public int size() {
            return rows.length;
        }
    }

    private Batches() {}

    /** The row order of one epoch: a permutation that depends only on {@code rng}. */
    public static List<int[]> plan(int n, int batchSize, SplittableRandom rng) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        int[] perm = LabeledData.permutation(n, rng);
        List<int[]> out = new ArrayList<>();
        for (int s = 0; s < n; s += batchSize) {
            out.add(Arrays.copyOfRange(perm, s, Math.min(n, s + batchSize)));
        }
        return out;
    }

    /** Pulls a batch's rows; {@code teacherLogits} and {@code labelMask} may be null. */
    public static Batch take(
            int[] rows, INDArray features, INDArray oneHot, INDArray labelMask, INDArray teacherLogits) {
        return new Batch(
                rows,
                Rows.gather(features, rows),
                Rows.gather(oneHot, rows),
                labelMask == null ? null : Rows.gather(labelMask, rows),
                teacherLogits == null ? null : Rows.gather(teacherLogits, rows));
    }
}
