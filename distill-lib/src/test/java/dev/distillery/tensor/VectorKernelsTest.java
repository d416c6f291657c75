package dev.distillery.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fused kernels give the same numbers whether the JIT has compiled them or not: their
 * exponential is built from exact operations, so a vector lane and the scalar loop agree bit for bit.
 */
class VectorKernelsTest {

    /** Not a multiple of any vector width: the scalar tail runs too. */
    private static final int N = 1003;

    private static ByteBuffer floats(float[] v) {
        ByteBuffer b = ByteBuffer.allocateDirect(4 * v.length).order(ByteOrder.nativeOrder());
        for (int i = 0; i < v.length; i++) {
            b.putFloat(4 * i, v[i]);
        }
        return b;
    }

    @Test
    void everyLaneOfGeluEqualsTheScalarFormulaBitForBit() {
        assertTrue(RowKernels.AVAILABLE, "the tests run with --add-modules jdk.incubator.vector (pom.xml's argLine)");
        SplittableRandom r = new SplittableRandom(3);
        float[] x = new float[N];
        for (int i = 0; i < N; i++) {
            x[i] = (float) (r.nextDouble() * 120 - 60); // beyond both ends of the exponential's range after ×1.702
        }
        ByteBuffer sig = floats(new float[N]);
        ByteBuffer out = floats(new float[N]);
        // many calls, so that the JIT compiles the kernel while the test compares
        for (int call = 0; call < 2000; call++) {
            VectorKernels.gelu(floats(x), sig, out, N);
            for (int i = 0; i < N; i += 1 + call % 7) {
                float expected = 1f / (1f + VectorKernels.exp(-1.702f * x[i]));
                assertEquals(
                        Float.floatToRawIntBits(expected),
                        Float.floatToRawIntBits(sig.getFloat(4 * i)),
                        "σ(1.702·" + x[i] + ") at value " + i + ", call " + call);
            }
        }
    }

    @Test
    void theExponentialIsWithinTwoUlpsOfMathExp() {
        SplittableRandom r = new SplittableRandom(4);
        for (int i = 0; i < 200_000; i++) {
            float x = (float) (r.nextDouble() * 175 - 87.3);
            double exact = Math.exp(x);
            float got = VectorKernels.exp(x);
            assertTrue(
                    Math.abs(got - exact) <= 2 * Math.ulp((float) exact),
                    "exp(" + x + ") = " + got + ", Math.exp gives " + exact);
        }
        assertEquals(0f, VectorKernels.exp(-200f), 1e-37f, "far below the range: about e^-87.3");
        assertTrue(Float.isNaN(VectorKernels.exp(Float.NaN)), "NaN stays NaN, so the non-finite checks see it");
    }
}
