package dev.distillery.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class OptimizerKernelsTest {

    /** Not a multiple of any vector width: the loop's scalar tail runs too. */
    private static final int N = 1003;

    private static float[] gaussian(long seed, float scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[N];
        for (int i = 0; i < N; i++) {
            a[i] = (float) (scale * (r.nextDouble() * 2 - 1));
        }
        return a;
    }

    @Test
    void threeAdamStepsGiveTheDefinitionsNumbersBitForBit() {
        float[] p0 = gaussian(1, 1f);
        float[] mWant = new float[N];
        float[] vWant = new float[N];
        float[] pWant = p0.clone();
        float[] m = new float[N];
        float[] v = new float[N];
        INDArray param = Nd4j.create(p0.clone(), new long[] {N}, DataType.FLOAT);
        float b1 = 0.9f;
        float b2 = 0.999f;
        float eps = 1e-8f;
        for (int t = 1; t <= 3; t++) {
            float[] g = gaussian(10 + t, 1e-3f);
            float lr = (float) (1e-3 * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t)));
            for (int i = 0; i < N; i++) {
                mWant[i] = b1 * mWant[i] + (1 - b1) * g[i];
                vWant[i] = b2 * vWant[i] + (1 - b2) * g[i] * g[i];
                pWant[i] -= lr * mWant[i] / ((float) Math.sqrt(vWant[i]) + eps);
            }
            OptimizerKernels.adam(param, Nd4j.create(g, new long[] {N}, DataType.FLOAT), m, v, b1, b2, lr, eps);
        }
        assertArrayEquals(mWant, m, 0f, "first moments");
        assertArrayEquals(vWant, v, 0f, "second moments");
        assertArrayEquals(pWant, param.toFloatVector(), 0f, "parameters");
    }

    @Test
    void findsANonFiniteValueWhereverItIs() {
        for (int at : new int[] {0, 17, N - 1}) {
            for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                float[] g = gaussian(3, 1f);
                g[at] = bad;
                assertFalse(
                        OptimizerKernels.allFinite(Nd4j.create(g, new long[] {N}, DataType.FLOAT)), bad + " at " + at);
            }
        }
        float[] huge = gaussian(4, Float.MAX_VALUE);
        assertTrue(OptimizerKernels.allFinite(Nd4j.create(huge, new long[] {N}, DataType.FLOAT)), "large but finite");
    }

    @Test
    void refusesAViewOrADoubleArray() {
        INDArray d = Nd4j.zeros(DataType.DOUBLE, 4);
        var e = assertThrows(IllegalArgumentException.class, () -> OptimizerKernels.allFinite(d));
        assertTrue(e.getMessage().contains("contiguous float arrays, got DOUBLE"), e.getMessage());
    }
}
