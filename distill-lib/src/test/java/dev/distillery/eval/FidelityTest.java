package dev.distillery.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class FidelityTest {

    @Test
    void agreementKlAndJsMatchAHandComputation() {
        var s = Nd4j.create(new double[][] {{0, 0}, {2, 0}});
        var t = Nd4j.create(new double[][] {{Math.log(3), 0}, {0, 2}});
        Fidelity f = Fidelity.of(s, t);
        // row 0: student [1/2, 1/2], teacher [3/4, 1/4]; row 1: argmax differs
        assertEquals(0.5, f.agreement(), 1e-12);
        double p1 = Math.exp(2) / (1 + Math.exp(2));
        double kl0 = 0.75 * Math.log(0.75 / 0.5) + 0.25 * Math.log(0.25 / 0.5);
        double kl1 = (1 - p1) * Math.log((1 - p1) / p1) + p1 * Math.log(p1 / (1 - p1));
        assertEquals((kl0 + kl1) / 2, f.meanKl(), 1e-9);
        double m0a = (0.5 + 0.75) / 2;
        double m0b = (0.5 + 0.25) / 2;
        double js0 = 0.5 * (0.75 * Math.log(0.75 / m0a) + 0.25 * Math.log(0.25 / m0b))
                + 0.5 * (0.5 * Math.log(0.5 / m0a) + 0.5 * Math.log(0.5 / m0b));
        double js1 = 0.5 * (p1 * Math.log(p1 / 0.5) + (1 - p1) * Math.log((1 - p1) / 0.5)) * 2;
        assertEquals((js0 + js1) / 2, f.meanJs(), 1e-9);
        assertEquals(0.5, Accuracy.of(s, new int[] {0, 1}), 1e-12, "ties go to the first class");
    }
}
