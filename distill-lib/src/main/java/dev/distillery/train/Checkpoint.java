package dev.distillery.train;

import dev.distillery.provenance.ModelFile;
import dev.distillery.spec.AtomicFiles;
import dev.distillery.spec.SpecException;
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
            // stored, not compressed: trained weights and Adam's moments barely compress, and a run writes a
            // checkpoint every epoch (deflating them was a tenth of the fast quickstart's time)
            zip.setLevel(java.util.zip.Deflater.NO_COMPRESSION);
            zip.putNextEntry(new ZipEntry("state.json"));
            zip.write(Specs.toJson(state).getBytes(StandardCharsets.UTF_8));
            ModelFile.writeArrays(zip, "params/", params);
            ModelFile.writeArrays(zip, "adam-m/", adamM);
            ModelFile.writeArrays(zip, "adam-v/", adamV);
            ModelFile.writeArrays(zip, "best/", best);
            zip.finish();
        });
    }

    /**
     * Reads a checkpoint; a damaged one (truncated, a byte changed, empty, a part missing) fails with
     * an error that names the file and says what to do.
     */
    public static Checkpoint read(Path file) {
        Map<String, String> texts = new LinkedHashMap<>();
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        try {
            ModelFile.readZip(file, texts, arrays);
        } catch (IOException | RuntimeException e) {
            throw damaged(file, ModelFile.problem(e), e);
        }
        if (!texts.containsKey("state.json")) {
            throw damaged(file, "it has no state.json", null);
        }
        State state;
        try {
            state = Specs.parse(texts.get("state.json"), State.class, file + "!state.json");
        } catch (RuntimeException e) {
            throw damaged(file, ModelFile.problem(e), e);
        }
        Checkpoint c = new Checkpoint(
                state,
                part(arrays, "params/"),
                part(arrays, "adam-m/"),
                part(arrays, "adam-v/"),
                part(arrays, "best/"));
        if (state.runKey() == null
                || state.epoch() < 1
                || state.curve() == null
                || c.params().isEmpty()) {
            throw damaged(file, "its state or weights are missing", null);
        }
        if (!c.adamM().keySet().equals(c.params().keySet())
                || !c.adamV().keySet().equals(c.params().keySet())) {
            throw damaged(file, "its optimiser state does not cover its weights", null);
        }
        return c;
    }

    /** The error for a checkpoint that cannot be used: its file, what is wrong, and the way on. */
    public static SpecException damaged(Path file, String problem, Throwable cause) {
        return new SpecException(
                "checkpoint " + file + " is damaged (" + problem + "); delete it to train that run again from "
                        + "epoch 1, or rerun with --fresh to start a new run",
                cause);
    }

    /** The epochs the checkpoint in {@code dir} holds (0: none there); a damaged one fails as {@link #read} does. */
    public static int finishedEpochs(Path dir) {
        return exists(dir) ? read(dir.resolve(FILE)).state().epoch() : 0;
    }

    /** Deletes the checkpoint in {@code dir}, and {@code dir} when nothing else is left in it. */
    public static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try {
            Files.deleteIfExists(dir.resolve(FILE));
            if (Files.isDirectory(dir)) {
                try (var left = Files.list(dir)) {
                    if (left.findAny().isEmpty()) {
                        Files.delete(dir);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the checkpoint in " + dir + ": " + e.getMessage(), e);
        }
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
