package dev.distillery.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.distillery.backend.Backend;
import dev.distillery.tensor.Tape;
import dev.distillery.tensor.Var;
import dev.distillery.train.Objective;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The KD loss on the tape against a hand computation and finite differences. */
class HintonLossTest {

    static final double[][] STUDENT = {{1.0, -0.5, 0.3}, {0.2, 0.4, -1.1}, {-0.7, 2.0, 0.5}, {0.0, 0.1, 0.2}};
    static final double[][] TEACHER = {{2.0, -1.0, 0.0}, {0.5, 1.5, -0.5}, {-1.0, 3.0, 1.0}, {1.0, 0.0, -1.0}};
    static final int[] LABELS = {0, 1, 1, 2};
    static final double[] MASK = {1, 1, 0, 1};

    @BeforeAll
    static void start() {
        Backend.start(1);
    }

    /** The loss by hand, in doubles: alpha * masked CE + (1 - alpha) * T^2 * mean KL(pt || ps) at T. */
    static double byHand(double[][] s, double t, double alpha) {
        double ce = 0;
        double labeled = 0;
        double kl = 0;
        for (int i = 0; i < s.length; i++) {
            double[] p = softmax(s[i], 1);
            ce += MASK[i] * -Math.log(p[LABELS[i]]);
            labeled += MASK[i];
            double[] ps = softmax(s[i], t);
            double[] pt = softmax(TEACHER[i], t);
            for (int j = 0; j < ps.length; j++) {
                kl += pt[j] * (Math.log(pt[j]) - Math.log(ps[j]));
            }
        }
        return alpha * ce / labeled + (1 - alpha) * t * t * kl / s.length;
    }

    /** d loss / d student logits by the closed form. */
    static double[][] gradientByHand(double t, double alpha) {
        int n = STUDENT.length;
        double labeled = 0;
        for (double m : MASK) labeled += m;
        double[][] g = new double[n][3];
        for (int i = 0; i < n; i++) {
            double[] p = softmax(STUDENT[i], 1);
            double[] ps = softmax(STUDENT[i], t);
            double[] pt = softmax(TEACHER[i], t);
            for (int j = 0; j < 3; j++) {
                double hard = MASK[i] * (p[j] - (LABELS[i] == j ? 1 : 0)) / labeled;
                double soft = t * (ps[j] - pt[j]) / n;
                g[i][j] = alpha * hard + (1 - alpha) * soft;
            }
        }
        return g;
    }

    static double[] softmax(double[] z, double t) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) max = Math.max(max, v / t);
        double sum = 0;
        double[] p = new double[z.length];
        for (int j = 0; j < z.length; j++) {
            p[j] = Math.exp(z[j] / t - max);
            sum += p[j];
        }
        for (int j = 0; j < z.length; j++) p[j] /= sum;
        return p;
    }

    /** The objective whose "model" is the logits themselves, as a trainable leaf: {loss, gradient}. */
    static INDArray[] run(Objective loss) {
        Tape tape = new Tape();
        Var z = tape.param(Nd4j.create(STUDENT).castTo(DataType.FLOAT));
        double[][] y = new double[LABELS.length][3];
        for (int i = 0; i < LABELS.length; i++) y[i][LABELS[i]] = 1;
        double[][] m = new double[MASK.length][1];
        for (int i = 0; i < MASK.length; i++) m[i][0] = MASK[i];
        Var labels = tape.constant(Nd4j.create(y).castTo(DataType.FLOAT));
        Var mask = tape.constant(Nd4j.create(m).castTo(DataType.FLOAT));
        Var teacher = tape.constant(Nd4j.create(TEACHER).castTo(DataType.FLOAT));
        Var l = loss.define(new Objective.Inputs(z, labels, mask, teacher));
        tape.backward(l);
        return new INDArray[] {l.value(), z.grad()};
    }

    @Test
    void lossMatchesHandComputationAcrossTemperaturesAndAlphas() {
        for (double t : new double[] {1, 2, 4, 8}) {
            for (double alpha : new double[] {0, 0.1, 0.5, 1}) {
                double got = run(Losses.hinton(t, alpha))[0].getDouble(0);
                assertEquals(byHand(STUDENT, t, alpha), got, 1e-5, "T=" + t + " alpha=" + alpha);
            }
        }
    }

    @Test
    void gradientMatchesClosedFormAndFiniteDifferences() {
        double t = 4;
        double alpha = 0.3;
        INDArray grad = run(Losses.hinton(t, alpha))[1];
        double[][] closed = gradientByHand(t, alpha);
        double h = 1e-4;
        for (int i = 0; i < STUDENT.length; i++) {
            for (int j = 0; j < 3; j++) {
                double[][] plus = copy(STUDENT);
                double[][] minus = copy(STUDENT);
                plus[i][j] += h;
                minus[i][j] -= h;
                double fd = (byHand(plus, t, alpha) - byHand(minus, t, alpha)) / (2 * h);
                assertEquals(closed[i][j], fd, 1e-6, "closed form vs finite difference at " + i + "," + j);
                assertEquals(closed[i][j], grad.getDouble(i, j), 1e-5, "tape gradient at " + i + "," + j);
            }
        }
    }

    @Test
    void weightingIsHonouredInBackprop() {
        // the reason losses are built from primitive ops: scaling by alpha must scale the gradient
        INDArray g1 = run(Losses.hinton(2, 1.0))[1];
        INDArray scratch = run(Losses.scratch())[1];
        assertEquals(0, g1.sub(scratch).norm2Number().doubleValue(), 1e-6);
        INDArray soft = run(Losses.hinton(2, 0.0))[1];
        INDArray half = run(Losses.hinton(2, 0.5))[1];
        assertEquals(0, half.sub(g1.add(soft).mul(0.5)).norm2Number().doubleValue(), 1e-6);
    }

    @Test
    void badSettingsAreRejectedWithTheField() {
        assertEquals(
                "hinton loss: temperature must be a positive number, got -1.0",
                assertThrows(IllegalArgumentException.class, () -> Losses.hinton(-1, 0.5))
                        .getMessage());
        assertThrows(IllegalArgumentException.class, () -> Losses.hinton(4, 1.5));
        assertEquals(new HintonLoss(4.0, 0.1), Losses.parse("hinton:T=4,alpha=0.1"));
        assertEquals(Losses.scratch(), Losses.parse("scratch"));
        assertThrows(IllegalArgumentException.class, () -> Losses.parse("hinton:temp=4"));
    }

    static double[][] copy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) c[i] = a[i].clone();
        return c;
    }
}
