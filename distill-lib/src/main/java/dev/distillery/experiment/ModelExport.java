package dev.distillery.experiment;

import dev.distillery.model.Network;
import dev.distillery.provenance.ModelFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Models out of the workbench as ONNX files: a network in hand, or the model a completed run kept. */
public final class ModelExport {

    /** What was written: the file, its size, the model and its outputs. */
    public record Written(Path file, long bytes, String model, List<String> outputs) {
        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "wrote %s (%,d bytes, ONNX opset %d, dynamic batch): %s; outputs %s",
                    file,
                    bytes,
                    dev.distillery.model.OnnxExport.OPSET,
                    model,
                    String.join(", ", outputs));
        }
    }

    private ModelExport() {}

    /** {@code net} to {@code file}, with {@code logits} and the {@code extra} named outputs. */
    public static Written network(Network net, Path file, List<String> extra) {
        net.exportOnnx(file, extra.toArray(String[]::new));
        List<String> outputs = new ArrayList<>(List.of(Network.LOGITS));
        extra.stream().filter(o -> !outputs.contains(o)).forEach(outputs::add);
        try {
            return new Written(file, Files.size(file), net.describe(), outputs);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The model completed run {@code run} (an id, or its unique start) kept, in {@code store}. */
    public static Written run(RunStore store, String run, Path file, List<String> extra) {
        RunRecord r = store.find(run);
        Network net = ModelFile.load(store.model(r)).network();
        return network(net, file, extra);
    }
}
