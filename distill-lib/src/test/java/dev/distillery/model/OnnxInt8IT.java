package dev.distillery.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.distillery.TestData;
import dev.distillery.data.Splits;
import dev.distillery.eval.Accuracy;
import dev.distillery.train.CrossEntropy;
import dev.distillery.train.Trainer;
import dev.distillery.train.TrainingOptions;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A trained network exported with int8 weights runs in ONNX Runtime and agrees with its float export
 * on at least 98 % of the test images; size, accuracy, agreement and latency are printed side by side
 * (latency is measured, never asserted).
 */
class OnnxInt8IT {

    static Splits data;

    @TempDir
    Path tmp;

    @BeforeAll
    static void data() {
        data = TestData.small(3000);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp:256x128", "cnn:16x32,dense=64", "vit:2x64,heads=4,patch=7"})
    void int8AgreesWithFloatOnTheTestSplit(String spec) throws Exception {
        Network net = Network.build(ModelSpec.parse(spec), 1);
        new Trainer(
                        net,
                        new CrossEntropy(),
                        TrainingOptions.defaults().epochs(5).seed(1))
                .fit(data.train(), null, data.validation(), null);
        Path fp32 = tmp.resolve("fp32.onnx");
        Path int8 = tmp.resolve("int8.onnx");
        net.exportOnnx(fp32);
        net.exportOnnxInt8(int8);
        INDArray x = data.test().features();
        INDArray a = OnnxExportTest.run(fp32, x, List.of("logits")).get("logits");
        INDArray b = OnnxExportTest.run(int8, x, List.of("logits")).get("logits");
        int[] labels = data.test().labels();
        double agreement = Accuracy.of(b, Accuracy.argmax(a));
        System.out.printf(
                "%-26s fp32 %,9d B %.2f %% %7.1f / %7.1f µs | int8 %,9d B %.2f %% %7.1f / %7.1f µs | agreement %.2f %%%n",
                spec,
                Files.size(fp32),
                100 * Accuracy.of(a, labels),
                micros(fp32, x, 1),
                micros(fp32, x, 256),
                Files.size(int8),
                100 * Accuracy.of(b, labels),
                micros(int8, x, 1),
                micros(int8, x, 256),
                100 * agreement);
        assertTrue(agreement >= 0.98, spec + ": int8 agrees with fp32 on " + agreement);
        assertTrue(Files.size(int8) < Files.size(fp32) / 2, "int8 weights take a quarter of the bytes");
    }

    /** Median microseconds per example of ONNX Runtime at {@code batch}, one thread. */
    static double micros(Path model, INDArray x, int batch) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setIntraOpNumThreads(1);
        INDArray rows = x.getRows(java.util.stream.IntStream.range(0, batch).toArray());
        try (OrtSession s = env.createSession(model.toString(), o);
                OnnxTensor in = OnnxTensor.createTensor(
                        env, FloatBuffer.wrap(rows.dup('c').data().asFloat()), rows.shape())) {
            double[] t = new double[15];
            for (int i = 0; i < t.length; i++) {
                long t0 = System.nanoTime();
                s.run(Map.of("input", in)).close();
                t[i] = (System.nanoTime() - t0) / 1e3 / batch;
            }
            java.util.Arrays.sort(t);
            return t[t.length / 2];
        }
    }
}
