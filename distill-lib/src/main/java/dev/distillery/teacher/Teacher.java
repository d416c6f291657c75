package dev.distillery.teacher;

import dev.distillery.data.DataLocator;
import dev.distillery.data.LabeledData;
import dev.distillery.model.ModelFile;
import dev.distillery.model.Network;
import dev.distillery.model.Provenance;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A frozen model whose outputs a student learns from. Its logits on a dataset are computed once
 * and reused through the {@link TeacherCache}, keyed by {@link #id()} and the data fingerprint.
 */
public final class Teacher {

    private final String name;
    private final Network network;
    private final Provenance provenance;
    private String id;

    public Teacher(String name, Network network, Provenance provenance) {
        this.name = name;
        this.network = network;
        this.provenance = provenance;
    }

    /** Loads a model file saved by {@link #save} or {@code ModelFile.save}. */
    public static Teacher load(Path file) {
        ModelFile.Loaded l = ModelFile.load(file);
        String name = l.provenance() != null && l.provenance().name() != null ? l.provenance().name()
                : file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        return new Teacher(name, l.network(), l.provenance());
    }

    public void save(Path file) {
        ModelFile.save(network, provenance, file);
    }

    public String name() { return name; }
    public Network network() { return network; }
    public Provenance provenance() { return provenance; }
    public int outputs() { return network.spec().outputs(); }

    /** SHA-256 of the spec and every weight: two teachers with the same id give the same logits. */
    public synchronized String id() {
        if (id == null) {
            try {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                md.update(network.spec().compact().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                network.parameters().forEach((k, v) -> {
                    md.update(k.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    float[] f = v.dup('c').data().asFloat();
                    ByteBuffer bb = ByteBuffer.allocate(f.length * 4);
                    bb.asFloatBuffer().put(f);
                    md.update(bb.array());
                });
                id = HexFormat.of().formatHex(md.digest());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return id;
    }

    /** Logits for every row of {@code data}: from the shared cache, computed on first use. */
    public INDArray logits(LabeledData data) {
        return TeacherCache.shared().logits(this, data);
    }

    /**
     * Named outputs ({@code layer3}, {@code features}, ...; see {@link Network#outputNames()}) for
     * every row of {@code data}, each flattened to {@code [N, prod(shape)]}: from the shared cache,
     * those not cached computed together in one pass.
     */
    public java.util.Map<String, INDArray> outputs(LabeledData data, java.util.List<String> names) {
        return TeacherCache.shared().outputs(this, data, names);
    }

    /** Logits computed now, bypassing the cache. */
    public INDArray computeLogits(LabeledData data) {
        return network.logits(data.features());
    }

    /** The teacher's test accuracy as recorded when it was trained, or NaN. */
    public double recordedAccuracy() {
        if (provenance == null || provenance.metrics() == null) {
            return Double.NaN;
        }
        return provenance.metrics().getOrDefault("test_accuracy", Double.NaN);
    }

    @Override
    public String toString() {
        return "teacher '" + name + "': " + network + (Double.isNaN(recordedAccuracy()) ? ""
                : String.format(", test accuracy %.2f%%", 100 * recordedAccuracy()));
    }

    static String shortId(String hex) {
        return hex.substring(0, 16);
    }

    static String key(Teacher t, LabeledData d) {
        return shortId(t.id()) + "-" + shortId(DataLocator.sha256(d.fingerprint()));
    }
}
