package dev.distillery.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.backend.Backend;
import dev.distillery.data.LabeledData;
import dev.distillery.data.TextCorpus;
import dev.distillery.data.TextTasks;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.Network;
import dev.distillery.model.TransformerSpec;
import dev.distillery.spec.SpecException;
import dev.distillery.teacher.OnnxEncoder;
import dev.distillery.teacher.OnnxTeacher;
import dev.distillery.teacher.Teacher;
import dev.distillery.teacher.TeacherCache;
import dev.distillery.teacher.Teachers;
import dev.distillery.train.TrainingOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/** bge-small as a teacher of token ids, and a short sentence-embedding distillation from it. */
class SentenceDistillIT {

    static final String STUDENT = "text:2x64,heads=2,length=32,vocab=30522";
    static Teacher bge;
    static TextTasks tasks;

    @BeforeAll
    static void load() {
        Backend.start(2);
        TeacherCache.setShared(new TeacherCache(null));
        bge = Teachers.pretrained("bge-small-en-v1.5", 32, 2);
        tasks = TextTasks.build(
                TextCorpus.open(TextCorpus.defaultDir(), System.out::println),
                ((OnnxTeacher) bge.model()).tokenizer(),
                TextTasks.Options.fast());
    }

    @Test
    void theTeacherGivesEveryLayerAndTheSentenceEmbeddingOfTokenIds() {
        OnnxTeacher t = (OnnxTeacher) bge.model();
        assertEquals(
                26,
                t.outputNames().size(),
                "embedding, layer0…layer11 each with its attention maps, features: " + t.outputNames());
        assertEquals(12, t.depth());
        assertTrue(
                t.parameterCount() > 33_000_000 && t.parameterCount() < 33_500_000, "bge-small: " + t.parameterCount());
        List<String> sentences =
                List.of("Call me Ishmael.", "The whale surfaced beside the ship, and the crew fell silent.");
        INDArray ids = t.tokenizer().ids(sentences, 32);
        Map<String, INDArray> out = t.outputs(ids, List.of("features", "layer11", "embedding"));
        float[][] direct = OnnxEncoder.pretrained("bge-small-en-v1.5", 1).embed(sentences, 1);
        for (int i = 0; i < 2; i++) {
            float[] f = out.get("features").getRow(i).toFloatVector();
            double dot = 0;
            for (int j = 0; j < f.length; j++) {
                dot += f[j] * direct[i][j];
            }
            assertTrue(dot > 0.9999, "the token-id path embeds sentence " + i + " as the sentence path does: " + dot);
        }
        // the short sentence's tokens, then zeros at padding
        int n = t.tokenizer().tokens(sentences.get(0)).length;
        assertTrue(n >= 6 && n <= 9, "Call me Ishmael. is a handful of tokens: " + n);
        INDArray layer = out.get("layer11").reshape(2, 32, 384);
        assertTrue(layer.get(NDArrayIndex.point(0), NDArrayIndex.point(n - 1), NDArrayIndex.all())
                        .norm2Number()
                        .doubleValue()
                > 1);
        assertEquals(
                0.0,
                layer.get(NDArrayIndex.point(0), NDArrayIndex.interval(n, 32), NDArrayIndex.all())
                        .norm1Number()
                        .doubleValue(),
                0.0);
        // attention probabilities [12 heads, 32, 32]: each real query's row sums to 1 over the real keys; padding is
        // zero
        assertEquals(
                List.of(12L, 32L, 32L),
                java.util.Arrays.stream(t.outputShape("attention3")).boxed().toList());
        INDArray att = t.outputs(ids, List.of("attention3")).get("attention3").reshape(2, 12, 32, 32);
        assertEquals(
                1.0,
                att.get(NDArrayIndex.point(0), NDArrayIndex.point(5), NDArrayIndex.point(1), NDArrayIndex.all())
                        .sumNumber()
                        .doubleValue(),
                1e-4);
        assertEquals(
                0.0,
                att.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.interval(n, 32), NDArrayIndex.all())
                        .norm1Number()
                        .doubleValue(),
                0.0);
        assertEquals(
                0.0,
                att.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(n, 32))
                        .norm1Number()
                        .doubleValue(),
                0.0);
        SpecException e = assertThrows(SpecException.class, () -> t.outputs(ids, List.of("logits")));
        assertTrue(e.getMessage().contains("no classifier"), e.getMessage());
        e = assertThrows(SpecException.class, () -> t.outputs(t.tokenizer().ids(sentences, 16), List.of("features")));
        assertTrue(e.getMessage().contains("[N, 32]") && e.getMessage().contains("withLength(16)"), e.getMessage());
        e = assertThrows(SpecException.class, bge::network);
        assertTrue(e.getMessage().contains("ONNX Runtime"), e.getMessage());
    }

    /**
     * Four epochs on 3,000 sentences take the student's held-out fidelity well past an untrained
     * student's and past the teacher's mean embedding, and its neighbours towards the teacher's.
     */
    @Test
    void aShortDistillationRaisesHeldOutFidelityWellAboveAnUntrainedStudents() {
        Network untrained = Network.build(((TransformerSpec) ModelSpec.parse(STUDENT)).withOutputs(1), 1);
        SentenceDistill.Quality before = SentenceDistill.quality(bge, untrained, tasks.sentences());
        long computed = TeacherCache.shared().computedCount();
        SentenceDistill.Result r = SentenceDistill.from(bge)
                .into(STUDENT)
                .on(tasks.sentences())
                .initFromTeacher(true)
                .epochs(4)
                .seed(1)
                .run();
        SentenceDistill.Quality after = r.quality();
        System.out.println("untrained " + before + "\ndistilled " + r.summary());
        assertEquals(computed, TeacherCache.shared().computedCount(), "the teacher's embeddings came from the cache");
        assertTrue(after.fidelity() > before.fidelity() + 0.04, before + " → " + after);
        assertTrue(after.fidelity() > after.baseline() + 0.03, "beats answering with the mean embedding: " + after);
        assertTrue(after.neighbours() > 3 * before.neighbours(), before + " → " + after);
        assertTrue(
                r.provenance().objective().contains("infonce"), r.provenance().objective());

        // stage 2: the distilled encoder, fine-tuned on spam, beats always answering "ham"
        DistillResult spam = SentenceDistill.fineTune(
                r.network(),
                tasks.spam().splits(),
                TrainingOptions.defaults().epochs(4).batchSize(32).seed(1),
                List.of());
        assertTrue(spam.metrics().testAccuracy() > tasks.spam().majority() + 0.1, spam.summary());
    }

    /** The ensemble's embedding is the normalised mean of bge's and MiniLM's, each computed on its own. */
    @Test
    void anEnsembleOfBgeAndMiniLmAveragesTheirNormalisedEmbeddings() {
        Teacher mini = Teachers.pretrained("all-minilm-l6-v2", 32, 2);
        Teacher both = dev.distillery.teacher.EncoderEnsemble.of("bge+minilm", bge, mini);
        List<String> sentences = List.of("A huge whale swam up next to the boat.", "Win a free prize now, click here!");
        INDArray ids = ((OnnxTeacher) bge.model()).tokenizer().ids(sentences, 32);
        INDArray mean = both.model().outputs(ids, List.of("features")).get("features");
        INDArray a = bge.model().outputs(ids, List.of("features")).get("features");
        INDArray b = mini.model().outputs(ids, List.of("features")).get("features");
        INDArray expected = a.add(b);
        expected.diviColumnVector(expected.norm2(1).reshape(2, 1));
        assertTrue(mean.equalsWithEps(expected, 1e-5), mean + " vs " + expected);
        assertEquals(bge.parameterCount() + mini.parameterCount(), both.parameterCount());
        assertTrue(
                both.model().describe().contains("bge-small-en-v1.5×0.50 + all-minilm-l6-v2×0.50"),
                both.model().describe());
        SpecException e = assertThrows(SpecException.class, () -> both.model().outputShape("layer3"));
        assertTrue(e.getMessage().contains("only features"), e.getMessage());
    }

    /**
     * TinyBERT-style terms on the teacher's layers and attention maps join the embedding terms (a
     * 12-head student): the first step's loss, on one batch of every training sentence, equals the
     * weighted terms computed here by hand from the student's initial outputs, the teacher's, and the
     * projections' initial weights.
     */
    @Test
    void perLayerHiddenStateAndAttentionTermsAddUpToTheFirstStepsLoss() {
        TextTasks.Task s = tasks.sentences();
        TextTasks.Task small = new TextTasks.Task(
                "sentences",
                s.splits().sample(300, 50, 60, 1),
                s.trainText(),
                s.validationText(),
                s.testText(),
                s.classes());
        LabeledData train = small.splits().train();
        String student = "text:2x96,heads=12,length=32,vocab=30522";
        for (String mapping : List.of("uniform,w=0.5", "uniform:attention,w=2")) {
            boolean attention = mapping.contains("attention");
            SentenceDistill.Result r = SentenceDistill.from(bge)
                    .into(student)
                    .on(small)
                    .with(SentenceDistill.disco(0.7, 0.4, dev.distillery.loss.FeatureLoss.Mapping.parse(mapping)))
                    .epochs(1)
                    .batchSize(train.size())
                    .learningRate(1e-9)
                    .seed(1)
                    .run();
            assertEquals(
                    attention
                            ? "no logit loss (task-agnostic) + cosine(features)×0.7[linear] + infonce(features)×0.4[linear]"
                                    + " + attention-kl(attention5>attention0)×2 + attention-kl(attention11>attention1)×2"
                            : "no logit loss (task-agnostic) + cosine(features)×0.7[linear] + infonce(features)×0.4[linear]"
                                    + " + mse(layer5>layer0)×0.5[linear] + mse(layer11>layer1)×0.5[linear]",
                    r.objective());

            Network init =
                    Network.build(((TransformerSpec) ModelSpec.parse(student)).withOutputs(train.numClasses()), 1);
            List<String> names = attention
                    ? List.of("features", "attention0", "attention1")
                    : List.of("features", "layer0", "layer1");
            Map<String, INDArray> st = doubles(init.outputs(train.features(), names));
            Map<String, INDArray> te = doubles(bge.outputs(
                    train,
                    List.of("features", attention ? "attention5" : "layer5", attention ? "attention11" : "layer11")));
            Map<String, INDArray> aux = doubles(r.network().auxiliary());
            Map<String, Double> terms = new java.util.LinkedHashMap<>();
            terms.put("cosine", 0.7 * (1 - meanCosine(project(st.get("features"), aux, "match0"), te.get("features"))));
            terms.put("infonce", 0.4 * infoNce(project(st.get("features"), aux, "match1"), te.get("features")));
            for (int i = 0; i < 2; i++) {
                int t = i == 0 ? 5 : 11;
                if (attention) {
                    terms.put("attention" + i, 2 * attentionKl(st.get("attention" + i), te.get("attention" + t)));
                } else {
                    INDArray hs = project(st.get("layer" + i).reshape(train.size() * 32L, 96), aux, "match" + (2 + i));
                    INDArray diff = hs.sub(te.get("layer" + t).reshape(train.size() * 32L, 384));
                    terms.put("layer" + i, 0.5 * diff.mul(diff).meanNumber().doubleValue());
                }
            }
            double expected =
                    terms.values().stream().mapToDouble(Double::doubleValue).sum();
            double first = r.outcome().curve().get(0).trainLoss();
            // training sums millions of float32 values per term; the hand computation is in double
            assertEquals(
                    expected,
                    first,
                    1e-3 * expected,
                    mapping + ": the first step's loss is the weighted sum of " + terms);
            terms.forEach((name, v) -> assertTrue(v > 0.01 * expected, name + " is a real part of the loss: " + terms));
        }
    }

    private static Map<String, INDArray> doubles(Map<String, INDArray> m) {
        Map<String, INDArray> out = new java.util.LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v.castTo(DataType.DOUBLE)));
        return out;
    }

    /** {@code x · W + b} with the projection {@code name}'s weights. */
    private static INDArray project(INDArray x, Map<String, INDArray> aux, String name) {
        return x.mmul(aux.get("aux." + name + ".weight"))
                .addRowVector(aux.get("aux." + name + ".bias").reshape(1, -1));
    }

    /** Each row divided by its length (ε = 1e-8 under the root, as the loss has it). */
    private static INDArray unit(INDArray x) {
        INDArray norms = Transforms.sqrt(x.mul(x).sum(true, 1).addi(1e-8));
        return x.divColumnVector(norms);
    }

    private static double meanCosine(INDArray a, INDArray b) {
        return unit(a).mul(unit(b)).sum(1).meanNumber().doubleValue();
    }

    /** Mean over rows of −log softmax(aᵢ·bⱼ/0.1) at j = i. */
    private static double infoNce(INDArray a, INDArray b) {
        INDArray logits = unit(a).mmul(unit(b).transpose()).divi(0.1);
        double total = 0;
        for (int i = 0; i < logits.rows(); i++) {
            double max = logits.getRow(i).maxNumber().doubleValue();
            double lse = max
                    + Math.log(Transforms.exp(logits.getRow(i).sub(max))
                            .sumNumber()
                            .doubleValue());
            total += lse - logits.getDouble(i, i);
        }
        return total / logits.rows();
    }

    /** KL(teacher ‖ student) of every attention row ({@code [N, 12·32·32]}: 12 heads of 32 × 32), averaged over rows. */
    private static double attentionKl(INDArray student, INDArray teacher) {
        INDArray s = student.reshape(-1, 32);
        INDArray t = teacher.reshape(-1, 32);
        INDArray kl = t.mul(Transforms.log(t.add(1e-8)).sub(Transforms.log(s.add(1e-8))))
                .sum(1);
        return kl.meanNumber().doubleValue();
    }

    @Test
    void aStudentThatCannotReadTokenIdsIsRefusedWithTheFix() {
        SpecException e = assertThrows(
                SpecException.class,
                () -> SentenceDistill.from(bge)
                        .into("mlp:64")
                        .on(tasks.sentences())
                        .run());
        assertTrue(e.getMessage().contains("text:2x128,length=32"), e.getMessage());
        e = assertThrows(
                SpecException.class,
                () -> SentenceDistill.from(bge)
                        .into("text:1x32,length=64,vocab=30522")
                        .on(tasks.sentences())
                        .run());
        assertTrue(e.getMessage().contains("set length=32"), e.getMessage());
        e = assertThrows(
                SpecException.class,
                () -> SentenceDistill.from(bge)
                        .into("text:1x32,length=32,vocab=1000")
                        .on(tasks.sentences())
                        .initFromTeacher(true)
                        .run());
        assertTrue(e.getMessage().contains("vocab=30522"), e.getMessage());
    }
}
