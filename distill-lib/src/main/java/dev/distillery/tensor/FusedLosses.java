package dev.distillery.tensor;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The logit losses as fused kernels beside the primitives: each one op on the tape, forward and
 * backward as plain loops on Java arrays. Logits are small ({@code [B, C]}); as chains of ND4J ops
 * these losses cost about 20 native calls each way. Equal to their primitive forms (TapeTest).
 */
public final class FusedLosses {

    private FusedLosses() {}

    /**
     * Cross-entropy of {@code logits} {@code [B, C]} with {@code targets} {@code [B, C]} (one-hot or
     * soft), averaged over the rows whose {@code mask} {@code [B, 1]} is 1:
     * {@code Σ_i mask_i · (−Σ_c y_ic log softmax(z_i)_c) / (Σ_i mask_i + 1e-8)}. A scalar.
     */
    public static Var maskedCrossEntropy(Var logits, Var targets, Var mask) {
        logits.same(targets);
        logits.same(mask);
        INDArray value = logits.value();
        int b = (int) value.size(0);
        int c = (int) value.size(1);
        double[] z = doubles(value);
        double[] y = doubles(targets.value());
        double[] m = doubles(mask.value());
        double[] logp = new double[b * c];
        double denom = 1e-8;
        double total = 0;
        for (int i = 0; i < b; i++) {
            logSoftmaxRow(z, i * c, c, 1.0, logp);
            double ce = 0;
            for (int j = 0; j < c; j++) {
                ce -= y[i * c + j] * logp[i * c + j];
            }
            total += m[i] * ce;
            denom += m[i];
        }
        double d = denom;
        return logits.make(
                Nd4j.scalar(value.dataType(), total / d),
                g -> {
                    double up = g.getDouble(0) / d;
                    if (logits.needsGrad()) {
                        double[] dz = new double[b * c];
                        for (int i = 0; i < b; i++) {
                            double ySum = 0;
                            for (int j = 0; j < c; j++) {
                                ySum += y[i * c + j];
                            }
                            for (int j = 0; j < c; j++) {
                                dz[i * c + j] = up * m[i] * (Math.exp(logp[i * c + j]) * ySum - y[i * c + j]);
                            }
                        }
                        logits.accumulate(array(dz, logits.shape(), value.dataType()));
                    }
                    if (targets.needsGrad()) {
                        double[] dy = new double[b * c];
                        for (int i = 0; i < b * c; i++) {
                            dy[i] = -up * m[i / c] * logp[i];
                        }
                        targets.accumulate(
                                array(dy, targets.shape(), targets.value().dataType()));
                    }
                },
                logits,
                targets,
                mask);
    }

    /**
     * Hinton's soft term for {@code student} logits and {@code teacher} logits ({@code [B, C]}) at
     * temperature {@code t}: {@code T² · mean_i KL(softmax(teacher_i/T) ‖ softmax(student_i/T))}. A scalar.
     */
    public static Var softKl(Var student, Var teacher, double t) {
        student.same(teacher);
        INDArray value = student.value();
        int b = (int) value.size(0);
        int c = (int) value.size(1);
        double[] zs = doubles(value);
        double[] zt = doubles(teacher.value());
        double[] ls = new double[b * c];
        double[] lt = new double[b * c];
        double[] kl = new double[b];
        double total = 0;
        for (int i = 0; i < b; i++) {
            logSoftmaxRow(zs, i * c, c, t, ls);
            logSoftmaxRow(zt, i * c, c, t, lt);
            for (int j = i * c; j < (i + 1) * c; j++) {
                kl[i] += Math.exp(lt[j]) * (lt[j] - ls[j]);
            }
            total += kl[i];
        }
        double scale = t * t / b;
        return student.make(
                Nd4j.scalar(value.dataType(), total * scale),
                g -> {
                    double up = g.getDouble(0) * scale / t;
                    if (student.needsGrad()) {
                        double[] dz = new double[b * c];
                        for (int j = 0; j < b * c; j++) {
                            dz[j] = up * (Math.exp(ls[j]) - Math.exp(lt[j]));
                        }
                        student.accumulate(array(dz, student.shape(), value.dataType()));
                    }
                    if (teacher.needsGrad()) {
                        double[] dz = new double[b * c];
                        for (int i = 0; i < b; i++) {
                            for (int j = i * c; j < (i + 1) * c; j++) {
                                dz[j] = up * Math.exp(lt[j]) * ((lt[j] - ls[j]) - kl[i]);
                            }
                        }
                        teacher.accumulate(
                                array(dz, teacher.shape(), teacher.value().dataType()));
                    }
                },
                student,
                teacher);
    }

    /** Row {@code [from, from+c)} of {@code z}, divided by {@code t}, log-softmaxed into {@code out}. */
    private static void logSoftmaxRow(double[] z, int from, int c, double t, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = from; j < from + c; j++) {
            max = Math.max(max, z[j] / t);
        }
        double sum = 0;
        for (int j = from; j < from + c; j++) {
            sum += Math.exp(z[j] / t - max);
        }
        double lse = max + Math.log(sum);
        for (int j = from; j < from + c; j++) {
            out[j] = z[j] / t - lse;
        }
    }

    private static double[] doubles(INDArray a) {
        if (a.rank() > 2) {
            throw new IllegalArgumentException("expected a matrix, got shape " + Arrays.toString(a.shape()));
        }
        return a.dup('c').data().asDouble();
    }

    private static INDArray array(double[] v, long[] shape, DataType type) {
        INDArray d = Nd4j.create(v, shape, DataType.DOUBLE);
        return type == DataType.DOUBLE ? d : d.castTo(type);
    }
}
