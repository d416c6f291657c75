package dev.distillery.backend;

import java.util.SplittableRandom;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One seed fixes every random source: ND4J's generator and the Java generators Distillery draws
 * weights, shuffles and dropout masks from. Streams are derived by purpose, so adding a random
 * draw in one place does not move the numbers in another.
 */
public final class Seeds {

    private Seeds() {}

    /** Seeds ND4J's global generator and returns the root Java generator for {@code seed}. */
    public static SplittableRandom fix(long seed) {
        Nd4j.getRandom().setSeed(seed);
        return new SplittableRandom(seed);
    }

    /** A standard normal draw from {@code r} (Box-Muller, one uniform pair per draw). */
    public static double gaussian(SplittableRandom r) {
        double u = 1.0 - r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /** A {@code shape} array of normal draws with deviation {@code std}, drawn in row-major order. */
    public static org.nd4j.linalg.api.ndarray.INDArray normal(SplittableRandom r, double std, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] w = new float[(int) n];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (gaussian(r) * std);
        }
        return Nd4j.create(w, shape, org.nd4j.linalg.api.buffer.DataType.FLOAT);
    }

    /** A generator for one purpose (e.g. "shuffle", epoch 3) that depends only on the seed and the purpose. */
    public static SplittableRandom stream(long seed, String purpose, long index) {
        long h = seed * 0x9E3779B97F4A7C15L;
        for (int i = 0; i < purpose.length(); i++) {
            h = (h ^ purpose.charAt(i)) * 0x100000001B3L;
        }
        return new SplittableRandom(h ^ (index * 0xBF58476D1CE4E5B9L));
    }
}
