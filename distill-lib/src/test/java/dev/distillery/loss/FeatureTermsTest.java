package dev.distillery.loss;

import static org.junit.jupiter.api.Assertions.*;

import dev.distillery.backend.Backend;
import dev.distillery.spec.SpecException;
import dev.distillery.tensor.Tape;
import dev.distillery.tensor.Var;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Every built-in feature term against a hand computation in plain Java, and its gradient against finite differences. */
class FeatureTermsTest {

    @BeforeAll
    static void backend() {
        Backend.start(1);
    }

    static double[][] rand(Random r, int n, int d) {
        double[][] a = new double[n][d];
        for (double[] row : a) for (int j = 0; j < d; j++) row[j] = r.nextGaussian();
        return a;
    }

    static INDArray arr(double[][] a) {
        return Nd4j.createFromArray(a).castTo(DataType.DOUBLE);
    }

    /** The term's value, and its gradient with respect to the student's output. */
    static INDArray[] evaluate(String term, INDArray s, INDArray t) {
        Tape tape = new Tape();
        Var sv = tape.param(s.dup());
        Var loss = FeatureTerms.get(term).define(sv, tape.constant(t.dup()));
        tape.backward(loss);
        return new INDArray[] {Nd4j.scalar(loss.item()), sv.grad()};
    }

    static void check(String term, INDArray s, INDArray t, double expected) {
        INDArray[] r = evaluate(term, s, t);
        assertEquals(expected, r[0].getDouble(0), 1e-9 * Math.max(1, Math.abs(expected)), term + " value");
        double h = 1e-6;
        long[] idx = {0, s.length() / 2, s.length() - 1};
        for (long i : idx) {
            INDArray plus = s.dup();
            plus.data().put(i, plus.data().getDouble(i) + h);
            INDArray minus = s.dup();
            minus.data().put(i, minus.data().getDouble(i) - h);
            double fd = (evaluate(term, plus, t)[0].getDouble(0) - evaluate(term, minus, t)[0].getDouble(0)) / (2 * h);
            double an = r[1].dup().data().getDouble(i);
            assertEquals(fd, an, 1e-6 + 1e-5 * Math.abs(fd), term + " gradient at element " + i);
        }
    }

    static double cos(double[] a, double[] b) {
        double d = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            d += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return d / Math.sqrt((na + 1e-8) * (nb + 1e-8));
    }

    static double over(double[][] s, double[][] t, BiFunction<Double, Double, Double> f) {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < s.length; i++)
            for (int j = 0; j < s[i].length; j++) {
                sum += f.apply(s[i][j], t[i][j]);
                n++;
            }
        return sum / n;
    }

    @Test
    void regressionTermsMatchTheirDefinitions() {
        Random r = new Random(7);
        double[][] s = rand(r, 4, 6);
        double[][] t = rand(r, 4, 6);
        check("mse", arr(s), arr(t), over(s, t, (a, b) -> (a - b) * (a - b)));
        check("l1", arr(s), arr(t), over(s, t, (a, b) -> Math.abs(a - b)));
        double meanCos = 0;
        double distil = 0;
        for (int i = 0; i < 4; i++) {
            double c = cos(s[i], t[i]);
            meanCos += c / 4;
            double l1 = 0;
            for (int j = 0; j < 6; j++) l1 += Math.abs(s[i][j] - t[i][j]) / 6;
            distil += (l1 - Math.log(1 / (1 + Math.exp(-c)))) / 4;
        }
        check("cosine", arr(s), arr(t), 1 - meanCos);
        check("l1-logsig-cos", arr(s), arr(t), distil);
    }

    @Test
    void perPositionTermsWorkOnSequencesWhoseShapeIsKnownOnlyAtRunTime() {
        Random r = new Random(9);
        double[][] s = rand(r, 6, 4);
        double[][] t = rand(r, 6, 4);
        Tape tape = new Tape();
        // [2, 3, 4] sequences made by an op, as a student's hidden states are
        Var sv = tape.param(arr(s)).reshape(2, 3, 4);
        Var tv = tape.constant(arr(t)).reshape(2, 3, 4);
        for (String term : new String[] {"cosine", "l1-logsig-cos"}) {
            double onSequences = FeatureTerms.get(term).define(sv, tv).item();
            assertEquals(
                    evaluate(term, arr(s), arr(t))[0].getDouble(0),
                    onSequences,
                    1e-9,
                    term + ": per position, the same as on the flattened rows");
        }
    }

    @Test
    void attentionKlAveragesRowsOverBatchHeadsAndQueries() {
        Random r = new Random(3);
        int b = 2, h = 2, q = 3, k = 3;
        double[] ps = new double[b * h * q * k];
        double[] pt = new double[ps.length];
        double expected = 0;
        for (int row = 0; row < b * h * q; row++) {
            double[] a = new double[k];
            double[] c = new double[k];
            double za = 0, zc = 0;
            for (int j = 0; j < k; j++) {
                a[j] = Math.exp(r.nextGaussian());
                c[j] = Math.exp(r.nextGaussian());
                za += a[j];
                zc += c[j];
            }
            double kl = 0;
            for (int j = 0; j < k; j++) {
                ps[row * k + j] = a[j] / za;
                pt[row * k + j] = c[j] / zc;
                kl += pt[row * k + j] * (Math.log(pt[row * k + j] + 1e-8) - Math.log(ps[row * k + j] + 1e-8));
            }
            expected += kl / (b * h * q);
        }
        INDArray s = Nd4j.create(ps, new long[] {b, h, q, k}, DataType.DOUBLE);
        INDArray t = Nd4j.create(pt, new long[] {b, h, q, k}, DataType.DOUBLE);
        check("attention-kl", s, t, expected);
        double mse = 0;
        for (int i = 0; i < ps.length; i++) mse += (ps[i] - pt[i]) * (ps[i] - pt[i]) / ps.length;
        check("attention-mse", s, t, mse);
    }

    @Test
    void ckaIsOneMinusLinearCkaAndComparesDifferentWidths() {
        Random r = new Random(11);
        double[][] x = rand(r, 8, 3);
        double[][] y = rand(r, 8, 5);
        double[][] xc = centre(x);
        double[][] yc = centre(y);
        double xy = frob2(mul(transpose(yc), xc));
        double expected =
                1 - xy / (Math.sqrt(frob2(mul(transpose(xc), xc))) * Math.sqrt(frob2(mul(transpose(yc), yc))) + 1e-8);
        check("cka", arr(x), arr(y), expected);
        // identical features (up to scale) have CKA 1
        assertEquals(0.0, evaluate("cka", arr(x), arr(x).mul(3))[0].getDouble(0), 1e-9);
    }

    @Test
    void infoNcePicksEachStudentsOwnTeacherOutOfTheBatch() {
        Random r = new Random(5);
        double[][] s = rand(r, 5, 4);
        double[][] t = rand(r, 5, 4);
        double expected = 0;
        for (int i = 0; i < 5; i++) {
            double z = 0;
            for (int j = 0; j < 5; j++) z += Math.exp(cos(s[i], t[j]) / 0.1);
            expected += (-cos(s[i], t[i]) / 0.1 + Math.log(z)) / 5;
        }
        check("infonce", arr(s), arr(t), expected);
    }

    @Test
    void relationTermsCompareSimilarityMatricesWhateverTheWidths() {
        Random r = new Random(13);
        double[][] s = rand(r, 5, 3);
        double[][] t = rand(r, 5, 7);
        double local = 0;
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 5; j++) {
                double d = cos(s[i], s[j]) - cos(t[i], t[j]);
                local += d * d / 25;
            }
        }
        check("local-relation", arr(s), arr(t), local);

        // two examples of three positions: position-by-position similarities within each example
        double[][] s3 = rand(r, 6, 3);
        double[][] t3 = rand(r, 6, 5);
        double intra = 0;
        for (int b = 0; b < 2; b++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    double d = cos(s3[3 * b + i], s3[3 * b + j]) - cos(t3[3 * b + i], t3[3 * b + j]);
                    intra += d * d / 18;
                }
            }
        }
        check("intra-relation", arr(s3).reshape(2, 3, 3), arr(t3).reshape(2, 3, 5), intra);
        assertTrue(FeatureTerms.widthFree("intra-relation") && !FeatureTerms.widthFree("mse"));
    }

    @Test
    void termsAreRegisteredByNameAndUsersAddTheirOwn() {
        FeatureTerms.register(
                "double-mse", (s, t) -> FeatureTerms.get("mse").define(s, t).mul(2));
        double[][] s = {{1, 2}};
        double[][] t = {{0, 0}};
        assertEquals(5.0, evaluate("double-mse", arr(s), arr(t))[0].getDouble(0), 1e-12);
        SpecException e = assertThrows(SpecException.class, () -> FeatureTerms.get("msee"));
        assertTrue(
                e.getMessage().contains("unknown feature loss 'msee'")
                        && e.getMessage().contains("mse"),
                e.getMessage());
    }

    static double[][] centre(double[][] a) {
        double[][] c = new double[a.length][a[0].length];
        for (int j = 0; j < a[0].length; j++) {
            double m = 0;
            for (double[] row : a) m += row[j] / a.length;
            for (int i = 0; i < a.length; i++) c[i][j] = a[i][j] - m;
        }
        return c;
    }

    static double[][] transpose(double[][] a) {
        double[][] t = new double[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) for (int j = 0; j < a[0].length; j++) t[j][i] = a[i][j];
        return t;
    }

    static double[][] mul(double[][] a, double[][] b) {
        double[][] c = new double[a.length][b[0].length];
        for (int i = 0; i < a.length; i++)
            for (int k = 0; k < b.length; k++) for (int j = 0; j < b[0].length; j++) c[i][j] += a[i][k] * b[k][j];
        return c;
    }

    static double frob2(double[][] a) {
        double s = 0;
        for (double[] row : a) for (double v : row) s += v * v;
        return s;
    }
}
