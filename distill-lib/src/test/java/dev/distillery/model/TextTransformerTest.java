package dev.distillery.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.backend.Backend;
import dev.distillery.data.LabeledData;
import dev.distillery.data.Splits;
import dev.distillery.distill.Distill;
import dev.distillery.distill.DistillResult;
import dev.distillery.spec.SpecException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The text front end: token ids in, padding ignored by attention and pooling, a vocabulary-sized embedding table. */
class TextTransformerTest {

    @BeforeAll
    static void start() {
        Backend.start(1);
    }

    @Test
    void compactFormCountsAndRoundTrips() {
        ModelSpec s = ModelSpec.parse("text:2x32,heads=2,length=8,vocab=50,outputs=3");
        assertEquals("text:2x32,heads=2,length=8,vocab=50,outputs=3", s.compact());
        assertEquals(s, ModelSpec.parse(s.compact()));
        Network n = Network.build(s, 1);
        assertEquals(s.parameterCount(), n.parameterCount());
        // 50 × 32 token embeddings + 8 × 32 positions, no input projection
        assertEquals(50L * 32, n.parameters().get("embed.tokens").length());
        assertEquals(List.of(8L, 32L), List.of(n.outputShape("layer1")[0], n.outputShape("layer1")[1]));
        SpecException e = assertThrows(SpecException.class, () -> ModelSpec.parse("text:2x32,length=8"));
        assertTrue(e.getMessage().contains("vocab=V"), e.getMessage());
        e = assertThrows(SpecException.class, () -> ModelSpec.parse("text:2x32,length=8,vocab=50,stride=2"));
        assertTrue(e.getMessage().contains("no time reduction"), e.getMessage());
    }

    /**
     * Logits for 1,000 sentences come in batches small enough that the inference workspace stays near
     * 64 MB (one 1,000-row batch of this model held 671 MB), and match one model call per 50 rows.
     */
    @Test
    void validatingManySentencesKeepsTheInferenceWorkspaceSmall() {
        Network net = Network.build(ModelSpec.parse("text:2x64,heads=2,length=32,vocab=30522,outputs=2"), 3);
        Random r = new Random(5);
        float[] ids = new float[1000 * 32];
        for (int i = 0; i < 1000; i++) {
            int n = 4 + r.nextInt(29);
            for (int j = 0; j < n; j++) {
                ids[i * 32 + j] = 1 + r.nextInt(30000);
            }
        }
        INDArray x = Nd4j.create(ids, new long[] {1000, 32}, DataType.FLOAT);
        // a fresh workspace: it keeps the size earlier tests' inference gave it
        dev.distillery.tensor.Memory.release();
        INDArray logits = net.logits(x);
        long mb = dev.distillery.tensor.Memory.workspace(dev.distillery.tensor.Memory.WORK)
                        .getCurrentSize()
                >> 20;
        assertTrue(mb < 100, "inference workspace " + mb + " MB for 1,000 sentences");
        for (int s = 0; s < 1000; s += 50) {
            INDArray part = net.forward(x.get(NDArrayIndex.interval(s, s + 50), NDArrayIndex.all()));
            INDArray same = logits.get(NDArrayIndex.interval(s, s + 50), NDArrayIndex.all());
            assertTrue(
                    part.sub(same).amaxNumber().doubleValue() < 1e-5,
                    "rows " + s + "-" + (s + 49) + " differ by "
                            + part.sub(same).amaxNumber());
        }
    }

    /**
     * A sentence of 3 tokens padded to 8 gives exactly what a model of length 3 with the same
     * weights gives it unpadded: attention never looks at padding and pooling leaves it out.
     */
    @Test
    void paddingChangesNothing() {
        TransformerSpec padded = (TransformerSpec) ModelSpec.parse("text:2x16,heads=2,length=8,vocab=30,outputs=4");
        TransformerSpec tight = (TransformerSpec) ModelSpec.parse("text:2x16,heads=2,length=3,vocab=30,outputs=4");
        Network a = Network.build(padded, 7);
        Network b = Network.build(tight, 0);
        Map<String, INDArray> w = new LinkedHashMap<>(a.parameters());
        w.put(
                "embed.positions",
                a.parameters().get("embed.positions").get(NDArrayIndex.interval(0, 3), NDArrayIndex.all()));
        b.setParameters(w);
        INDArray x8 = Nd4j.create(new float[][] {{5, 17, 9, 0, 0, 0, 0, 0}, {3, 4, 5, 6, 7, 8, 9, 10}});
        INDArray x3 = Nd4j.create(new float[][] {{5, 17, 9}});
        Map<String, INDArray> pa = a.run(x8, List.of("logits", "features", "layer1"));
        Map<String, INDArray> pb = b.run(x3, List.of("logits", "features", "layer1"));
        assertTrue(
                pa.get("logits").getRow(0).equalsWithEps(pb.get("logits").getRow(0), 1e-5),
                pa.get("logits") + " vs " + pb.get("logits"));
        assertTrue(pa.get("features").getRow(0).equalsWithEps(pb.get("features").getRow(0), 1e-5));
        INDArray layer = pa.get("layer1");
        assertTrue(layer.get(NDArrayIndex.point(0), NDArrayIndex.interval(0, 3), NDArrayIndex.all())
                .equalsWithEps(
                        pb.get("layer1").get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.all()), 1e-5));
        // hidden states at padding are reported as zeros, so feature losses see nothing there
        assertEquals(
                0.0,
                layer.get(NDArrayIndex.point(0), NDArrayIndex.interval(3, 8), NDArrayIndex.all())
                        .norm1Number()
                        .doubleValue(),
                0.0);
    }

    @Test
    void embeddingGradientAddsEachOccurrenceIntoItsRow() {
        dev.distillery.tensor.Tape tape = new dev.distillery.tensor.Tape();
        INDArray table = Nd4j.rand(DataType.FLOAT, 5, 3);
        dev.distillery.tensor.Var t = tape.param(table);
        dev.distillery.tensor.Var r = t.rows(new int[] {2, 4, 2});
        INDArray weights = Nd4j.create(new float[][] {{1, 2, 3}, {4, 5, 6}, {10, 20, 30}});
        tape.backward(r.mul(tape.constant(weights)).sum());
        INDArray g = t.grad();
        assertTrue(g.getRow(2).equalsWithEps(Nd4j.create(new float[] {11, 22, 33}), 1e-6), g.toString());
        assertTrue(g.getRow(4).equalsWithEps(Nd4j.create(new float[] {4, 5, 6}), 1e-6), g.toString());
        assertEquals(0.0, g.getRow(0).norm1Number().doubleValue(), 0.0);
        assertEquals(
                0.0,
                g.getRow(1).norm1Number().doubleValue()
                        + g.getRow(3).norm1Number().doubleValue(),
                0.0);
    }

    @Test
    void inputsThatAreNotTokenIdsAreRefusedWithTheReason() {
        Network n = Network.build(ModelSpec.parse("text:1x8,heads=2,length=4,vocab=10"), 1);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> n.forward(Nd4j.create(new float[][] {{1, 2, 12, 0}})));
        assertTrue(e.getMessage().contains("12") && e.getMessage().contains("10-word vocabulary"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> n.forward(Nd4j.create(new float[][] {{1, 2.5f, 3, 0}})));
        assertTrue(e.getMessage().contains("2.5"), e.getMessage());
    }

    /** Which of two marker words a variable-length sentence holds, wherever it sits. */
    @Test
    void aTextStudentLearnsWhichMarkerWordASentenceHolds() {
        Random r = new Random(5);
        int n = 600;
        int len = 12;
        float[][] ids = new float[n][len];
        int[] label = new int[n];
        for (int i = 0; i < n; i++) {
            label[i] = i % 2;
            int words = 3 + r.nextInt(len - 3);
            for (int j = 0; j < words; j++) {
                ids[i][j] = 3 + r.nextInt(37);
            }
            ids[i][r.nextInt(words)] = label[i] == 1 ? 1 : 2;
        }
        LabeledData all = new LabeledData("markers", Nd4j.createFromArray(ids), label, 2, "synthetic-markers");
        Splits s = new Splits(
                all.rows(IntStream.range(0, 400).toArray(), "train"),
                all.rows(IntStream.range(400, 500).toArray(), "val"),
                all.rows(IntStream.range(500, 600).toArray(), "test"));
        DistillResult res = Distill.scratch(ModelSpec.parse("text:1x16,heads=2,length=12,vocab=40,outputs=2"))
                .on(s)
                .epochs(8)
                .batchSize(32)
                .learningRate(3e-3)
                .seed(1)
                .run();
        assertTrue(res.metrics().testAccuracy() > 0.9, res.summary());
    }
}
