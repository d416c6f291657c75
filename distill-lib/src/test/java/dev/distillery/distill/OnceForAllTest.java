package dev.distillery.distill;

import static org.junit.jupiter.api.Assertions.*;

import dev.distillery.data.LabeledData;
import dev.distillery.data.Splits;
import dev.distillery.eval.Accuracy;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.Network;
import dev.distillery.spec.SpecException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Once-for-all sequence compression: one set of weights trained across strides, evaluated at each. */
class OnceForAllTest {

    private static final String SPEECH = "speech:2x16,heads=2,frame=8,length=10,outputs=4";

    /** Sequences of 10 frames of 8 values: noise, plus a class pattern in the first half of the clip only. */
    private static LabeledData data(int n, long seed, String name) {
        return LayerProbeTest.sequences(n, seed, name, 5, 1.5);
    }

    private static final Splits DATA =
            new Splits(data(320, 1, "train"), data(80, 2, "validation"), data(200, 3, "test"));

    @Test
    void trainingAtOneDrawnStrideIsExactlyTrainingThatStridesModel() {
        DistillResult drawn = Distill.scratch(ModelSpec.parse(SPEECH))
                .strides(2)
                .on(DATA)
                .epochs(2)
                .batchSize(32)
                .seed(4)
                .run();
        DistillResult plain = Distill.scratch(ModelSpec.parse(SPEECH + ",stride=2"))
                .on(DATA)
                .epochs(2)
                .batchSize(32)
                .seed(4)
                .run();
        Map<String, INDArray> a = drawn.network().parameters();
        Map<String, INDArray> b = plain.network().parameters();
        assertEquals(a.keySet(), b.keySet(), "one set of weights whatever the stride");
        a.forEach((k, v) -> assertEquals(b.get(k), v, k + ": the same steps on the same weights"));
    }

    @Test
    void oneStudentTrainedAcrossStridesWorksAtEachAndRecordsThem() {
        DistillResult r = Distill.scratch(ModelSpec.parse(SPEECH))
                .strides(1, 2, 5)
                .on(DATA)
                .epochs(6)
                .batchSize(32)
                .seed(1)
                .run();
        assertTrue(
                r.provenance().objective().endsWith("once-for-all strides [1, 2, 5]"),
                r.provenance().objective());
        for (int stride : new int[] {1, 2, 5}) {
            Network at = r.network().atStride(stride);
            double acc =
                    Accuracy.of(at.logits(DATA.test().features()), DATA.test().labels());
            assertTrue(acc > 0.6, "stride " + stride + ": " + acc + " (chance 0.25)");
        }
        DistillResult again = Distill.scratch(ModelSpec.parse(SPEECH))
                .strides(1, 2, 5)
                .on(DATA)
                .epochs(6)
                .batchSize(32)
                .seed(1)
                .run();
        r.network()
                .parameters()
                .forEach((k, v) -> assertEquals(
                        again.network().parameters().get(k), v, k + ": the strides are drawn from the seed"));
        SpecException e = assertThrows(
                SpecException.class,
                () -> Distill.scratch(ModelSpec.parse("mlp:16,inputs=80,outputs=4"))
                        .strides(2)
                        .on(DATA)
                        .epochs(1)
                        .run());
        assertTrue(e.getMessage().contains("strides apply to transformer students"), e.getMessage());
    }
}
