package dev.distillery.kernel;

import static org.junit.jupiter.api.Assertions.*;

import dev.distillery.experiment.Experiment;
import dev.distillery.experiment.RunRecord;
import dev.distillery.teacher.OnnxModel;
import dev.distillery.teacher.Teacher;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code %teacher --onnx} with a model whose input is a float tensor (the image classifier the
 * library's tests write with {@code onnx.helper}), then {@code %distill}, a feature term,
 * {@code %ensemble} and {@code %sweep} with it, in one kernel.
 */
class OnnxTeacherMagicsIT {

    static final String DATA = "fashion-mnist:labels=500,train=2000,val=300,test=500";

    @TempDir
    static Path dir;

    static KernelHarness h;
    static String model;

    @BeforeAll
    static void start() throws Exception {
        Process p = new ProcessBuilder(
                        "/usr/bin/python3", "../distill-lib/src/test/python/onnx_models.py", dir.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(2, TimeUnit.MINUTES) && p.exitValue() == 0, out);
        model = dir.resolve("image-nchw.onnx").toString();
        h = new KernelHarness(dir.resolve("runs"));
        h.kernel.evalRaw("%teacher exported --onnx " + model + " --data " + DATA
                + " --outputs logits=logits,features=/flatten/Flatten_output_0");
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @Test
    void listShowsTheNodesToChooseFrom() {
        h.sink.clear();
        assertNull(h.kernel.evalRaw("%teacher any --onnx " + model + " --list"), "no teacher is kept");
        String list = KernelHarness.text(h.sink.events().get(0).data());
        assertTrue(list.contains("/bn1/BatchNormalization_output_0 [1, 8, 14, 14]"), list);
        assertTrue(list.contains("/flatten/Flatten_output_0 [1, 392]"), list);
    }

    @Test
    void theModelIsATeacherWithItsAccuracyAndChosenOutputs() {
        Teacher t = h.kernel.workbench().teacher("exported").teacher();
        assertInstanceOf(OnnxModel.class, t.model());
        assertEquals(List.of("logits", "features"), t.outputNames());
        assertTrue(h.kernel.workbench().teacher("exported").testAccuracy() > 0.7);
    }

    @Test
    void distillFeatureTermsAndEnsemblesTakeIt() {
        Experiment.Outcome kd =
                (Experiment.Outcome) h.kernel.evalRaw("%distill mlp:32 --from exported --epochs 3 --name onnx-kd");
        RunRecord r = kd.records().get(0);
        assertEquals("completed", r.status());
        assertEquals("onnx:image-nchw", r.teacher().spec());
        assertTrue(r.metrics().agreement() > 0.6, "agreement " + r.metrics().agreement());
        String shown = KernelHarness.text(h.exec("%distill mlp:16 --from exported --epochs 1 --name onnx-shown"));
        assertTrue(shown.contains("exported"), "the cell shows the outcome: " + shown);

        Experiment.Outcome features = (Experiment.Outcome) h.kernel.evalRaw(
                "%distill mlp:32 --from exported --epochs 2 --feature features:mse --name onnx-features");
        assertTrue(
                features.records().get(0).loss().contains("features"),
                features.records().get(0).loss());

        h.exec("%teacher small --spec mlp:32 --data " + DATA + " --epochs 2");
        h.exec("%ensemble pair --teachers exported,small");
        Experiment.Outcome pair =
                (Experiment.Outcome) h.kernel.evalRaw("%distill mlp:16 --from pair --epochs 2 --name onnx-pair");
        assertEquals(2, pair.records().get(0).lineage().teachers().size(), "learnt from both members");
    }

    @Test
    void sweepTakesItAndItsOutputsAreComputedOnce() {
        var sweep = (dev.distillery.experiment.Sweep.Result) h.kernel.evalRaw(
                "%sweep --from exported --family mlp --budget 20000 --depths 1,2 --epochs 1 --name onnx-sweep");
        List<RunRecord> records = sweep.outcome().records();
        assertTrue(records.size() >= 2, "a student per depth: " + records.size());
        assertTrue(
                sweep.teacherComputations() <= 3 && sweep.teacherReuses() >= 3,
                "the model ran over each split at most once, the second student read the cache: "
                        + sweep.teacherComputations() + " computed, " + sweep.teacherReuses() + " reused");
        for (RunRecord r : records) {
            assertEquals("completed", r.status());
            assertEquals("onnx:image-nchw", r.teacher().spec());
        }
    }

    @Test
    void mistakesNameTheModelAndTheFix() {
        List<String> node = h.error("%teacher bad --onnx " + model + " --outputs features=/nope");
        assertTrue(node.get(0).contains("no node output '/nope'"), node.get(0));
        List<String> input = h.error("%teacher bad --onnx " + model + " --input text");
        assertTrue(input.get(0).startsWith("%teacher: --input is float or ids"), input.get(0));
        List<String> size = h.error("%teacher bad --onnx " + model + " --size 28");
        assertTrue(size.get(0).startsWith("%teacher: --size is HEIGHTxWIDTH"), size.get(0));
        List<String> tokens = h.error("%teacher bad --onnx " + dir.resolve("tokens.onnx"));
        assertTrue(tokens.get(0).contains("no tokenizer beside"), tokens.get(0));
        // the value of %teacher is a Teacher, as notebooks declare it (var t = %teacher ...)
        assertEquals(
                "Teacher",
                KernelHarness.text(h.exec("var onnxTeacher = %teacher again --onnx " + model + " --data " + DATA
                                + "\nonnxTeacher.getClass().getSimpleName()"))
                        .replace("\"", ""));
    }
}
