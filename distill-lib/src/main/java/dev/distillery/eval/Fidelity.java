package dev.distillery.eval;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How closely a student imitates its teacher on the same inputs: label fidelity (top-1
 * agreement) and probability fidelity (mean KL(teacher || student) and mean Jensen-Shannon
 * divergence, in nats, at temperature 1).
 */
public record Fidelity(double agreement, double meanKl, double meanJs) {

    public static Fidelity of(INDArray studentLogits, INDArray teacherLogits) {
        if (!java.util.Arrays.equals(studentLogits.shape(), teacherLogits.shape())) {
            throw new IllegalArgumentException("fidelity: student logits "
                    + java.util.Arrays.toString(studentLogits.shape()) + " and teacher logits "
                    + java.util.Arrays.toString(teacherLogits.shape()) + " differ in shape");
        }
        double[][] s = Matrices.doubles(studentLogits);
        double[][] t = Matrices.doubles(teacherLogits);
        int agree = 0;
        double kl = 0;
        double js = 0;
        for (int i = 0; i < s.length; i++) {
            double[] ps = softmax(s[i]);
            double[] pt = softmax(t[i]);
            agree += argmax(s[i]) == argmax(t[i]) ? 1 : 0;
            double[] m = new double[ps.length];
            for (int j = 0; j < m.length; j++) {
                m[j] = 0.5 * (ps[j] + pt[j]);
            }
            kl += kl(pt, ps);
            js += 0.5 * kl(pt, m) + 0.5 * kl(ps, m);
        }
        int n = s.length;
        return new Fidelity(agree / (double) n, kl / n, js / n);
    }

    /** Top-1 agreement only. */
    public static double agreement(INDArray studentLogits, INDArray teacherLogits) {
        int[] a = Accuracy.argmax(studentLogits);
        int[] b = Accuracy.argmax(teacherLogits);
        int same = 0;
        for (int i = 0; i < a.length; i++) {
            same += a[i] == b[i] ? 1 : 0;
        }
        return same / (double) a.length;
    }

    static double kl(double[] p, double[] q) {
        double d = 0;
        for (int j = 0; j < p.length; j++) {
            if (p[j] > 0) {
                d += p[j] * (Math.log(p[j]) - Math.log(Math.max(q[j], 1e-300)));
            }
        }
        return d;
    }

    /** Each row's softmax at {@code temperature}, in double precision. */
    public static double[][] probabilities(INDArray logits, double temperature) {
        double[][] z = Matrices.doubles(logits);
        for (int i = 0; i < z.length; i++) {
            for (int j = 0; j < z[i].length; j++) {
                z[i][j] /= temperature;
            }
            z[i] = softmax(z[i]);
        }
        return z;
    }

    static double[] softmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) max = Math.max(max, v);
        double sum = 0;
        double[] p = new double[z.length];
        for (int j = 0; j < z.length; j++) {
            p[j] = Math.exp(z[j] - max);
            sum += p[j];
        }
        for (int j = 0; j < z.length; j++) p[j] /= sum;
        return p;
    }

    private static int argmax(double[] z) {
        int b = 0;
        for (int j = 1; j < z.length; j++) if (z[j] > z[b]) b = j;
        return b;
    }
}
