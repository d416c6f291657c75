package dev.distillery.teacher;

import static org.junit.jupiter.api.Assertions.*;

import dev.distillery.data.LabeledData;
import dev.distillery.data.Splits;
import dev.distillery.eval.Accuracy;
import dev.distillery.model.ModelSpec;
import dev.distillery.spec.SpecException;
import dev.distillery.train.TrainingOptions;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A teacher trained on two tasks over the same examples learns both. */
class MultiTaskTest {

    /** Frames of 8 values whose first four carry a 4-way "word" and last four a 3-way "voice". */
    private static LabeledData[] data(int n, long seed, String name) {
        Random r = new Random(seed);
        float[] x = new float[n * 80];
        int[] word = new int[n];
        int[] voice = new int[n];
        for (int i = 0; i < n; i++) {
            word[i] = r.nextInt(4);
            voice[i] = r.nextInt(3);
            for (int t = 0; t < 10; t++) {
                for (int j = 0; j < 8; j++) {
                    double signal = (j < 4 && j == word[i]) || (j >= 4 && j - 4 == voice[i]) ? 1.5 : 0.0;
                    x[i * 80 + t * 8 + j] = (float) (r.nextGaussian() + signal);
                }
            }
        }
        INDArray f = Nd4j.create(x, new long[] {n, 80}, DataType.FLOAT);
        return new LabeledData[] {
            new LabeledData(name + " word", f, word, 4, name + seed + "w"),
            new LabeledData(name + " voice", f, voice, 3, name + seed + "v")
        };
    }

    @Test
    void bothTasksAreLearnedAndTheSecondHeadIsMeasuredThenDropped() {
        LabeledData[] tr = data(400, 1, "train");
        LabeledData[] va = data(100, 2, "validation");
        LabeledData[] te = data(200, 3, "test");
        Splits word = new Splits(tr[0], va[0], te[0]);
        Splits voice = new Splits(tr[1], va[1], te[1]);
        TrainingOptions o = TrainingOptions.defaults()
                .epochs(6)
                .batchSize(32)
                .learningRate(2e-3)
                .seed(1);
        MultiTask.Trained t = MultiTask.train(
                "two-task",
                ModelSpec.parse("speech:1x16,heads=2,frame=8,length=10,outputs=4"),
                word,
                voice,
                new MultiTask.Task("voice", 3, null, 1.0),
                o,
                List.of());
        assertTrue(t.primaryAccuracy() > 0.8, "word: " + t.primaryAccuracy());
        assertTrue(t.secondaryAccuracy() > 0.8, "voice through its own head: " + t.secondaryAccuracy());
        assertEquals(
                t.primaryAccuracy(),
                Accuracy.of(t.teacher().network().logits(te[0].features()), te[0].labels()),
                1e-12,
                "the teacher keeps the word classifier");
        assertEquals(t.secondaryAccuracy(), t.teacher().provenance().metrics().get("voice_test_accuracy"));
        assertEquals(
                "cross-entropy + 1×cross-entropy(voice head on features)",
                t.teacher().provenance().objective());
        assertEquals(
                ModelSpec.parse("speech:1x16,heads=2,frame=8,length=10,outputs=4")
                        .parameterCount(),
                t.teacher().network().parameterCount(),
                "the voice head is the loss's, not the model's");

        Splits other = new Splits(data(400, 9, "train")[1], va[1], te[1]);
        SpecException e = assertThrows(
                SpecException.class,
                () -> MultiTask.train(
                        "bad",
                        ModelSpec.parse("speech:1x16,heads=2,frame=8,length=10,outputs=4"),
                        word,
                        other,
                        new MultiTask.Task("voice", 3, null, 1.0),
                        o,
                        List.of()));
        assertTrue(e.getMessage().contains("are not the same examples"), e.getMessage());
        e = assertThrows(SpecException.class, () -> new MultiTask.Task("voice", 1, null, 1.0));
        assertTrue(e.getMessage().contains("at least 2 classes"), e.getMessage());
    }
}
