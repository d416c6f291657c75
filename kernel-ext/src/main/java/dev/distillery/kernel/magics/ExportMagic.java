package dev.distillery.kernel.magics;

import dev.distillery.experiment.ModelExport;
import dev.distillery.kernel.Workbench;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "%export",
        description = {
            "Write a teacher made with %%teacher, or the model a completed run kept, as an ONNX file (opset 17, "
                    + "dynamic batch) that ONNX Runtime and other engines run; its logits match Distillery's own.",
            "NAME is a teacher's name, else a run's id or the start of one (%%runs lists them)."
        },
        footer = {
            "",
            "Examples:",
            "  %%export cnn --onnx cnn.onnx",
            "  %%export 20261130-1306 --onnx student.onnx --outputs features,layer0",
            "  %%export 20261130-1306 --onnx student-int8.onnx --int8"
        })
final class ExportMagic extends Magic {

    @Parameters(index = "0", paramLabel = "NAME", description = "a teacher, or a run id (or its start)")
    String name;

    @Option(names = "--onnx", required = true, paramLabel = "FILE", description = "the ONNX file to write")
    Path onnx;

    @Option(
            names = "--outputs",
            split = ",",
            paramLabel = "NAME",
            description = "named outputs besides logits (features, layer0, …)")
    List<String> outputs = List.of();

    @Option(
            names = "--int8",
            description = "quantise linear and convolution weights to int8, per output channel (about a quarter of "
                    + "the size)")
    boolean int8;

    @Override
    public ModelExport.Written run(String body) {
        Workbench wb = ctx.workbench();
        if (wb.teacherNames().contains(name)) {
            return ModelExport.network(wb.teacher(name).teacher().network(), onnx, outputs, int8);
        }
        try {
            return ModelExport.run(wb.store(), name, onnx, outputs, int8);
        } catch (dev.distillery.spec.SpecException e) {
            if (!e.getMessage().startsWith("no run")) {
                throw e;
            }
            List<String> teachers = wb.teacherNames();
            throw new MagicUsageException(
                    "%export",
                    "'" + name + "' is neither a teacher"
                            + (teachers.isEmpty() ? "" : " (" + String.join(", ", teachers) + ")")
                            + " nor a run: " + e.getMessage(),
                    ctx.catalog().line("export").usage());
        }
    }
}
