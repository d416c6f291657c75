package dev.distillery.train;

import dev.distillery.provenance.ModelFile;
import dev.distillery.spec.AtomicFiles;
import dev.distillery.spec.Specs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Everything needed to continue training after epoch {@code epoch}: weights, Adam moments, the
 * best weights so far and the curve. Written atomically at the end of each epoch.
 */
public record Checkpoint(
        State state,
        Map<String, INDArray> params,
        Map<String, INDArray> adamM,
        Map<String, INDArray> adamV,
        Map<String, INDArray> best) {

    /** The scalar part, stored as JSON. {@code runKey} ties a checkpoint to the run that wrote it. */
    public record State(
            String runKey,
            int epoch,
            long globalStep,
            int bestEpoch,
            double bestValAccuracy,
            int epochsSinceBest,
            List<EpochStats> curve) {}

    public static final String FILE = "checkpoint.zip";

    public void write(Path file) {
        AtomicFiles.write(file, raw -> {
            ZipOutputStream zip = new ZipOutputStream(raw);
            zip.setLevel(java.util.zip.Deflater.BEST_SPEED);
            zip.putNextEntry(new ZipEntry("state.json"));
            zip.write(Specs.toJson(state).getBytes(StandardCharsets.UTF_8));
            ModelFile.writeArrays(zip, "params/", params);
            ModelFile.writeArrays(zip, "adam-m/", adamM);
            ModelFile.writeArrays(zip, "adam-v/", adamV);
            ModelFile.writeArrays(zip, "best/", best);
            zip.finish();
        });
    }

    public static Checkpoint read(Path file) {
        Map<String, String> texts = new LinkedHashMap<>();
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        try {
            ModelFile.readZip(file, texts, arrays);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + file + ": " + e.getMessage(), e);
        }
        State state = Specs.parse(texts.get("state.json"), State.class, file + "!state.json");
        return new Checkpoint(
                state,
                part(arrays, "params/"),
                part(arrays, "adam-m/"),
                part(arrays, "adam-v/"),
                part(arrays, "best/"));
    }

    public static boolean exists(Path dir) {
        return dir != null && Files.isRegularFile(dir.resolve(FILE));
    }

    private static Map<String, INDArray> part(Map<String, INDArray> all, String prefix) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                m.put(k.substring(prefix.length()), v);
            }
        });
        return m;
    }
}
