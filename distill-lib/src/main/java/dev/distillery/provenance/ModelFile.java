package dev.distillery.provenance;

import dev.distillery.model.ModelSpec;
import dev.distillery.model.Network;
import dev.distillery.spec.AtomicFiles;
import dev.distillery.spec.SpecException;
import dev.distillery.spec.Specs;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One file per trained model (a zip): {@code spec.json}, {@code provenance.json} and one entry per
 * parameter. Loading rebuilds the network from the spec and copies the weights in.
 */
public final class ModelFile {

    /** A loaded model and where it came from. */
    public record Loaded(Network network, Provenance provenance) {}

    private ModelFile() {}

    public static void save(Network network, Provenance provenance, Path file) {
        AtomicFiles.write(file, raw -> {
            ZipOutputStream zip = new ZipOutputStream(raw);
            zip.setLevel(java.util.zip.Deflater.BEST_SPEED);
            zip.putNextEntry(new ZipEntry("spec.json"));
            zip.write(Specs.toJson(network.spec()).getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new ZipEntry("provenance.json"));
            zip.write(Specs.toJson(provenance).getBytes(StandardCharsets.UTF_8));
            writeArrays(zip, "params/", network.parameters());
            zip.finish();
        });
    }

    public static Loaded load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new SpecException("model file " + file + " does not exist; save one with ModelFile.save or "
                    + "train a teacher first (working directory is "
                    + Path.of("").toAbsolutePath() + ")");
        }
        Map<String, String> texts = new LinkedHashMap<>();
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        try {
            readZip(file, texts, arrays);
        } catch (NoSuchFileException e) {
            throw new SpecException("model file " + file + " does not exist", e);
        } catch (IOException | RuntimeException e) {
            throw new SpecException(
                    "model file " + file + " is damaged or not a Distillery model file (" + problem(e)
                            + "); it should be a zip with spec.json, provenance.json and params/: save the model "
                            + "again, or restore the file from a copy",
                    e);
        }
        if (!texts.containsKey("spec.json")) {
            throw new SpecException("model file " + file + " has no spec.json; it is not a Distillery model file");
        }
        ModelSpec spec = Specs.parse(texts.get("spec.json"), ModelSpec.class, file + "!spec.json");
        Provenance prov = texts.containsKey("provenance.json")
                ? Specs.parse(texts.get("provenance.json"), Provenance.class, file + "!provenance.json")
                : null;
        Network n = Network.build(spec, 0);
        Map<String, INDArray> params = new LinkedHashMap<>();
        arrays.forEach((k, v) -> params.put(k.substring("params/".length()), v));
        try {
            n.setParameters(params);
        } catch (RuntimeException e) {
            throw new SpecException(
                    "model file " + file + " does not hold the weights its spec.json describes (" + problem(e)
                            + "); save the model again, or restore the file from a copy",
                    e);
        }
        return new Loaded(n, prov);
    }

    /** What went wrong reading a file, for a message that already names it: the exception's kind and message. */
    public static String problem(Throwable e) {
        String m = e.getMessage();
        String kind = e.getClass().getSimpleName();
        return m == null || m.isBlank() ? kind : kind + ": " + m;
    }

    /** Writes each array as a zip entry {@code prefix + name} (model files and checkpoints share the format). */
    public static void writeArrays(ZipOutputStream zip, String prefix, Map<String, INDArray> arrays)
            throws IOException {
        for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
            zip.putNextEntry(new ZipEntry(prefix + e.getKey()));
            // buffered: ND4J writes one float at a time, and each write straight into the zip stream is
            // a call through the deflater and the CRC (a checkpoint of 50,000 parameters took ~0.1 s)
            DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(zip, 1 << 16));
            Nd4j.write(e.getValue(), out);
            out.flush();
        }
    }

    /**
     * Reads a zip: {@code .json} entries as text, every other entry as an array. The zip's directory
     * must be whole (a truncated file fails), and every entry must match its CRC before it is parsed
     * (a flipped byte fails, rather than loading wrong weights).
     */
    public static void readZip(Path file, Map<String, String> texts, Map<String, INDArray> arrays) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                byte[] bytes;
                try (InputStream in = zip.getInputStream(e)) {
                    bytes = in.readAllBytes();
                }
                CRC32 crc = new CRC32();
                crc.update(bytes);
                if ((e.getSize() >= 0 && bytes.length != e.getSize())
                        || (e.getCrc() >= 0 && crc.getValue() != e.getCrc())) {
                    throw new ZipException("entry " + e.getName() + " does not match its recorded size and CRC");
                }
                if (e.getName().endsWith(".json")) {
                    texts.put(e.getName(), new String(bytes, StandardCharsets.UTF_8));
                } else {
                    arrays.put(e.getName(), Nd4j.read(new DataInputStream(new ByteArrayInputStream(bytes))));
                }
            }
        }
    }
}
