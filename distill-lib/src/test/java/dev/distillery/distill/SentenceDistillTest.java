package dev.distillery.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.backend.Backend;
import dev.distillery.data.TextCorpus;
import dev.distillery.data.TextTasks;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.Network;
import dev.distillery.model.SpecException;
import dev.distillery.model.TrainingOptions;
import dev.distillery.model.TransformerSpec;
import dev.distillery.teacher.OnnxEncoder;
import dev.distillery.teacher.OnnxTeacher;
import dev.distillery.teacher.Teacher;
import dev.distillery.teacher.TeacherCache;
import dev.distillery.teacher.Teachers;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** bge-small as a teacher of token ids, and a short sentence-embedding distillation from it. */
class SentenceDistillTest {

    static final String STUDENT = "text:2x64,heads=2,length=32,vocab=30522";
    static Teacher bge;
    static TextTasks tasks;

    @BeforeAll
    static void load() {
        Backend.start(2);
        TeacherCache.setShared(new TeacherCache(null));
        bge = Teachers.pretrained("bge-small-en-v1.5", 32, 2);
        tasks = TextTasks.build(TextCorpus.open(TextCorpus.defaultDir(), System.out::println),
                ((OnnxTeacher) bge.model()).tokenizer(), TextTasks.Options.fast());
    }

    @Test
    void theTeacherGivesEveryLayerAndTheSentenceEmbeddingOfTokenIds() {
        OnnxTeacher t = (OnnxTeacher) bge.model();
        assertEquals(26, t.outputNames().size(), "embedding, layer0…layer11 each with its attention maps, features: "
                + t.outputNames());
        assertEquals(12, t.depth());
        assertTrue(t.parameterCount() > 33_000_000 && t.parameterCount() < 33_500_000, "bge-small: " + t.parameterCount());
        List<String> sentences = List.of("Call me Ishmael.", "The whale surfaced beside the ship, and the crew fell silent.");
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
        assertTrue(layer.get(NDArrayIndex.point(0), NDArrayIndex.point(n - 1), NDArrayIndex.all()).norm2Number().doubleValue() > 1);
        assertEquals(0.0, layer.get(NDArrayIndex.point(0), NDArrayIndex.interval(n, 32), NDArrayIndex.all())
                .norm1Number().doubleValue(), 0.0);
        // attention probabilities [12 heads, 32, 32]: each real query's row sums to 1 over the real keys; padding is zero
        assertEquals(List.of(12L, 32L, 32L), java.util.Arrays.stream(t.outputShape("attention3")).boxed().toList());
        INDArray att = t.outputs(ids, List.of("attention3")).get("attention3").reshape(2, 12, 32, 32);
        assertEquals(1.0, att.get(NDArrayIndex.point(0), NDArrayIndex.point(5), NDArrayIndex.point(1), NDArrayIndex.all())
                .sumNumber().doubleValue(), 1e-4);
        assertEquals(0.0, att.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.interval(n, 32), NDArrayIndex.all())
                .norm1Number().doubleValue(), 0.0);
        assertEquals(0.0, att.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(n, 32))
                .norm1Number().doubleValue(), 0.0);
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
        SentenceDistill.Result r = SentenceDistill.from(bge).into(STUDENT).on(tasks.sentences()).initFromTeacher(true)
                .epochs(4).seed(1).run();
        SentenceDistill.Quality after = r.quality();
        System.out.println("untrained " + before + "\ndistilled " + r.summary());
        assertEquals(computed, TeacherCache.shared().computedCount(), "the teacher's embeddings came from the cache");
        assertTrue(after.fidelity() > before.fidelity() + 0.04, before + " → " + after);
        assertTrue(after.fidelity() > after.baseline() + 0.03, "beats answering with the mean embedding: " + after);
        assertTrue(after.neighbours() > 3 * before.neighbours(), before + " → " + after);
        assertTrue(r.provenance().objective().contains("infonce"), r.provenance().objective());

        // stage 2: the distilled encoder, fine-tuned on spam, beats always answering "ham"
        DistillResult spam = SentenceDistill.fineTune(r.network(), tasks.spam().splits(),
                TrainingOptions.defaults().epochs(4).batchSize(32).seed(1), List.of());
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
        assertTrue(both.model().describe().contains("bge-small-en-v1.5×0.50 + all-minilm-l6-v2×0.50"), both.model().describe());
        SpecException e = assertThrows(SpecException.class, () -> both.model().outputShape("layer3"));
        assertTrue(e.getMessage().contains("only features"), e.getMessage());
    }

    /** TinyBERT-style terms on the teacher's layers and attention maps join the embedding terms (a 12-head student). */
    @Test
    void perLayerHiddenStateAndAttentionTermsTrainFromTheTeachersLayers() {
        TextTasks.Task s = tasks.sentences();
        TextTasks.Task small = new TextTasks.Task("sentences", s.splits().sample(300, 50, 60, 1), s.trainText(),
                s.validationText(), s.testText(), s.classes());
        for (String mapping : List.of("uniform", "uniform:attention")) {
            SentenceDistill.Result r = SentenceDistill.from(bge).into("text:2x96,heads=12,length=32,vocab=30522").on(small)
                    .with(SentenceDistill.disco(1.0, 1.0, dev.distillery.loss.FeatureLoss.Mapping.parse(mapping)))
                    .epochs(1).seed(1).run();
            String objective = r.objective();
            assertTrue(objective.contains(mapping.contains("attention") ? "attention-kl(attention5>attention0)"
                    : "mse(layer5>layer0)"), objective);
            assertTrue(objective.contains("infonce(features)"), objective);
            double first = r.outcome().curve().get(0).trainLoss();
            assertTrue(Double.isFinite(first) && Double.isFinite(r.quality().fidelity()), r.summary());
        }
    }

    @Test
    void aStudentThatCannotReadTokenIdsIsRefusedWithTheFix() {
        SpecException e = assertThrows(SpecException.class,
                () -> SentenceDistill.from(bge).into("mlp:64").on(tasks.sentences()).run());
        assertTrue(e.getMessage().contains("text:2x128,length=32"), e.getMessage());
        e = assertThrows(SpecException.class, () -> SentenceDistill.from(bge).into("text:1x32,length=64,vocab=30522")
                .on(tasks.sentences()).run());
        assertTrue(e.getMessage().contains("set length=32"), e.getMessage());
        e = assertThrows(SpecException.class, () -> SentenceDistill.from(bge).into("text:1x32,length=32,vocab=1000")
                .on(tasks.sentences()).initFromTeacher(true).run());
        assertTrue(e.getMessage().contains("vocab=30522"), e.getMessage());
    }
}
