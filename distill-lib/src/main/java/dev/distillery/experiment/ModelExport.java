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

    /** What was written: the file, its size, the model, its outputs, and whether its weights are int8. */
    public record Written(Path file, long bytes, String model, List<String> outputs, boolean int8) {
        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "wrote %s (%,d bytes, ONNX opset %d, dynamic batch%s): %s; outputs %s",
                    file,
                    bytes,
                    dev.distillery.model.OnnxExport.OPSET,
                    int8 ? ", int8 weights per output channel" : "",
                    model,
                    String.join(", ", outputs));
        }
    }

    private ModelExport() {}

    /** {@code net} to {@code file}, with {@code logits} and the {@code extra} named outputs. */
    public static Written network(Network net, Path file, List<String> extra) {
        return network(net, file, extra, false);
    }

    /** As above; {@code int8}: linear and convolution weights quantised per output channel. */
    public static Written network(Network net, Path file, List<String> extra, boolean int8) {
        if (int8) {
            net.exportOnnxInt8(file, extra.toArray(String[]::new));
        } else {
            net.exportOnnx(file, extra.toArray(String[]::new));
        }
        List<String> outputs = new ArrayList<>(List.of(Network.LOGITS));
        extra.stream().filter(o -> !outputs.contains(o)).forEach(outputs::add);
        try {
            return new Written(file, Files.size(file), net.describe(), outputs, int8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The model completed run {@code run} (an id, or its unique start) kept, in {@code store}. */
    public static Written run(RunStore store, String run, Path file, List<String> extra, boolean int8) {
        RunRecord r = store.find(run);
        Network net = ModelFile.load(store.model(r)).network();
        return network(net, file, extra, int8);
    }
}
