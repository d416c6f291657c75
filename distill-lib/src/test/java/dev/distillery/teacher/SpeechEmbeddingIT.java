package dev.distillery.teacher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.backend.Backend;
import dev.distillery.data.LabeledData;
import dev.distillery.data.LogMel;
import dev.distillery.loss.WindowPooling;
import dev.distillery.spec.SpecException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The pretrained speech teacher, fetched from npm into the cache: its shapes, its values, and how it lines up in time. */
class SpeechEmbeddingIT {

    static final int N = 16000;
    static Teacher teacher;

    @BeforeAll
    static void open() {
        Backend.start(1);
        teacher = Teachers.pretrained(SpeechEmbedding.NAME, 0, 1);
    }

    /** A fixed synthetic clip: a vowel-like tone with a gliding pitch and two formants, under seeded noise. */
    static float[] clip() {
        float[] x = new float[N];
        SplittableRandom rng = new SplittableRandom(7);
        double phase = 0;
        for (int i = 0; i < N; i++) {
            double t = i / 16000.0;
            double f0 = 140 + 60 * t;
            phase += 2 * Math.PI * f0 / 16000;
            double env = Math.sin(Math.PI * Math.min(1, Math.max(0, (t - 0.2) / 0.6)));
            double voice = Math.sin(phase)
                    + 0.5 * Math.sin(2 * Math.PI * 700 * t) * Math.sin(phase)
                    + 0.3 * Math.sin(2 * Math.PI * 1200 * t) * Math.sin(phase);
            x[i] = (float) (0.3 * env * voice + 0.002 * (rng.nextDouble() * 2 - 1));
        }
        return x;
    }

    static LabeledData rows(float[]... clips) {
        INDArray w = Nd4j.create(DataType.FLOAT, clips.length, N);
        for (int i = 0; i < clips.length; i++) {
            w.putRow(i, Nd4j.createFromArray(clips[i]));
        }
        INDArray features = Nd4j.zeros(DataType.FLOAT, clips.length, 1);
        return new LabeledData("clips", features, new int[clips.length], 1, "clips-" + Arrays.hashCode(clips[0]))
                .withWaveforms(w);
    }

    @Test
    void loadsFromTheFetchedPackageWithItsShapes() {
        assertEquals(SpeechEmbedding.NAME, teacher.name());
        assertEquals(List.of("layer0", "features"), teacher.outputNames());
        assertArrayEquals(new long[] {3, 96}, teacher.outputShape("layer0"));
        assertArrayEquals(new long[] {96}, teacher.outputShape("features"));
        assertEquals(328_129, teacher.parameterCount(), teacher.describe());
        assertTrue(SpeechEmbedding.cacheDir()
                .resolve(SpeechEmbedding.PACKAGE.file())
                .toFile()
                .isFile());
        assertTrue(!teacher.hasLogits(), "an embedding teacher has no classes");
    }

    @Test
    void itsEmbeddingOfAFixedClipMatchesTheValuesRecordedOnce() {
        Map<String, INDArray> out = teacher.model().outputs(rows(clip()), List.of("layer0", "features"));
        float[] features = out.get("features").toFloatVector();
        float[] layer = out.get("layer0").toFloatVector();
        System.out.println("features " + Arrays.toString(Arrays.copyOf(features, 8)));
        System.out.println("window 1 " + Arrays.toString(Arrays.copyOfRange(layer, 96, 104)));
        float[] mean = new float[96];
        for (int k = 0; k < 3; k++) {
            for (int j = 0; j < 96; j++) {
                mean[j] += layer[k * 96 + j] / 3;
            }
        }
        assertArrayEquals(mean, features, 1e-5f, "features is the mean of the three windows");
        // recorded on 2026-11-30 (ONNX Runtime 1.x CPU, the package's SHA-256 as pinned)
        float[] recordedFeatures = {
            -11.448123f, 33.659424f, 6.7416f, -8.117201f, 24.320427f, 21.0762f, 10.73463f, -7.9265656f
        };
        float[] recordedWindow1 = {
            -11.924816f, 33.234886f, 7.5473433f, -8.306752f, 25.719429f, 22.703257f, 12.17003f, -7.3777695f
        };
        assertArrayEquals(recordedFeatures, Arrays.copyOf(features, 8), 1e-3f);
        assertArrayEquals(recordedWindow1, Arrays.copyOfRange(layer, 96, 104), 1e-3f);
    }

    @Test
    void featuresWithoutWaveformsAreRefusedWithTheFix() {
        LabeledData noWave = new LabeledData("images", Nd4j.zeros(DataType.FLOAT, 2, 784), new int[2], 1, "x");
        SpecException e =
                assertThrows(SpecException.class, () -> teacher.model().outputs(noWave, List.of("features")));
        assertTrue(
                e.getMessage().contains("keeps no waveforms") && e.getMessage().contains("speech"), e.getMessage());
    }

    /**
     * A sound added late in the clip (0.8625–0.919 s) reaches only the last window: the teacher's
     * embeddings of windows 0 and 1 stay exactly as they were, and a student's log-mel frames pooled
     * over the teacher's windows change in window 2 only, so both sides see the sound at the same place.
     */
    @Test
    void aLateSoundChangesTheLastWindowOnBothSides() {
        float[] quiet = new float[N];
        SplittableRandom rng = new SplittableRandom(3);
        for (int i = 0; i < N; i++) {
            quiet[i] = (float) (0.01 * (rng.nextDouble() * 2 - 1));
        }
        float[] late = quiet.clone();
        for (int i = 13800; i < 14700; i++) {
            late[i] += (float) (0.5 * Math.sin(2 * Math.PI * 900 * i / 16000.0));
        }
        INDArray t =
                teacher.model().outputs(rows(quiet, late), List.of("layer0")).get("layer0");
        double[] teacherChange = windowChange(t.reshape('c', 2, 3, 96));

        LogMel mel = new LogMel(LogMel.Config.speech(40));
        float[][] a = mel.compute(quiet);
        float[][] b = mel.compute(late);
        INDArray frames = Nd4j.create(DataType.FLOAT, 2, a.length, 40);
        for (int j = 0; j < a.length; j++) {
            frames.get(
                            org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                            org.nd4j.linalg.indexing.NDArrayIndex.point(j),
                            org.nd4j.linalg.indexing.NDArrayIndex.all())
                    .assign(Nd4j.createFromArray(a[j]));
            frames.get(
                            org.nd4j.linalg.indexing.NDArrayIndex.point(1),
                            org.nd4j.linalg.indexing.NDArrayIndex.point(j),
                            org.nd4j.linalg.indexing.NDArrayIndex.all())
                    .assign(Nd4j.createFromArray(b[j]));
        }
        double[][] spans = teacher.spans("layer0").orElseThrow();
        dev.distillery.tensor.Tape tape = dev.distillery.tensor.Tape.inference();
        INDArray pooled = WindowPooling.pool(tape, tape.constant(frames), spans).value();
        double[] studentChange = windowChange(pooled);

        System.out.println("teacher change per window " + Arrays.toString(teacherChange) + ", student "
                + Arrays.toString(studentChange));
        assertEquals(0.0, teacherChange[0], 1e-6);
        assertEquals(0.0, teacherChange[1], 1e-6);
        assertTrue(teacherChange[2] > 0.05, Arrays.toString(teacherChange));
        assertEquals(0.0, studentChange[0], 1e-6);
        assertEquals(0.0, studentChange[1], 1e-6);
        assertTrue(studentChange[2] > 0.05, Arrays.toString(studentChange));
    }

    /** Per window, the largest absolute difference between example 0 and example 1 of {@code [2, W, D]}. */
    private static double[] windowChange(INDArray x) {
        int w = (int) x.size(1);
        double[] out = new double[w];
        for (int k = 0; k < w; k++) {
            INDArray d = x.get(
                            org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                            org.nd4j.linalg.indexing.NDArrayIndex.point(k),
                            org.nd4j.linalg.indexing.NDArrayIndex.all())
                    .sub(x.get(
                            org.nd4j.linalg.indexing.NDArrayIndex.point(1),
                            org.nd4j.linalg.indexing.NDArrayIndex.point(k),
                            org.nd4j.linalg.indexing.NDArrayIndex.all()));
            out[k] =
                    org.nd4j.linalg.ops.transforms.Transforms.abs(d).maxNumber().doubleValue();
        }
        return out;
    }
}
