package dev.distillery.teacher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.TestData;
import dev.distillery.data.LabeledData;
import dev.distillery.data.Splits;
import dev.distillery.distill.Distill;
import dev.distillery.distill.DistillResult;
import dev.distillery.eval.Fidelity;
import dev.distillery.loss.Losses;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.Network;
import dev.distillery.spec.SpecException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * ONNX models whose input is a float tensor, as teachers: image classifiers written by
 * {@code src/test/python/onnx_models.py} with {@code onnx.helper} (conv, batch norm, pooling, a
 * linear head; node names as {@code torch.onnx.export} gives them), channels first and last.
 */
class OnnxModelIT {

    static final Splits DATA = TestData.small(2000);

    @TempDir
    static Path dir;

    static TeacherCache previous;

    @BeforeAll
    static void writeModels() throws Exception {
        PythonScripts.run("onnx_models.py", dir, 2); // python3-onnx writes the test models
        previous = TeacherCache.shared();
        TeacherCache.setShared(new TeacherCache(dir.resolve("teacher-outputs")));
    }

    @AfterAll
    static void restoreCache() {
        TeacherCache.setShared(previous);
    }

    static Path model(String name) {
        return dir.resolve(name + ".onnx");
    }

    @Test
    void aFloatModelIsToldFromATokenEncoderByItsInput() {
        assertEquals(OnnxModel.InputKind.FLOAT, OnnxModel.inputKind(model("image-nchw")));
        assertEquals(OnnxModel.InputKind.TOKEN_IDS, OnnxModel.inputKind(model("tokens")));
        SpecException e =
                assertThrows(SpecException.class, () -> OnnxModel.load(model("tokens"), OnnxModel.Options.defaults()));
        assertTrue(
                e.getMessage().contains("not a float tensor") && e.getMessage().contains("--tokenizer"),
                e.getMessage());
    }

    @Test
    void theListingShowsEveryNodeWithItsShape() {
        String list = OnnxModel.list(model("image-nchw"), OnnxModel.Options.defaults());
        assertTrue(list.contains("image"), list);
        for (String line : List.of(
                "/conv1/Conv_output_0 [1, 8, 14, 14]",
                "/bn1/BatchNormalization_output_0 [1, 8, 14, 14]",
                "/flatten/Flatten_output_0 [1, 392]",
                "logits [1, 10]")) {
            assertTrue(list.contains(line), line + " in\n" + list);
        }
    }

    @Test
    void channelsLastReadsTheSameImagesAsChannelsFirst() {
        Teacher first = Teachers.onnxModel(model("image-nchw"), OnnxModel.Options.defaults());
        Teacher last = Teachers.onnxModel(model("image-nhwc"), OnnxModel.Options.defaults());
        assertEquals(OnnxModel.Layout.NCHW, ((OnnxModel) first.model()).input().layout());
        assertEquals(OnnxModel.Layout.NHWC, ((OnnxModel) last.model()).input().layout());
        assertEquals(10, first.outputs(), "its class scores, from the graph's first output");
        LabeledData test = DATA.test();
        INDArray a = first.computeLogits(test);
        INDArray b = last.computeLogits(test);
        assertEquals(0.0, a.sub(b).amaxNumber().doubleValue(), 1e-4, "the same weights, read in either layout");
        double accuracy = dev.distillery.eval.Accuracy.of(a, test.labels());
        assertTrue(accuracy > 0.7, "a classifier (its head fitted to Fashion-MNIST's training file): " + accuracy);
    }

    @Test
    void normalisationAndResizingAreAppliedBeforeTheModel() {
        Teacher plain = Teachers.onnxModel(model("image-nchw"), OnnxModel.Options.defaults());
        Teacher normalised = Teachers.onnxModel(
                model("image-nchw"), OnnxModel.Options.defaults().normalise(new float[] {0.5f}, new float[] {0.25f}));
        INDArray x = DATA.test()
                .features()
                .get(
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 50),
                        org.nd4j.linalg.indexing.NDArrayIndex.all());
        INDArray byHand = plain.model()
                .outputs(x.sub(0.5).div(0.25), List.of(Network.LOGITS))
                .get(Network.LOGITS);
        INDArray byModel =
                normalised.model().outputs(x, List.of(Network.LOGITS)).get(Network.LOGITS);
        assertEquals(0.0, byHand.sub(byModel).amaxNumber().doubleValue(), 1e-4);
        assertTrue(!plain.id().equals(normalised.id()), "how a model is read is part of its id");

        // a 14 × 14 image is resized to the 28 × 28 the model takes; a constant image stays constant
        float[] flat = new float[14 * 14];
        java.util.Arrays.fill(flat, 0.3f);
        float[] up = OnnxModel.bilinear(flat, 0, 14, 14, 28, 28);
        for (float v : up) {
            assertEquals(0.3f, v, 1e-6f);
        }
        float[] ramp = {0, 1, 2, 3};
        assertArrayEquals(ramp, OnnxModel.bilinear(ramp, 0, 2, 2, 2, 2), 0f, "the same size is a copy");
        INDArray small = org.nd4j.linalg.factory.Nd4j.create(new float[][] {flat});
        assertEquals(
                10,
                plain.model()
                        .outputs(small, List.of(Network.LOGITS))
                        .get(Network.LOGITS)
                        .columns(),
                "rows of 14 × 14 images are read");
    }

    @Test
    void aChosenIntermediateNodeIsAnOutputThroughTheCache() {
        Teacher t = Teachers.onnxModel(
                model("image-nchw"),
                OnnxModel.Options.defaults()
                        .outputs(OnnxModel.Options.parseOutputs(
                                "logits=logits,features=/flatten/Flatten_output_0,layer0=/relu/Relu_output_0")));
        assertEquals(List.of("logits", "features", "layer0"), t.outputNames());
        assertArrayEquals(new long[] {392}, t.outputShape("features"));
        assertArrayEquals(new long[] {8, 14, 14}, t.outputShape("layer0"));
        long computed = TeacherCache.shared().computedCount();
        Map<String, INDArray> first = t.outputs(DATA.validation(), List.of("features", "layer0"));
        Map<String, INDArray> again = t.outputs(DATA.validation(), List.of("features", "layer0"));
        assertEquals(computed + 1, TeacherCache.shared().computedCount(), "computed once, then served");
        assertEquals(first.get("features"), again.get("features"));
        assertEquals(DATA.validation().size(), first.get("features").rows());
        assertEquals(8 * 14 * 14, first.get("layer0").columns());
    }

    /**
     * Measured: the model classifies 83.4 % of the 500 test images right; a 784-64-10 student agrees with
     * it on 7.2 % of them untrained and on 80.2 % after 8 epochs of its soft targets alone (T = 4).
     */
    @Test
    void aStudentDistilledFromTheModelAgreesWithItFarMoreThanAnUntrainedOne() {
        Teacher t = Teachers.onnxModel(model("image-nchw"), OnnxModel.Options.defaults());
        Network untrained = Network.build(ModelSpec.parse("mlp:64"), 1);
        double before = Fidelity.agreement(untrained.logits(DATA.test().features()), t.logits(DATA.test()));
        DistillResult r = Distill.from(t)
                .into("mlp:64")
                .with(Losses.hinton(4.0, 0.0))
                .on(DATA)
                .epochs(8)
                .seed(1)
                .run();
        double after = r.metrics().agreement();
        assertTrue(after > before + 0.3 && after > 0.6, "agreement " + before + " untrained, " + after + " distilled");
        assertEquals(
                "onnx:image-nchw", r.provenance().lineage().teachers().get(0).spec());
    }

    /** The spec form: logit KD and a feature term on a chosen node, recorded like any teacher's runs. */
    @Test
    void anExperimentSpecDistilsFromTheModelWithAFeatureTerm() throws Exception {
        Path spec = Files.writeString(dir.resolve("from-onnx.yaml"), """
                name: from-onnx
                threads: 1
                data: {trainSize: 2000, validationSize: 300, testSize: 500, splitSeed: 2}
                teacher:
                  name: exported
                  onnx: {file: %s, outputs: {logits: logits, features: /flatten/Flatten_output_0}}
                students: [{name: s, model: {type: mlp, hidden: [32]}}]
                recipes:
                  - {name: kd, loss: {type: hinton, temperature: 4, alpha: 0.1}, epochs: 3}
                  - name: kd-features
                    epochs: 3
                    loss:
                      type: features
                      logits: {type: hinton, temperature: 4, alpha: 0.1}
                      matches: [{student: features, teacher: features, loss: mse, projection: linear}]
                seeds: [1]
                """.formatted(model("image-nchw")));
        dev.distillery.experiment.Experiment.Outcome out = dev.distillery.experiment.Experiment.of(
                        spec, dir.resolve("runs"))
                .run();
        assertEquals(2, out.records().size());
        for (dev.distillery.experiment.RunRecord r : out.records()) {
            assertEquals("completed", r.status());
            assertEquals("onnx:image-nchw", r.teacher().spec());
            assertTrue(
                    r.metrics().agreement() > 0.6,
                    r.recipe() + ": agreement " + r.metrics().agreement());
        }
        assertTrue(
                out.records().get(1).loss().contains("features"),
                out.records().get(1).loss());
        assertTrue(out.report().contains("teacher exported (image-nchw (ONNX"), out.report());
    }

    @Test
    void aModelThatDoesNotFitIsToldWhatItHasAndWhatTheDataGives() {
        SpecException node = assertThrows(
                SpecException.class,
                () -> OnnxModel.load(
                        model("image-nchw"),
                        OnnxModel.Options.defaults().outputs(Map.of("features", "/nope/Relu_output_0"))));
        assertTrue(
                node.getMessage().contains("no node output '/nope/Relu_output_0'")
                        && node.getMessage().contains("/flatten/Flatten_output_0"),
                node.getMessage());

        SpecException notScores = assertThrows(
                SpecException.class,
                () -> OnnxModel.load(
                        model("image-nchw"),
                        OnnxModel.Options.defaults().outputs(Map.of("logits", "/relu/Relu_output_0"))));
        assertTrue(
                notScores.getMessage().contains("gives [8, 14, 14] per example, not one score per class"),
                notScores.getMessage());

        Teacher t = Teachers.onnxModel(model("image-nchw"), OnnxModel.Options.defaults());
        SpecException rows = assertThrows(
                SpecException.class,
                () -> t.model().outputs(org.nd4j.linalg.factory.Nd4j.zeros(3, 101), List.of(Network.LOGITS)));
        assertTrue(
                rows.getMessage().contains("reads nchw [1, 28, 28] per example (784 values")
                        && rows.getMessage().contains("the data gives 101 values per row"),
                rows.getMessage());

        SpecException layout = assertThrows(
                SpecException.class,
                () -> OnnxModel.load(
                        model("image-nchw"), OnnxModel.Options.defaults().layout(OnnxModel.Layout.FRAMES)));
        assertTrue(layout.getMessage().contains("which is not frames"), layout.getMessage());

        Teacher featuresOnly = Teachers.onnxModel(
                model("image-nchw"),
                OnnxModel.Options.defaults().outputs(Map.of("features", "/flatten/Flatten_output_0")));
        SpecException noLogits = assertThrows(
                SpecException.class,
                () -> Distill.from(featuresOnly)
                        .into("mlp:8")
                        .on(DATA)
                        .epochs(1)
                        .run());
        assertTrue(noLogits.getMessage().contains("gives no class scores"), noLogits.getMessage());
        assertTrue(Files.isRegularFile(model("image-nhwc")));
    }
}
