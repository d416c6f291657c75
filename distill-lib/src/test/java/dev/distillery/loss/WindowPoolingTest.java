package dev.distillery.loss;

import static org.junit.jupiter.api.Assertions.*;

import dev.distillery.backend.Backend;
import dev.distillery.spec.SpecException;
import dev.distillery.tensor.Tape;
import dev.distillery.tensor.Var;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A student's frames pooled over a teacher's windows, against hand computation, with the gradient. */
class WindowPoolingTest {

    @BeforeAll
    static void backend() {
        Backend.start(1);
    }

    /** Two overlapping windows over ten frames: [0, 0.6) holds frames 0–5, [0.3, 1) frames 3–9. */
    static final double[][] SPANS = {{0.0, 0.6}, {0.3, 1.0}};

    @Test
    void eachWindowIsTheMeanOfTheFramesWhoseCentreItHolds() {
        // frame j of example b, feature d: 100 b + 10 j + d
        INDArray x = Nd4j.create(DataType.FLOAT, 2, 10, 3);
        for (int b = 0; b < 2; b++) {
            for (int j = 0; j < 10; j++) {
                for (int d = 0; d < 3; d++) {
                    x.putScalar(new int[] {b, j, d}, 100 * b + 10 * j + d);
                }
            }
        }
        Tape tape = new Tape();
        Var in = tape.param(x);
        Var pooled = WindowPooling.pool(tape, in, SPANS);
        assertArrayEquals(new long[] {2, 2, 3}, pooled.value().shape());
        for (int b = 0; b < 2; b++) {
            for (int d = 0; d < 3; d++) {
                assertEquals(100 * b + 10 * 2.5 + d, pooled.value().getDouble(b, 0, d), 1e-4, "frames 0-5");
                assertEquals(100 * b + 10 * 6 + d, pooled.value().getDouble(b, 1, d), 1e-4, "frames 3-9");
            }
        }
        tape.backward(pooled.sum());
        // a frame in both windows gets 1/6 + 1/7 of the gradient, one in the first only 1/6, in the second only 1/7
        assertEquals(1.0 / 6, in.grad().getDouble(0, 0, 0), 1e-5);
        assertEquals(1.0 / 6 + 1.0 / 7, in.grad().getDouble(1, 4, 2), 1e-5);
        assertEquals(1.0 / 7, in.grad().getDouble(0, 9, 1), 1e-5);
    }

    @Test
    void aWindowNoFrameFallsInIsRefusedWithTheFix() {
        SpecException e =
                assertThrows(SpecException.class, () -> WindowPooling.matrix(2, new double[][] {{0.3, 0.45}}));
        assertTrue(e.getMessage().contains("window 0") && e.getMessage().contains("smaller stride"), e.getMessage());
    }
}
