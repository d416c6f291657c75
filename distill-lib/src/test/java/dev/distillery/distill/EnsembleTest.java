package dev.distillery.distill;

import static org.junit.jupiter.api.Assertions.*;

import dev.distillery.TestData;
import dev.distillery.data.LabeledData;
import dev.distillery.data.Splits;
import dev.distillery.loss.FeatureLoss;
import dev.distillery.loss.Losses;
import dev.distillery.model.CnnSpec;
import dev.distillery.model.MlpSpec;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.MultiHeadSpec;
import dev.distillery.model.Network;
import dev.distillery.provenance.Lineage;
import dev.distillery.spec.SpecException;
import dev.distillery.teacher.Ensemble;
import dev.distillery.teacher.Teacher;
import dev.distillery.teacher.Teachers;
import dev.distillery.train.TrainingOptions;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Multi-teacher distillation: the combined targets, the three modes' losses, and the weights DE finds. */
class EnsembleTest {

    static Splits data;
    static Teacher cnn;
    static Teacher mlp;
    static Teacher wide;

    @BeforeAll
    static void teachers() {
        data = TestData.small(2000);
        cnn = Teachers.train(
                        "cnn",
                        new CnnSpec(null, List.of(8, 16), 3, 2, List.of(32), 10, null, null),
                        data,
                        TrainingOptions.defaults().epochs(2).seed(0),
                        List.of())
                .teacher();
        mlp = Teachers.train(
                        "mlp",
                        MlpSpec.of(32),
                        data,
                        TrainingOptions.defaults().epochs(2).seed(1),
                        List.of())
                .teacher();
        wide = Teachers.train(
                        "wide",
                        MlpSpec.of(96),
                        data,
                        TrainingOptions.defaults().epochs(1).seed(2),
                        List.of())
                .teacher();
    }

    /** Softmax of each row at temperature t, in double precision, in plain Java. */
    static double[][] softmax(INDArray logits, double t) {
        double[][] z = logits.toDoubleMatrix();
        double[][] p = new double[z.length][];
        for (int i = 0; i < z.length; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (double v : z[i]) max = Math.max(max, v / t);
            double sum = 0;
            p[i] = new double[z[i].length];
            for (int j = 0; j < p[i].length; j++) {
                p[i][j] = Math.exp(z[i][j] / t - max);
                sum += p[i][j];
            }
            for (int j = 0; j < p[i].length; j++) p[i][j] /= sum;
        }
        return p;
    }

    @Test
    void softTargetsAreTheHandComputedWeightedAverageOfTheTeachersDistributions() {
        Ensemble e = Ensemble.of("e", cnn, mlp, wide).weights(5, 3, 2);
        assertArrayEquals(new double[] {0.5, 0.3, 0.2}, e.weights(), 1e-12, "weights are normalised to sum to 1");
        double t = 3.0;
        LabeledData test = data.test();
        double[][] a = softmax(cnn.logits(test), t);
        double[][] b = softmax(mlp.logits(test), t);
        double[][] c = softmax(wide.logits(test), t);
        double[][] got = e.softTargets(test, t).toDoubleMatrix();
        double[][] targetLogits = e.targetLogits(test, t).toDoubleMatrix();
        for (int i = 0; i < test.size(); i++) {
            for (int j = 0; j < 10; j++) {
                double want = 0.5 * a[i][j] + 0.3 * b[i][j] + 0.2 * c[i][j];
                assertEquals(want, got[i][j], 1e-6, "row " + i + " class " + j);
                // a Hinton loss at T reads softmax(targetLogits / T): exactly the averaged targets
                double sum = 0;
                for (int q = 0; q < 10; q++) sum += Math.exp(targetLogits[i][q] / t);
                assertEquals(want, Math.exp(targetLogits[i][j] / t) / sum, 1e-5);
            }
        }
        // the ensemble's prediction (temperature 1) is what accuracy and fidelity are measured against
        double[][] p1 = Transforms.exp(e.logits(test)).toDoubleMatrix();
        double[][] a1 = softmax(cnn.logits(test), 1);
        double[][] b1 = softmax(mlp.logits(test), 1);
        double[][] c1 = softmax(wide.logits(test), 1);
        for (int j = 0; j < 10; j++) {
            assertEquals(0.5 * a1[7][j] + 0.3 * b1[7][j] + 0.2 * c1[7][j], p1[7][j], 1e-5);
        }
        assertThrows(SpecException.class, () -> e.weights(1, 2), "two weights for three teachers");
        assertThrows(SpecException.class, () -> e.weights(1, -1, 1), "a negative weight");
        assertThrows(SpecException.class, () -> Ensemble.of("one", cnn), "an ensemble of one");
    }

    /** The first batch's loss (the whole training set, one step at a negligible learning rate). */
    static double firstLoss(Ensemble e, String student, double t, double alpha, Splits few) {
        DistillResult r = Distill.from(e)
                .into(student)
                .with(Losses.hinton(t, alpha))
                .on(few)
                .epochs(1)
                .batchSize(200)
                .learningRate(1e-7)
                .seed(4)
                .run();
        assertEquals(e.mode().label(), r.provenance().lineage().mode(), "the record says which mode trained it");
        return r.training().curve().get(0).trainLoss();
    }

    @Test
    void theTargetsAndLossesModesGiveTheLossesAHandComputationPredicts() {
        LabeledData train = data.train()
                .rows(IntStream.range(0, 200).toArray(), "first 200")
                .keepLabels(120, 3);
        Splits few = new Splits(train, data.validation(), data.test());
        double t = 2.0;
        double alpha = 0.25;
        double[] w = {0.6, 0.3, 0.1};
        Ensemble e = Ensemble.of("e", cnn, mlp, wide).weights(w);
        double targets = firstLoss(e, "mlp:24", t, alpha, few);
        double losses = firstLoss(e.mode(dev.distillery.loss.EnsembleMode.LOSSES), "mlp:24", t, alpha, few);

        // by hand, from the student's initial weights (same spec, same seed) and each teacher's logits
        INDArray zs = Network.build(MlpSpec.of(24), 4).logits(train.features());
        double[][] ps = softmax(zs, t);
        double[][] ps1 = softmax(zs, 1);
        List<double[][]> pk =
                List.of(softmax(cnn.logits(train), t), softmax(mlp.logits(train), t), softmax(wide.logits(train), t));
        double klAverage = 0;
        double averageKl = 0;
        double ce = 0;
        int labeled = 0;
        for (int i = 0; i < train.size(); i++) {
            double[] mix = new double[10];
            for (int k = 0; k < 3; k++) {
                double kl = 0;
                for (int j = 0; j < 10; j++) {
                    mix[j] += w[k] * pk.get(k)[i][j];
                    kl += pk.get(k)[i][j] * (Math.log(pk.get(k)[i][j]) - Math.log(ps[i][j]));
                }
                averageKl += w[k] * kl;
            }
            for (int j = 0; j < 10; j++) {
                klAverage += mix[j] * (Math.log(mix[j]) - Math.log(ps[i][j]));
            }
            if (train.isLabeled(i)) {
                ce -= Math.log(ps1[i][train.labels()[i]]);
                labeled++;
            }
        }
        int n = train.size();
        double hard = alpha * ce / labeled;
        double wantTargets = hard + (1 - alpha) * t * t * klAverage / n;
        double wantLosses = hard + (1 - alpha) * t * t * averageKl / n;
        assertEquals(wantTargets, targets, 2e-4 * wantTargets, "targets: α·CE + (1−α)T²·KL(Σ w p_k || p_s)");
        assertEquals(wantLosses, losses, 2e-4 * wantLosses, "losses: α·CE + (1−α)T²·Σ w KL(p_k || p_s)");
        // they differ by (1−α)T² times the weighted Jensen-Shannon divergence among the teachers
        assertTrue(wantLosses - wantTargets > 1e-3, "the modes differ: " + wantTargets + " vs " + wantLosses);
        assertEquals(wantLosses - wantTargets, losses - targets, 5e-4 * wantLosses);
    }

    @Test
    void theHeadsModeGivesEachTeacherItsOwnHead() {
        LabeledData train = data.train()
                .rows(IntStream.range(0, 200).toArray(), "first 200")
                .keepLabels(120, 3);
        Splits few = new Splits(train, data.validation(), data.test());
        Ensemble e = Ensemble.of("e", cnn, mlp).weights(0.7, 0.3).mode(dev.distillery.loss.EnsembleMode.HEADS);
        double t = 2.0;
        double alpha = 0.5;
        DistillResult r = Distill.from(e)
                .into("mlp:24")
                .with(Losses.hinton(t, alpha))
                .on(few)
                .epochs(1)
                .batchSize(200)
                .learningRate(1e-7)
                .seed(4)
                .run();
        MultiHeadSpec spec = (MultiHeadSpec) r.network().spec();
        assertEquals(2, spec.heads());
        long extra = 24 * 10 + 10;
        assertEquals(MlpSpec.of(24).parameterCount() + extra, r.metrics().parameters(), "one more 24→10 head");
        assertEquals(extra, r.provenance().lineage().extraParameters(), "the extra parameters are reported");
        assertTrue(r.summary().contains("250 of the parameters are the extra heads"), r.summary());
        assertTrue(r.line().contains("(250 of them the extra heads)"), r.line());

        // by hand: head k learns from teacher k, the labels from the heads combined with the teachers' weights
        assertEquals(List.of(0.7, 0.3), spec.weights());
        Network init = Network.build(spec, 4);
        Map<String, INDArray> o = init.outputs(train.features(), List.of("head0", "head1", "logits"));
        INDArray mix = o.get("head0").mul(0.7).add(o.get("head1").mul(0.3));
        assertEquals(0, mix.sub(o.get("logits")).norm2Number().doubleValue(), 1e-4, "logits are 0.7·head0 + 0.3·head1");
        double[][] h0 = softmax(o.get("head0"), t);
        double[][] h1 = softmax(o.get("head1"), t);
        double[][] p0 = softmax(cnn.logits(train), t);
        double[][] p1 = softmax(mlp.logits(train), t);
        double[][] pm = softmax(o.get("logits"), 1);
        double soft = 0;
        double ce = 0;
        int labeled = 0;
        for (int i = 0; i < train.size(); i++) {
            for (int j = 0; j < 10; j++) {
                soft += 0.7 * p0[i][j] * (Math.log(p0[i][j]) - Math.log(h0[i][j]));
                soft += 0.3 * p1[i][j] * (Math.log(p1[i][j]) - Math.log(h1[i][j]));
            }
            if (train.isLabeled(i)) {
                ce -= Math.log(pm[i][train.labels()[i]]);
                labeled++;
            }
        }
        double want = alpha * ce / labeled + (1 - alpha) * t * t * soft / train.size();
        assertEquals(want, r.training().curve().get(0).trainLoss(), 2e-4 * want);

        // a student given with its own heads keeps them: here the combination is learned from the labels
        DistillResult mixed = Distill.from(e)
                .into("multihead:2,combine=learned:mlp:24")
                .with(Losses.hinton(t, alpha))
                .on(few)
                .epochs(1)
                .batchSize(50)
                .seed(4)
                .run();
        assertEquals("learned", ((MultiHeadSpec) mixed.network().spec()).combine());
        assertEquals(
                MlpSpec.of(24).parameterCount() + extra + 2,
                mixed.metrics().parameters(),
                "a second head and two scores");
        assertTrue(mixed.network().parameterNames().contains("heads.mix"));

        MultiHeadSpec learned = (MultiHeadSpec) ModelSpec.parse("multihead:3,combine=learned:mlp:24");
        assertEquals(MlpSpec.of(24).parameterCount() + 2 * extra + 3, learned.parameterCount());
        assertEquals(learned.parameterCount(), Network.build(learned, 1).parameterCount());
        assertEquals(learned, ModelSpec.parse(learned.compact()));
        assertEquals(spec, ModelSpec.parse(spec.compact()), spec.compact());
        MultiHeadSpec mean = (MultiHeadSpec) ModelSpec.parse("multihead:2:mlp:24");
        Map<String, INDArray> m = Network.build(mean, 2).outputs(train.features(), List.of("head0", "head1", "logits"));
        assertEquals(
                0,
                m.get("head0")
                        .add(m.get("head1"))
                        .div(2)
                        .sub(m.get("logits"))
                        .norm2Number()
                        .doubleValue(),
                1e-4,
                "mean: the heads' average");
        assertThrows(
                SpecException.class, () -> ModelSpec.parse("multihead:2,combine=weighted:mlp:24"), "weights missing");
    }

    @Test
    void eachTeacherGetsItsOwnProjectionForFeatureRegression() {
        Ensemble e = Ensemble.of("e", cnn, wide);
        FeatureLoss loss = new FeatureLoss(
                Losses.hinton(4.0, 0.5), List.of(FeatureLoss.Match.parse("features:mse")), null, null, null);
        DistillResult r = Distill.from(e)
                .into("mlp:16")
                .with(loss)
                .on(data)
                .epochs(1)
                .seed(1)
                .run();
        List<String> aux = r.network().auxiliaryNames();
        assertTrue(
                aux.contains("aux.m0.match0.weight") && aux.contains("aux.m1.match0.weight"),
                "one projection per teacher: " + aux);
        long[] toCnn = r.network().auxiliary().get("aux.m0.match0.weight").shape();
        long[] toWide = r.network().auxiliary().get("aux.m1.match0.weight").shape();
        assertArrayEquals(new long[] {16, 32}, toCnn, "student 16 → the CNN's 32 features");
        assertArrayEquals(new long[] {16, 96}, toWide, "student 16 → the wide MLP's 96 features");
        assertTrue(
                r.provenance().objective().contains("per teacher (mse(features)[linear])"),
                r.provenance().objective());
        assertEquals(MlpSpec.of(16).parameterCount(), r.metrics().parameters(), "projections are dropped, not counted");
    }

    @Test
    void differentialEvolutionDownweightsAnUntrainedTeacher() {
        Teacher noise = new Teacher("untrained", Network.build(MlpSpec.of(32), 9), null);
        Ensemble e = Ensemble.of("e", cnn, mlp, noise);
        EnsembleWeights.Options o = new EnsembleWeights.Options(EnsembleWeights.Fitness.NLL, 0, 400, 3);
        Ensemble found = EnsembleWeights.search(e, data.validation(), o);
        double[] w = found.weights();
        assertEquals(1.0, w[0] + w[1] + w[2], 1e-9);
        assertTrue(w[2] < 0.1, "the untrained teacher gets little weight: " + java.util.Arrays.toString(w));
        Lineage.Search s = found.search();
        assertTrue(
                s.value() < s.uniformValue() - 0.05,
                "validation NLL falls from " + s.uniformValue() + " to " + s.value());
        assertTrue(s.accuracy() > 0.5 && s.uniformAccuracy() > 0.5, "both accuracies are reported: " + s);
        assertTrue(s.evaluations() <= 400);
        assertEquals("de", found.weighting());
        assertArrayEquals(w, EnsembleWeights.search(e, data.validation(), o).weights(), 0.0, "same seed, same weights");
        Lineage l = found.lineage(data.test());
        assertEquals(
                List.of("cnn", "mlp", "untrained"),
                l.teachers().stream().map(Lineage.Member::name).toList());
        assertEquals(w[1], l.teachers().get(1).weight(), 0.0);
        assertEquals("de", l.weighting());
    }
}
