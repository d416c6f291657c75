package dev.distillery.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * GELU, layer norm and softmax, forward and backward, over float rows in ND4J's own memory: loops in
 * the JDK's Vector API (as many lanes as the CPU's widest registers hold; AVX-512 gives 16), reading
 * and writing the arrays' direct buffers in place. Every buffer is in native byte order and offsets
 * are in floats; each loop finishes its last partial vector one value at a time.
 *
 * <p>Every result is the same whether the JIT has compiled a kernel yet or not. The Vector API's own
 * exponential and lane sums are not: compiled, they are a vector math library's exponential and a
 * tree of lane additions; before that, {@code Math.exp} per lane and additions in lane order. A
 * model's first steps then depended on when the compiler got there, and the speech study's first
 * student gave a KL of 2.465 or 2.466 from run to run. So the exponential here is built from
 * additions, products and bit operations ({@link #expLanes}), which are exact IEEE operations both ways,
 * and lanes are summed in lane order ({@link #addLanes}).
 *
 * <p>This class alone uses the incubating module {@code jdk.incubator.vector}, so it is compiled on
 * its own (javac warns about the module and cannot be told not to), and {@link RowKernels} loads it
 * only when the JVM was started with {@code --add-modules jdk.incubator.vector}.
 */
final class VectorKernels {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    /** GELU's sigmoid form: {@code x·σ(1.702·x)}. */
    private static final float GELU_SLOPE = 1.702f;

    private static final FloatVector ONE = FloatVector.broadcast(F, 1f);

    // exp(x) = 2^n · e^r with n = round(x·log2 e), r = x − n·ln 2 (in two parts), e^r by Cephes' expf polynomial
    private static final float LOG2E = 1.44269504f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** 1.5·2^23: adding it rounds a float of magnitude below 2^22 to an integer, held in the low bits. */
    private static final float ROUND = 12582912f;
    /** The bits of {@link #ROUND}, less the exponent bias: {@code bits(x + ROUND) − this} is {@code n + 127}. */
    private static final int ROUND_BITS_LESS_BIAS = 0x4B400000 - 127;
    /** The range where 2^n stays a normal float: below it e^x is taken as e^-87.3, above as e^88. */
    private static final float EXP_LOW = -87.3f;

    private static final float EXP_HIGH = 88f;

    private static final float P0 = 1.9875691500e-4f;
    private static final float P1 = 1.3981999507e-3f;
    private static final float P2 = 8.3334519073e-3f;
    private static final float P3 = 4.1665795894e-2f;
    private static final float P4 = 1.6666665459e-1f;
    private static final float P5 = 5.0000001201e-1f;

    private VectorKernels() {}

    /** e^x in every lane, within about 2 ulp for x in [−87.3, 88] (clamped outside), from exact operations only. */
    static FloatVector expLanes(FloatVector x) {
        FloatVector c = x.max(EXP_LOW).min(EXP_HIGH);
        FloatVector t = c.mul(LOG2E).add(ROUND);
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.mul(-LN2_HI).add(c).add(n.mul(-LN2_LO));
        FloatVector p = r.mul(P0)
                .add(P1)
                .mul(r)
                .add(P2)
                .mul(r)
                .add(P3)
                .mul(r)
                .add(P4)
                .mul(r)
                .add(P5);
        FloatVector e = p.mul(r).mul(r).add(r).add(1f);
        IntVector bits =
                ((IntVector) t.reinterpretAsInts()).sub(ROUND_BITS_LESS_BIAS).lanewise(VectorOperators.LSHL, 23);
        return e.mul(bits.reinterpretAsFloats());
    }

    /** {@link #expLanes} for one value, the same operations in the same order (so the same result). */
    static float exp(float x) {
        float c = Math.min(Math.max(x, EXP_LOW), EXP_HIGH);
        float t = c * LOG2E + ROUND;
        float n = t - ROUND;
        float r = n * -LN2_HI + c + n * -LN2_LO;
        float p = ((((r * P0 + P1) * r + P2) * r + P3) * r + P4) * r + P5;
        float e = p * r * r + r + 1f;
        return e * Float.intBitsToFloat((Float.floatToRawIntBits(t) - ROUND_BITS_LESS_BIAS) << 23);
    }

    /** The lanes' sum, added in lane order; {@code scratch} holds {@link #LANES} floats. */
    private static float addLanes(FloatVector v, float[] scratch) {
        v.intoArray(scratch, 0);
        float s = 0;
        for (int i = 0; i < LANES; i++) {
            s += scratch[i];
        }
        return s;
    }

    private static FloatVector load(ByteBuffer b, int i) {
        return FloatVector.fromByteBuffer(F, b, 4 * i, ORDER);
    }

    private static void store(FloatVector v, ByteBuffer b, int i) {
        v.intoByteBuffer(b, 4 * i, ORDER);
    }

    private static float get(ByteBuffer b, int i) {
        return b.getFloat(4 * i);
    }

    private static void put(ByteBuffer b, int i, float v) {
        b.putFloat(4 * i, v);
    }

    /** {@code sig = σ(1.702·x)}, {@code out = x·sig}, over {@code n} values. */
    static void gelu(ByteBuffer x, ByteBuffer sig, ByteBuffer out, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += LANES) {
            FloatVector v = load(x, i);
            FloatVector s = ONE.div(expLanes(v.mul(-GELU_SLOPE)).add(1f));
            store(s, sig, i);
            store(v.mul(s), out, i);
        }
        for (; i < n; i++) {
            float v = get(x, i);
            float s = 1f / (1f + exp(-GELU_SLOPE * v));
            put(sig, i, s);
            put(out, i, v * s);
        }
    }

    /** {@code dx = g·sig·(1 + 1.702·x·(1 − sig))}, the derivative of {@link #gelu} from its saved σ. */
    static void geluBackward(ByteBuffer g, ByteBuffer x, ByteBuffer sig, ByteBuffer dx, int n) {
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += LANES) {
            FloatVector s = load(sig, i);
            FloatVector slope = s.neg().add(1f).mul(load(x, i)).mul(GELU_SLOPE).add(1f);
            store(load(g, i).mul(s).mul(slope), dx, i);
        }
        for (; i < n; i++) {
            float s = get(sig, i);
            put(dx, i, get(g, i) * s * (1f + GELU_SLOPE * get(x, i) * (1f - s)));
        }
    }

    /** The sum of row values {@code [from, from + d)}. */
    private static float sum(ByteBuffer b, int from, int d) {
        float[] lanes = new float[LANES];
        FloatVector acc = FloatVector.zero(F);
        int j = 0;
        for (int end = F.loopBound(d); j < end; j += LANES) {
            acc = acc.add(load(b, from + j));
        }
        float s = addLanes(acc, lanes);
        for (; j < d; j++) {
            s += get(b, from + j);
        }
        return s;
    }

    /**
     * Each of {@code rows} rows of {@code d} values normalised to mean 0 and variance 1 (ε = 1e-5),
     * then scaled by {@code gain} and shifted by {@code bias} ({@code [d]} each). Keeps the normalised
     * rows in {@code xhat} and each row's {@code 1/√(var + ε)} in {@code inv} for the backward pass.
     */
    static void layerNorm(
            ByteBuffer x,
            ByteBuffer gain,
            ByteBuffer bias,
            int rows,
            int d,
            ByteBuffer xhat,
            float[] inv,
            ByteBuffer out) {
        int end = F.loopBound(d);
        float[] lanes = new float[LANES];
        for (int r = 0; r < rows; r++) {
            int from = r * d;
            float mu = sum(x, from, d) / d;
            FloatVector acc = FloatVector.zero(F);
            int j = 0;
            for (; j < end; j += LANES) {
                FloatVector c = load(x, from + j).sub(mu);
                acc = c.fma(c, acc);
            }
            float var = addLanes(acc, lanes);
            for (; j < d; j++) {
                float c = get(x, from + j) - mu;
                var += c * c;
            }
            float k = (float) (1 / Math.sqrt(var / d + 1e-5));
            inv[r] = k;
            for (j = 0; j < end; j += LANES) {
                FloatVector h = load(x, from + j).sub(mu).mul(k);
                store(h, xhat, from + j);
                store(h.fma(load(gain, j), load(bias, j)), out, from + j);
            }
            for (; j < d; j++) {
                float h = (get(x, from + j) - mu) * k;
                put(xhat, from + j, h);
                put(out, from + j, h * get(gain, j) + get(bias, j));
            }
        }
    }

    /**
     * The gradient of {@link #layerNorm}: {@code dx = inv·(gh − mean(gh) − x̂·mean(gh⊙x̂))} with
     * {@code gh = g⊙gain}, written to {@code dx} (or skipped when it is null), and the gain's and
     * bias's gradients summed over the rows into {@code dgain} and {@code dbias} ({@code [d]}).
     */
    static void layerNormBackward(
            ByteBuffer g,
            ByteBuffer xhat,
            float[] inv,
            ByteBuffer gain,
            int rows,
            int d,
            ByteBuffer dx,
            float[] dgain,
            float[] dbias) {
        int end = F.loopBound(d);
        float[] lanes = new float[LANES];
        for (int r = 0; r < rows; r++) {
            int from = r * d;
            FloatVector s1 = FloatVector.zero(F);
            FloatVector s2 = FloatVector.zero(F);
            int j = 0;
            for (; j < end; j += LANES) {
                FloatVector gv = load(g, from + j);
                FloatVector h = load(xhat, from + j);
                FloatVector.fromArray(F, dgain, j).add(gv.mul(h)).intoArray(dgain, j);
                FloatVector.fromArray(F, dbias, j).add(gv).intoArray(dbias, j);
                FloatVector gh = gv.mul(load(gain, j));
                s1 = s1.add(gh);
                s2 = gh.fma(h, s2);
            }
            float m1 = addLanes(s1, lanes);
            float m2 = addLanes(s2, lanes);
            for (; j < d; j++) {
                float gv = get(g, from + j);
                float h = get(xhat, from + j);
                dgain[j] += gv * h;
                dbias[j] += gv;
                float gh = gv * get(gain, j);
                m1 += gh;
                m2 += gh * h;
            }
            if (dx == null) {
                continue;
            }
            m1 /= d;
            m2 /= d;
            float k = inv[r];
            for (j = 0; j < end; j += LANES) {
                FloatVector gh = load(g, from + j).mul(load(gain, j));
                store(gh.sub(m1).sub(load(xhat, from + j).mul(m2)).mul(k), dx, from + j);
            }
            for (; j < d; j++) {
                float gh = get(g, from + j) * get(gain, j);
                put(dx, from + j, (gh - m1 - get(xhat, from + j) * m2) * k);
            }
        }
    }

    /** Softmax of each of {@code rows} rows of {@code d} values, shifted by the row's maximum. */
    static void softmax(ByteBuffer x, int rows, int d, ByteBuffer out) {
        int end = F.loopBound(d);
        float[] lanes = new float[LANES];
        for (int r = 0; r < rows; r++) {
            int from = r * d;
            FloatVector mv = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            int j = 0;
            for (; j < end; j += LANES) {
                mv = mv.max(load(x, from + j));
            }
            float max = mv.reduceLanes(VectorOperators.MAX);
            for (; j < d; j++) {
                max = Math.max(max, get(x, from + j));
            }
            FloatVector acc = FloatVector.zero(F);
            for (j = 0; j < end; j += LANES) {
                FloatVector e = expLanes(load(x, from + j).sub(max));
                store(e, out, from + j);
                acc = acc.add(e);
            }
            float total = addLanes(acc, lanes);
            for (; j < d; j++) {
                float e = exp(get(x, from + j) - max);
                put(out, from + j, e);
                total += e;
            }
            float scale = 1f / total;
            for (j = 0; j < end; j += LANES) {
                store(load(out, from + j).mul(scale), out, from + j);
            }
            for (; j < d; j++) {
                put(out, from + j, get(out, from + j) * scale);
            }
        }
    }

    /** The gradient of {@link #softmax} from its output {@code y}: {@code dx = y⊙(g − Σ g⊙y)} per row. */
    static void softmaxBackward(ByteBuffer g, ByteBuffer y, int rows, int d, ByteBuffer dx) {
        int end = F.loopBound(d);
        float[] lanes = new float[LANES];
        for (int r = 0; r < rows; r++) {
            int from = r * d;
            FloatVector acc = FloatVector.zero(F);
            int j = 0;
            for (; j < end; j += LANES) {
                acc = load(g, from + j).fma(load(y, from + j), acc);
            }
            float dot = addLanes(acc, lanes);
            for (; j < d; j++) {
                dot += get(g, from + j) * get(y, from + j);
            }
            for (j = 0; j < end; j += LANES) {
                store(load(g, from + j).sub(dot).mul(load(y, from + j)), dx, from + j);
            }
            for (; j < d; j++) {
                put(dx, from + j, (get(g, from + j) - dot) * get(y, from + j));
            }
        }
    }

    /** Whether all {@code n} values are finite: {@code x − x} is 0 for each finite value and NaN for NaN and ±∞. */
    static boolean allFinite(ByteBuffer x, int n) {
        float[] lanes = new float[LANES];
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += LANES) {
            FloatVector v = load(x, i);
            acc = acc.add(v.sub(v));
        }
        float sum = addLanes(acc, lanes);
        for (; i < n; i++) {
            float v = get(x, i);
            sum += v - v;
        }
        return sum == 0;
    }

    /**
     * Adam's step over {@code n} values, the same arithmetic in the same order as {@link
     * OptimizerKernels}' scalar loop (so the same numbers): {@code m = β1·m + (1−β1)·g}, {@code v =
     * β2·v + (1−β2)·g·g}, {@code p −= lr·m / (√v + ε)}, {@code lr} already bias-corrected.
     */
    static void adam(ByteBuffer p, ByteBuffer g, float[] m, float[] v, int n, float b1, float b2, float lr, float eps) {
        float c1 = 1 - b1;
        float c2 = 1 - b2;
        int i = 0;
        for (int end = F.loopBound(n); i < end; i += LANES) {
            FloatVector gi = load(g, i);
            FloatVector mi = FloatVector.fromArray(F, m, i).mul(b1).add(gi.mul(c1));
            FloatVector vi =
                    FloatVector.fromArray(F, v, i).mul(b2).add(gi.mul(c2).mul(gi));
            mi.intoArray(m, i);
            vi.intoArray(v, i);
            FloatVector step = mi.mul(lr).div(vi.lanewise(VectorOperators.SQRT).add(eps));
            store(load(p, i).sub(step), p, i);
        }
        for (; i < n; i++) {
            float gi = get(g, i);
            float mi = b1 * m[i] + c1 * gi;
            float vi = b2 * v[i] + c2 * gi * gi;
            m[i] = mi;
            v[i] = vi;
            put(p, i, get(p, i) - lr * mi / ((float) Math.sqrt(vi) + eps));
        }
    }
}
