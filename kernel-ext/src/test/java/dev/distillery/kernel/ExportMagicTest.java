package dev.distillery.kernel;

import static org.junit.jupiter.api.Assertions.*;

import dev.distillery.experiment.Experiment;
import dev.distillery.experiment.ModelExport;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code %export} writes a teacher or a completed run's student as ONNX, and answers bad names and paths. */
class ExportMagicTest {

    static final String DATA = "fashion-mnist:train=600,val=200,test=200";

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
    void aTeacherAndARunExportByName() throws Exception {
        Path teacher = dir.resolve("t.onnx");
        ModelExport.Written w =
                (ModelExport.Written) h.kernel.evalRaw("%export t --onnx " + teacher + " --outputs features");
        assertTrue(Files.size(teacher) > 10_000, "the weights are in the file");
        assertEquals(java.util.List.of("logits", "features"), w.outputs());
        assertTrue(w.toString().contains("ONNX opset 17, dynamic batch"), w.toString());

        Experiment.Outcome o = (Experiment.Outcome) h.kernel.evalRaw("%distill mlp:8 --from t --epochs 1 --name ex");
        String id = o.records().get(0).id();
        Path student = dir.resolve("s.onnx");
        String shown = KernelHarness.text(h.exec("%export " + id + " --onnx " + student));
        assertTrue(shown.contains("wrote " + student) && shown.contains("mlp 784-8-10"), shown);
        Path small = dir.resolve("t-int8.onnx");
        String int8 = KernelHarness.text(h.exec("%export t --onnx " + small + " --int8"));
        assertTrue(int8.contains("int8 weights per output channel"), int8);
        assertTrue(Files.size(small) < Files.size(teacher) / 2, "int8 weights take a quarter of the bytes");
    }

    @Test
    void unknownNamesAndUnwritablePathsAreAnsweredWithTheFix() throws Exception {
        String unknown =
                h.error("%export nobody --onnx " + dir.resolve("x.onnx")).get(0);
        assertTrue(unknown.contains("'nobody' is neither a teacher (t) nor a run"), unknown);
        Path file = dir.resolve("a-file");
        Files.writeString(file, "not a folder");
        String unwritable =
                h.error("%export t --onnx " + file.resolve("t.onnx")).get(0);
        assertTrue(
                unwritable.contains("cannot write the ONNX model to " + file.resolve("t.onnx"))
                        && unwritable.contains("a folder you can write to"),
                unwritable);
        String output = h.error("%export t --onnx " + dir.resolve("y.onnx") + " --outputs layer7")
                .get(0);
        assertTrue(output.contains("output 'layer7' is not one"), output);
    }
}
