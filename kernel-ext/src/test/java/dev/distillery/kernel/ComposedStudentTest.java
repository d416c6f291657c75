package dev.distillery.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.distillery.distill.DistillResult;
import dev.distillery.eval.Latency;
import dev.distillery.experiment.Experiment;
import dev.distillery.experiment.RunRecord;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.Network;
import dev.distillery.model.StackSpec;
import dev.distillery.provenance.ModelFile;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A student composed from modules in a cell, not from a spec string, goes the whole way a spec'd one
 * does: it distils from a teacher, is recorded with a structural description that rebuilds it, is
 * saved and loaded with the same outputs, and exports to ONNX with the same logits.
 */
class ComposedStudentTest {

    static final String DATA = "fashion-mnist:train=600,val=200,test=200";

    static final String STEPS = "stack:conv:4>relu>maxpool:2>linear:32>gelu>layernorm>dropout:0.1,shape=1x28x28";

    @TempDir
    static Path dir;

    static KernelHarness h;

    @BeforeAll
    static void start() {
        h = new KernelHarness(dir.resolve("runs"));
        h.kernel.evalRaw("%teacher t --spec mlp:32 --data " + DATA + " --epochs 1");
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @Test
    void aStudentComposedInACellDistilsIsRecordedReloadsAndExports() throws Exception {
        String shown = KernelHarness.text(h.exec("""
                var composed = Student.image(1, 28, 28)
                        .conv(4).relu().maxPool(2)
                        .linear(32).gelu().layerNorm().dropout(0.1)
                        .classifier(10);
                composed
                """));
        assertTrue(
                shown.contains("(" + STEPS + "): 25,554 parameters, 784 inputs → 10 outputs"),
                "the cell shows the student, its compact form and its size: " + shown);
        String tree = KernelHarness.text(h.exec("Network.build(composed, 1).model().tree()"));
        assertTrue(tree.contains("Conv2d(in=1, out=4, kernel=3)") && tree.contains("LayerNorm(width=32)"), tree);

        Experiment.Outcome o =
                (Experiment.Outcome) h.kernel.evalRaw("%distill {composed} --from t --epochs 2 --name composed");
        RunRecord r = o.records().get(0);
        DistillResult result = o.results().get(0);
        assertEquals(RunRecord.COMPLETED, r.status());
        assertEquals(STEPS, r.studentSpec(), "the record names the student by its structure");
        assertTrue(r.metrics().testAccuracy() > 0.3, "it learned from the teacher: " + r.metrics());
        assertTrue(r.metrics().agreement() != null && r.metrics().latency(Latency.ONNX_RUNTIME, 256) != null);

        // the record's structural description rebuilds it: from the compact form and from the spec's JSON
        Path recordFile = dir.resolve("runs").resolve(r.id()).resolve("record.json");
        String json = Files.readString(recordFile).replaceAll("\\s", "");
        assertTrue(
                json.contains("\"type\":\"stack\",\"inputs\":784,\"shape\":\"1x28x28\",\"steps\":[\"conv:4\""), json);
        ModelSpec rebuilt = ModelSpec.parse(r.studentSpec());
        assertTrue(rebuilt instanceof StackSpec);
        assertEquals(rebuilt, r.spec().students().get(0).model());
        assertEquals(result.network().parameterCount(), rebuilt.parameterCount());

        // saved with the run, and again by hand: both load to the same outputs
        INDArray x = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 50, 784);
        INDArray expected = result.network().forward(x);
        Network kept = ModelFile.load(dir.resolve("runs").resolve(r.id()).resolve("model.dtm"))
                .network();
        assertEquals(rebuilt, kept.spec());
        assertEquals(0.0, kept.forward(x).sub(expected).amaxNumber().doubleValue(), 1e-6);
        Path saved = dir.resolve("composed.dtm");
        // the Java way, as in the README: train a teacher, distil the composed student, save it
        h.exec("""
                Splits data = FashionMnist.splits(600, 0);
                Teacher mlp = Teachers.train("m", ModelSpec.parse("mlp:32"), data,
                        TrainingOptions.defaults().epochs(1), List.of()).teacher();
                var kd = Distill.from(mlp).into(composed).on(data).epochs(1).seed(3).run();
                kd.save(Path.of("%s"));
                """.formatted(saved));
        Network loaded = ModelFile.load(saved).network();
        assertEquals(rebuilt, loaded.spec());
        assertEquals(
                STEPS,
                KernelHarness.text(h.exec("kd.network().spec().compact()")).strip());

        // exported by run id: ONNX Runtime gives the network's logits
        Path onnx = dir.resolve("composed.onnx");
        String written = KernelHarness.text(h.exec("%export " + r.id() + " --onnx " + onnx + " --outputs layer0"));
        assertTrue(written.contains("wrote " + onnx), written);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(onnx.toString(), new OrtSession.SessionOptions());
                OnnxTensor in = OnnxTensor.createTensor(
                        env, FloatBuffer.wrap(x.dup('c').data().asFloat()), x.shape());
                OrtSession.Result out = s.run(Map.of("input", in))) {
            float[][] logits = (float[][]) out.get("logits").orElseThrow().getValue();
            INDArray fromOnnx = Nd4j.create(logits);
            assertEquals(0.0, fromOnnx.sub(expected).amaxNumber().doubleValue(), 1e-4);
            assertEquals(List.of("logits", "layer0"), List.copyOf(s.getOutputNames()));
        }
    }

    /** The README's two lines, as one cell: the Java statement and the magic that distils what it built. */
    @Test
    void theReadmeCellComposesAndDistilsInOne() {
        Object value = h.kernel.evalRaw("""
                var small = Student.input(784).linear(16).relu().layerNorm().classifier(10);
                %distill {small} --from t --epochs 1 --name readme
                """);
        RunRecord r = ((Experiment.Outcome) value).records().get(0);
        assertEquals("stack:linear:16>relu>layernorm", r.studentSpec());
        assertEquals(RunRecord.COMPLETED, r.status());
    }
}
