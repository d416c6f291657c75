package dev.distillery.model;

import static org.junit.jupiter.api.Assertions.*;

import dev.distillery.TestData;
import dev.distillery.data.Splits;
import dev.distillery.distill.Distill;
import dev.distillery.distill.DistillResult;
import dev.distillery.loss.Losses;
import dev.distillery.spec.SpecException;
import dev.distillery.spec.Specs;
import dev.distillery.teacher.Teacher;
import dev.distillery.teacher.Teachers;
import dev.distillery.train.EpochStats;
import dev.distillery.train.TrainingOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Vision-transformer students: exact parameter counts, named hidden states and attention maps, training. */
class TransformerTest {

    @Test
    void parameterCountFromTheSpecEqualsTheBuiltNetwork() {
        for (TransformerSpec s : List.of(
                TransformerSpec.of(1, 16, 2),
                TransformerSpec.of(4, 64, 4),
                (TransformerSpec) ModelSpec.parse("vit:3x48,heads=6,ffn=2,patch=7,norm=post"),
                (TransformerSpec) ModelSpec.parse("vit:2x32,ffn=1.5,patch=14,activation=relu"))) {
            assertEquals(s.parameterCount(), Network.build(s, 0).parameterCount(), s.describe());
        }
        // by hand for vit:1x16 h2 (patch 4: 49 patches of 16 pixels, ffn 64): embedding 16·16+16+49·16,
        // one layer 2·16 + 4·(16·16+16) + 2·16 + 16·64+64+64·16+16, final norm 2·16, head 16·10+10
        assertEquals(
                (256 + 16 + 784) + (32 + 1088 + 32 + 1024 + 64 + 1024 + 16) + 32 + 170,
                TransformerSpec.of(1, 16, 2).parameterCount());
    }

    @Test
    void everyFamilyCountsItsParametersExactly() {
        for (ModelSpec s : List.of(
                ModelSpec.parse("mlp:64"),
                ModelSpec.parse("mlp:800x800"),
                ModelSpec.parse("mlp:"),
                ModelSpec.parse("cnn:32x64,dense=128"),
                ModelSpec.parse("cnn:16x32,kernel=5,dense=64x32"))) {
            assertEquals(Network.build(s, 0).parameterCount(), s.parameterCount(), s.describe());
        }
        assertEquals(421_642, ModelSpec.parse("cnn:32x64,dense=128").parameterCount(), "the quickstart teacher");
    }

    @Test
    void budgetSolverListsShallowWideToDeepNarrowStudentsOfOneSize() {
        List<Budgets.Candidate> grid = Budgets.transformers(200_000, 0.03, Budgets.TransformerGrid.defaults());
        assertTrue(grid.size() >= 4, grid.toString());
        for (Budgets.Candidate c : grid) {
            assertTrue(Math.abs(c.parameters() - 200_000) <= 6_000, c.toString());
            assertEquals(c.parameters(), c.spec().parameterCount());
        }
        Budgets.Candidate shallow = grid.get(0);
        Budgets.Candidate deep = grid.get(grid.size() - 1);
        assertTrue(
                shallow.depth() < deep.depth() && shallow.width() > deep.width(),
                "from shallow-wide " + shallow + " to deep-narrow " + deep);
        // the solver's count is the built network's
        assertEquals(deep.parameters(), Network.build(deep.spec(), 0).parameterCount());

        List<Budgets.Candidate> mlps = Budgets.mlps(100_000, 0.02, 4);
        assertEquals(
                List.of(1, 2, 3, 4),
                mlps.stream().map(Budgets.Candidate::depth).distinct().toList());
        assertTrue(assertThrows(
                        SpecException.class, () -> Budgets.transformers(500, 0.03, Budgets.TransformerGrid.defaults()))
                .getMessage()
                .contains("no transformer student has 500 parameters"));
    }

    @Test
    void compactFormRoundTripsAndBadSpecsSayWhy() {
        for (String c :
                List.of("vit:4x64", "vit:3x48,heads=6,ffn=2,patch=7,norm=post", "vit:2x32,ffn=1.5,activation=relu")) {
            assertEquals(c, ModelSpec.parse(c).compact());
            assertEquals(ModelSpec.parse(c), Specs.parse(Specs.toJson(ModelSpec.parse(c)), ModelSpec.class, "json"));
        }
        assertTrue(assertThrows(SpecException.class, () -> ModelSpec.parse("vit:2x30,heads=4"))
                .getMessage()
                .contains("width 30 is not divisible by 4 heads"));
        assertTrue(assertThrows(SpecException.class, () -> ModelSpec.parse("vit:2x32,patch=5"))
                .getMessage()
                .contains("does not split into 5×5 patches"));
        assertTrue(assertThrows(SpecException.class, () -> ModelSpec.parse("mlp:64,heads=2"))
                .getMessage()
                .contains("transformer keys (vit, speech, text), not mlp"));
    }

    @Test
    void exposesEmbeddingEveryLayerAndAttentionByName() {
        TransformerSpec s = TransformerSpec.of(2, 32, 4);
        Network net = Network.build(s, 1);
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 784);
        Map<String, INDArray> out = net.run(
                x,
                List.of(
                        Network.EMBEDDING,
                        Network.layer(0),
                        Network.layer(1),
                        Network.attention(0),
                        Network.attention(1),
                        Network.LOGITS));
        assertArrayEquals(new long[] {3, 49, 32}, out.get(Network.EMBEDDING).shape());
        assertArrayEquals(new long[] {3, 49, 32}, out.get(Network.layer(1)).shape());
        INDArray attn = out.get(Network.attention(1));
        assertArrayEquals(new long[] {3, 4, 49, 49}, attn.shape());
        // every attention row is a distribution over the 49 patches
        INDArray rowSums = attn.sum(3);
        assertEquals(1.0, rowSums.minNumber().doubleValue(), 1e-4);
        assertEquals(1.0, rowSums.maxNumber().doubleValue(), 1e-4);
        assertEquals(out.get(Network.LOGITS), net.forward(x));
    }

    @Test
    void dropoutMasksTrainingButNotInference() {
        TransformerSpec s = (TransformerSpec) ModelSpec.parse("vit:2x16,heads=2,dropout=0.2");
        assertEquals("vit:2x16,heads=2,dropout=0.2", s.compact());
        Network net = Network.build(s, 0);
        assertEquals(s.parameterCount(), net.parameterCount(), "dropout adds no parameters");
        assertEquals(5, net.dropouts().size(), "embedding, and attention and FFN outputs of 2 layers");
        assertEquals(49 * 16, net.dropouts().get(0).width());
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 784);
        assertEquals(net.forward(x), net.forward(x), "inference is deterministic: all masks are ones");
        dev.distillery.tensor.Tape tape = dev.distillery.tensor.Tape.inference();
        java.util.Map<String, dev.distillery.tensor.Var> masked =
                net.forward(tape, net.constants(tape), x, (d, b) -> Nd4j.zeros(DataType.FLOAT, b, d.width()));
        INDArray dropped = masked.get(Network.EMBEDDING).value();
        assertNotEquals(net.forward(x), masked.get(Network.LOGITS).value(), "masks change the output");
        INDArray clean = net.run(x, List.of(Network.EMBEDDING)).get(Network.EMBEDDING);
        assertEquals(clean, dropped, "the named embedding is taken before its dropout");
    }

    @Test
    void aTransformerStudentLearnsFromACnnTeacher() {
        Splits data = TestData.small(2000);
        Teacher teacher = Teachers.train(
                        "mlp", MlpSpec.of(64), data, TrainingOptions.defaults().epochs(2), List.of())
                .teacher();
        DistillResult r = Distill.from(teacher)
                .into("vit:1x32,patch=7,dropout=0.1")
                .with(Losses.hinton(2.0, 0.5))
                .on(data)
                .epochs(3)
                .seed(1)
                .run();
        assertEquals(TransformerSpec.class, r.network().spec().getClass());
        assertTrue(r.metrics().testAccuracy() > 0.5, "a 1-layer ViT learns Fashion-MNIST above chance: " + r.metrics());
        List<EpochStats> curve = r.training().curve();
        assertTrue(curve.get(2).trainLoss() < curve.get(0).trainLoss(), "the loss goes down: " + curve);
    }

    @Test
    void speechFrontEndAndTimeReductionCountAndShapeExactly() {
        TransformerSpec speech =
                (TransformerSpec) ModelSpec.parse("speech:2x16,heads=2,frame=8,length=20,stride=2,outputs=3");
        TransformerSpec vit = (TransformerSpec) ModelSpec.parse("vit:1x16,heads=2,patch=7,stride=4");
        for (TransformerSpec t : List.of(speech, vit)) {
            assertEquals(t.parameterCount(), Network.build(t, 0).parameterCount(), t.describe());
            assertEquals(t, ModelSpec.parse(t.compact()), "compact round trip of " + t.compact());
            assertEquals(t, Specs.parse(Specs.toJson(t), ModelSpec.class, "json"), "JSON round trip of " + t.compact());
        }
        // the frame projection 8·16 + 16, positions for all 20 frames (before the reduction), two layers, head 16·3 + 3
        long layer = 2 * 16 + 4 * (16 * 16 + 16) + 2 * 16 + 16 * 64 + 64 + 64 * 16 + 16;
        assertEquals(8 * 16 + 16 + 20 * 16 + 2 * layer + 2 * 16 + 16 * 3 + 3, speech.parameterCount());
        assertEquals(160, speech.inputs());
        Network net = Network.build(speech, 0);
        assertArrayEquals(new long[] {10, 16}, net.outputShape(Network.EMBEDDING), "20 frames reduced by 2");
        assertArrayEquals(new long[] {10, 16}, net.outputShape(Network.layer(1)));
        assertArrayEquals(new long[] {2, 10, 10}, net.outputShape(Network.attention(0)));
        assertArrayEquals(
                new long[] {4, 16}, Network.build(vit, 0).outputShape(Network.layer(0)), "16 patches reduced by 4");
        SpecException e =
                assertThrows(SpecException.class, () -> ModelSpec.parse("speech:2x16,frame=8,length=20,stride=21"));
        assertTrue(e.getMessage().contains("stride 21 is longer than the sequence of 20"), e.getMessage());
        e = assertThrows(SpecException.class, () -> ModelSpec.parse("speech:2x16,length=12"));
        assertTrue(e.getMessage().contains("speech needs frame=N"), e.getMessage());
    }

    /**
     * Which band holds a tone in a noisy utterance (values in [0, 1.3], like normalised filterbank
     * energies): learnable only through the frame projection.
     */
    @Test
    void aSpeechStudentWithTimeReductionLearnsThroughItsFrameFrontEnd() {
        java.util.Random r = new java.util.Random(3);
        int n = 600;
        float[][] frames = new float[n][20 * 8];
        int[] secondHalf = new int[n];
        for (int i = 0; i < n; i++) {
            secondHalf[i] = i % 2;
            int at = r.nextInt(20);
            for (int j = 0; j < frames[i].length; j++) {
                frames[i][j] = (float) (0.3 * r.nextDouble());
            }
            frames[i][at * 8 + (secondHalf[i] == 1 ? 5 : 2)] += 1f;
        }
        String spec = "speech:1x16,heads=2,frame=8,length=20,stride=2,outputs=2";
        dev.distillery.data.LabeledData all = new dev.distillery.data.LabeledData(
                "tones", Nd4j.createFromArray(frames), secondHalf, 2, "synthetic-tones");
        Splits s = new Splits(
                all.rows(java.util.stream.IntStream.range(0, 400).toArray(), "train"),
                all.rows(java.util.stream.IntStream.range(400, 500).toArray(), "val"),
                all.rows(java.util.stream.IntStream.range(500, 600).toArray(), "test"));
        DistillResult res = Distill.scratch(ModelSpec.parse(spec))
                .on(s)
                .epochs(6)
                .batchSize(32)
                .seed(1)
                .run();
        assertTrue(res.metrics().testAccuracy() > 0.9, spec + " learns its task: " + res.summary());
    }

    @Test
    void oneSetOfWeightsRunsAtEveryStrideAndARemainderIsDropped() {
        Network full = Network.build(ModelSpec.parse("speech:1x8,heads=2,frame=4,length=11,outputs=3"), 5);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 44);
        INDArray e1 = full.run(x, List.of(Network.EMBEDDING)).get(Network.EMBEDDING);
        for (int stride : new int[] {2, 3, 4}) {
            Network reduced = full.atStride(stride);
            assertEquals(full.parameterCount(), reduced.parameterCount());
            assertSame(
                    full.parameters().get("embed.proj.weight"),
                    reduced.parameters().get("embed.proj.weight"),
                    "the weights are shared");
            int s = 11 / stride;
            INDArray e = reduced.run(x, List.of(Network.EMBEDDING)).get(Network.EMBEDDING);
            assertArrayEquals(new long[] {2, s, 8}, e.shape(), "11 frames at stride " + stride);
            for (int b = 0; b < 2; b++) {
                for (int p = 0; p < s; p++) {
                    for (int d = 0; d < 8; d++) {
                        double mean = 0;
                        for (int k = 0; k < stride; k++) {
                            mean += e1.getDouble(b, p * stride + k, d) / stride;
                        }
                        assertEquals(
                                mean,
                                e.getDouble(b, p, d),
                                1e-5,
                                "position " + p + " is the mean of frames " + p * stride + ".."
                                        + (p * stride + stride - 1));
                    }
                }
            }
        }
        assertThrows(
                SpecException.class,
                () -> Network.build(ModelSpec.parse("mlp:8"), 0).atStride(2));
    }
}
