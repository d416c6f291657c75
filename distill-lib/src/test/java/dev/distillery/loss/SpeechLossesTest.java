package dev.distillery.loss;

import static org.junit.jupiter.api.Assertions.*;

import dev.distillery.backend.Backend;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.Network;
import dev.distillery.nn.Forward;
import dev.distillery.nn.Parameter;
import dev.distillery.spec.SpecException;
import dev.distillery.tensor.Tape;
import dev.distillery.tensor.Var;
import dev.distillery.train.Objective;
import dev.distillery.train.TeacherOutput;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The speech recipes' losses against hand computations: FitHuBERT's hints on a student reduced in
 * time (the teacher averaged to the student's frame rate), DistilHuBERT's prediction heads, and the
 * task-agnostic logit part.
 */
class SpeechLossesTest {

    private static final int FRAME = 4;
    private static final int LENGTH = 10;
    private static final int B = 3;

    @BeforeAll
    static void backend() {
        Backend.start(1);
    }

    /** The loss's own weights, drawn here (in declaration order) so the test can read them back by name. */
    private static final class TestAux {
        final Map<String, INDArray> values = new LinkedHashMap<>();
        final Forward weights;

        TestAux(Tape tape, Objective o) {
            Random r = new Random(3);
            Map<Parameter, Var> vars = new java.util.IdentityHashMap<>();
            if (o.weights() != null) {
                o.weights().parameters().forEach((name, p) -> {
                    long[] shape = p.shape();
                    INDArray v =
                            shape.length == 1 ? rand(r, 1, shape[0]).reshape(shape[0]) : rand(r, shape[0], shape[1]);
                    values.put(name, v);
                    vars.put(p, tape.constant(v));
                });
            }
            weights = new Forward(tape, vars, B, null);
        }
    }

    private static INDArray rand(Random r, long rows, long cols) {
        float[] v = new float[(int) (rows * cols)];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
        return Nd4j.create(v, new long[] {rows, cols}, DataType.FLOAT);
    }

    /** The objective's value for one batch, the student running at its own stride. */
    private static double value(Objective o, Network teacher, Network student, INDArray x, TestAux[] auxOut) {
        Tape tape = Tape.inference();
        Map<String, Var> s = student.forward(tape, student.constants(tape), x, null);
        Map<TeacherOutput, Var> t = new LinkedHashMap<>();
        Map<String, INDArray> all = teacher.run(x, teacher.outputNames());
        for (TeacherOutput ref : o.teacherOutputs()) {
            INDArray a = all.get(ref.output());
            t.put(ref, tape.constant(a.reshape('c', a.size(0), a.length() / a.size(0))));
        }
        TestAux aux = new TestAux(tape, o);
        auxOut[0] = aux;
        Var logits = s.get(Network.LOGITS);
        Var v = o.define(new Objective.Inputs(
                logits,
                tape.constant(Nd4j.zeros(DataType.FLOAT, B, 3)),
                tape.constant(Nd4j.ones(DataType.FLOAT, B, 1)),
                null,
                t,
                aux.weights,
                s));
        return v.item();
    }

    /** {@code [B, T, D]} averaged {@code k} positions at a time into {@code [B, S, D]}, by loops. */
    private static double[][][] pooled(INDArray t, int s, int k) {
        int d = (int) t.size(2);
        double[][][] out = new double[B][s][d];
        for (int b = 0; b < B; b++)
            for (int p = 0; p < s; p++)
                for (int j = 0; j < d; j++) {
                    for (int q = 0; q < k; q++) out[b][p][j] += t.getDouble(b, p * k + q, j) / k;
                }
        return out;
    }

    @Test
    void aHintOnAStudentReducedInTimeComparesItWithTheTeacherAveragedToItsFrameRate() {
        Network teacher = Network.build(ModelSpec.parse("speech:2x8,heads=2,frame=4,length=10,outputs=3"), 1);
        Network base = Network.build(ModelSpec.parse("speech:3x8,heads=2,frame=4,length=10,stride=2,outputs=3"), 2);
        INDArray x = Nd4j.rand(DataType.FLOAT, B, FRAME * LENGTH);
        FeatureLoss loss = new FeatureLoss(
                Losses.none(), List.of(FeatureLoss.Match.parse("layer1>layer2:mse,proj=none")), null, null, null);
        INDArray tl = teacher.run(x, List.of("layer1")).get("layer1");
        // stride 2: 5 positions, each against the mean of 2 teacher frames; stride 3: 3 positions from the first 9
        // frames
        for (int stride : new int[] {2, 3}) {
            Network student = base.atStride(stride);
            Objective o = loss.bind(teacher, student);
            int s = LENGTH / stride;
            double[][][] t = pooled(tl, s, stride);
            INDArray sl = student.run(x, List.of("layer2")).get("layer2");
            assertArrayEquals(new long[] {B, s, 8}, sl.shape());
            double mse = 0;
            for (int b = 0; b < B; b++)
                for (int p = 0; p < s; p++)
                    for (int j = 0; j < 8; j++) mse += Math.pow(sl.getDouble(b, p, j) - t[b][p][j], 2) / (B * s * 8);
            assertEquals(mse, value(o, teacher, student, x, new TestAux[1]), 1e-6 * mse, "hint at stride " + stride);
            assertTrue(o.taskAgnostic(), "no logit loss, no labels");
        }
        // the same teacher frame rate as the student: no averaging at all
        Network same = Network.build(ModelSpec.parse("speech:3x8,heads=2,frame=4,length=10,outputs=3"), 2);
        INDArray s1 = same.run(x, List.of("layer2")).get("layer2");
        double mse = s1.sub(tl).norm2Number().doubleValue();
        double expected = mse * mse / (B * LENGTH * 8);
        assertEquals(expected, value(loss.bind(teacher, same), teacher, same, x, new TestAux[1]), 1e-6 * expected);
    }

    @Test
    void distilHubertHeadsRegressEachTeacherLayerFromTheLastStudentLayerUnderL1MinusLogSigmoidCosine() {
        Network teacher = Network.build(ModelSpec.parse("speech:2x8,heads=2,frame=4,length=10,outputs=3"), 1);
        Network student = Network.build(ModelSpec.parse("speech:1x6,heads=2,frame=4,length=10,stride=2,outputs=3"), 2);
        INDArray x = Nd4j.rand(DataType.FLOAT, B, FRAME * LENGTH);
        FeatureLoss loss = new FeatureLoss(Losses.none(), null, null, FeatureLoss.Heads.parse("0,1"), null);
        Objective o = loss.bind(teacher, student);
        TestAux[] aux = new TestAux[1];
        double got = value(o, teacher, student, x, aux);
        INDArray last = student.run(x, List.of("layer0")).get("layer0");
        Map<String, INDArray> t = teacher.run(x, List.of("layer0", "layer1"));
        double expected = 0;
        for (int h = 0; h < 2; h++) {
            INDArray w = aux[0].values.get("head" + h + ".weight");
            INDArray bias = aux[0].values.get("head" + h + ".bias");
            assertArrayEquals(new long[] {6, 8}, w.shape(), "a head maps the student's width 6 to the teacher's 8");
            double[][][] target = pooled(t.get("layer" + h), 5, 2);
            double sum = 0;
            for (int b = 0; b < B; b++)
                for (int p = 0; p < 5; p++) {
                    double[] pred = new double[8];
                    for (int j = 0; j < 8; j++) {
                        pred[j] = bias.getDouble(j);
                        for (int i = 0; i < 6; i++) pred[j] += last.getDouble(b, p, i) * w.getDouble(i, j);
                    }
                    double l1 = 0, dot = 0, np = 0, nt = 0;
                    for (int j = 0; j < 8; j++) {
                        l1 += Math.abs(pred[j] - target[b][p][j]) / 8;
                        dot += pred[j] * target[b][p][j];
                        np += pred[j] * pred[j];
                        nt += target[b][p][j] * target[b][p][j];
                    }
                    double cos = dot / Math.sqrt((np + 1e-8) * (nt + 1e-8));
                    sum += l1 - Math.log(1 / (1 + Math.exp(-cos)));
                }
            expected += sum / (B * 5) / 2;
        }
        assertEquals(expected, got, 1e-5 * Math.abs(expected), "DistilHuBERT: mean over heads of L1 − log σ(cos)");
    }

    @Test
    void intermediateSupervisionIsCrossEntropyOfAHeadOnTheTimeAveragedLayer() {
        Network teacher = Network.build(ModelSpec.parse("speech:2x8,heads=2,frame=4,length=10,outputs=3"), 1);
        Network student = Network.build(ModelSpec.parse("speech:2x6,heads=2,frame=4,length=10,stride=2,outputs=3"), 2);
        INDArray x = Nd4j.rand(DataType.FLOAT, B, FRAME * LENGTH);
        int[] labels = {2, 0, 1};
        Objective o = new FeatureLoss(
                        Losses.none(), null, null, null, List.of(FeatureLoss.Supervision.parse("layer0:task,w=0.3")))
                .bind(teacher, student);
        Tape tape = Tape.inference();
        Map<String, Var> s = student.forward(tape, student.constants(tape), x, null);
        INDArray oneHot = Nd4j.zeros(DataType.FLOAT, B, 3);
        for (int b = 0; b < B; b++) oneHot.putScalar(b, labels[b], 1f);
        TestAux aux = new TestAux(tape, o);
        double got = o.define(new Objective.Inputs(
                        s.get(Network.LOGITS),
                        tape.constant(oneHot),
                        tape.constant(Nd4j.ones(DataType.FLOAT, B, 1)),
                        null,
                        Map.of(),
                        aux.weights,
                        s))
                .item();
        INDArray h = s.get("layer0").value();
        INDArray w = aux.values.get("sup0.weight");
        INDArray bias = aux.values.get("sup0.bias");
        double ce = 0;
        for (int b = 0; b < B; b++) {
            double[] z = new double[3];
            for (int c = 0; c < 3; c++) {
                z[c] = bias.getDouble(c);
                for (int i = 0; i < 6; i++) {
                    double mean = 0;
                    for (int p = 0; p < 5; p++) mean += h.getDouble(b, p, i) / 5;
                    z[c] += mean * w.getDouble(i, c);
                }
            }
            double lse = Math.log(Math.exp(z[0]) + Math.exp(z[1]) + Math.exp(z[2]));
            ce += (lse - z[labels[b]]) / B;
        }
        assertEquals(
                0.3 * ce, got, 1e-5 * Math.max(1, ce), "0.3 × cross-entropy of the head on the time-mean of layer0");
        assertFalse(o.taskAgnostic(), "it reads the labels");
    }

    @Test
    void aTeacherShorterThanItsStudentCannotBeAveragedAndIsRefused() {
        Network teacher = Network.build(ModelSpec.parse("speech:1x8,heads=2,frame=4,length=10,stride=2,outputs=3"), 1);
        Network student = Network.build(ModelSpec.parse("speech:1x8,heads=2,frame=4,length=10,outputs=3"), 2);
        SpecException e = assertThrows(
                SpecException.class,
                () -> new FeatureLoss(Losses.none(), null, null, FeatureLoss.Heads.parse("0"), null)
                        .bind(teacher, student));
        assertTrue(e.getMessage().contains("reduced in time"), e.getMessage());
        // a teacher at stride 2 (5 positions) and a student at stride 3 (3 positions) do not line up in time
        Network third = Network.build(ModelSpec.parse("speech:1x8,heads=2,frame=4,length=10,stride=3,outputs=3"), 2);
        Objective misaligned =
                new FeatureLoss(Losses.none(), null, null, FeatureLoss.Heads.parse("0"), null).bind(teacher, third);
        e = assertThrows(
                SpecException.class,
                () -> value(misaligned, teacher, third, Nd4j.rand(DataType.FLOAT, B, 40), new TestAux[1]));
        assertTrue(e.getMessage().contains("must be a multiple of the teacher's"), e.getMessage());
        assertFalse(
                new FeatureLoss(Losses.none(), null, null, null, List.of(FeatureLoss.Supervision.parse("layer0:task")))
                        .bind(student, student)
                        .taskAgnostic(),
                "supervision on the labels is not task-agnostic");
        assertEquals(Losses.none(), Losses.parse("none"));
    }
}
