package dev.distillery.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.experiment.Experiment;
import dev.distillery.experiment.ExperimentSpec;
import dev.distillery.experiment.RunRecord;
import dev.distillery.experiment.RunStore;
import dev.distillery.loss.Losses;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.OnnxExportTest;
import dev.distillery.provenance.ModelFile;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code ./distillery export RUN --onnx FILE}: a completed run keeps its model, which exports and runs. */
class ExportCommandTest {

    @TempDir
    Path dir;

    @Test
    void aCompletedRunsModelExportsByTheStartOfItsIdAndRunsInOnnxRuntime() throws Exception {
        ExperimentSpec spec = new ExperimentSpec(
                "export",
                ExperimentSpec.DataSpec.parse("fashion-mnist:train=500,val=200,test=200"),
                null,
                List.of(new ExperimentSpec.StudentSpec("s", ModelSpec.parse("mlp:16"))),
                List.of(new ExperimentSpec.RecipeSpec("scratch", Losses.scratch(), 1, null, null)),
                new ExperimentSpec.TrainingSpec(1, 64, null, null),
                List.of(1L),
                1);
        Path runs = dir.resolve("runs");
        Experiment.Outcome out = new Experiment(spec, new RunStore(runs)).run();
        RunRecord r = out.records().get(0);
        Path model = runs.resolve(r.id()).resolve(RunStore.MODEL);
        assertTrue(Files.isRegularFile(model), "a completed run keeps its model");

        Path onnx = dir.resolve("s.onnx");
        Result ok = cli(
                "export",
                r.id().substring(0, 20),
                "--onnx",
                onnx.toString(),
                "--outputs",
                "features",
                "--runs",
                runs.toString());
        assertEquals(0, ok.code, ok.err);
        assertTrue(ok.out.contains("wrote " + onnx) && ok.out.contains("outputs logits, features"), ok.out);
        INDArray x = Experiment.data(spec.data()).test().features();
        INDArray want = ModelFile.load(model).network().logits(x);
        INDArray got = OnnxExportTest.run(onnx, x, List.of("logits")).get("logits");
        assertTrue(want.sub(got).amaxNumber().doubleValue() <= 1e-4);

        Result unknown = cli("export", "nothing", "--onnx", onnx.toString(), "--runs", runs.toString());
        assertNotEquals(0, unknown.code);
        assertTrue(unknown.err.contains("no run 'nothing'") && unknown.err.contains(r.id()), unknown.err);
        Files.delete(model);
        Result kept = cli("export", r.id(), "--onnx", onnx.toString(), "--runs", runs.toString());
        assertTrue(kept.err.contains("kept no model"), kept.err);
    }

    record Result(int code, String out, String err) {}

    static Result cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = System.out;
        PrintStream e = System.err;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.commandLine().execute(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
    }
}
