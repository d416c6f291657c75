package dev.distillery.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.backend.Backend;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** PCA as the embedding figures use it: the directions of most spread, in order, with a fixed sign. */
class ProjectionTest {

    /**
     * Points spread 10 along (1, 1, 0)/√2 and 1 along (0, 0, 1), plus a little noise: the first
     * component is the long direction (projections with variance about 100), the second the short one
     * (about 1), and they are uncorrelated.
     */
    @Test
    void componentsFollowTheSpreadInOrder() {
        Backend.start();
        SplittableRandom rng = new SplittableRandom(3);
        int n = 400;
        float[] data = new float[n * 3];
        double[] longAxis = new double[n];
        for (int i = 0; i < n; i++) {
            double a = 10 * gaussian(rng);
            double b = gaussian(rng);
            longAxis[i] = a;
            data[3 * i] = (float) (a / Math.sqrt(2) + 0.01 * gaussian(rng) + 5);
            data[3 * i + 1] = (float) (a / Math.sqrt(2) + 0.01 * gaussian(rng) - 2);
            data[3 * i + 2] = (float) (b + 0.01 * gaussian(rng));
        }
        INDArray x = Nd4j.create(data, new long[] {n, 3}, 'c').castTo(DataType.FLOAT);
        double[][] p = Projection.pca(x, 2);
        double v1 = variance(p, 0);
        double v2 = variance(p, 1);
        assertEquals(100, v1, 15, "the long direction first");
        assertEquals(1, v2, 0.2, "the short direction second");
        double corr = 0;
        double agree = 0;
        for (int i = 0; i < n; i++) {
            corr += p[i][0] * p[i][1];
            agree += p[i][0] * longAxis[i];
        }
        assertTrue(Math.abs(corr / n) < 0.5, "uncorrelated components: " + corr / n);
        assertTrue(Math.abs(agree / n) > 80, "the first component is the long axis: " + agree / n);
        double[][] again = Projection.pca(x, 2);
        assertEquals(p[0][0], again[0][0], 1e-9, "the same picture every time");
    }

    private static double variance(double[][] p, int c) {
        double s = 0;
        for (double[] row : p) {
            s += row[c] * row[c];
        }
        return s / (p.length - 1);
    }

    private static double gaussian(SplittableRandom rng) {
        return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
    }
}
