package dev.distillery.teacher;

import dev.distillery.data.DataLocator;
import dev.distillery.data.LabeledData;
import dev.distillery.model.Layered;
import dev.distillery.model.Network;
import dev.distillery.provenance.ModelFile;
import dev.distillery.provenance.Provenance;
import dev.distillery.spec.SpecException;
import java.nio.file.Path;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A frozen model whose outputs a student learns from: a {@link Network} trained here or loaded
 * from a file, a pretrained text encoder run by ONNX Runtime ({@link OnnxTeacher}), or any ONNX
 * model with a float input ({@link OnnxModel}: an image classifier exported from PyTorch, say). Its outputs on a
 * dataset are computed once and reused through the {@link TeacherCache}, keyed by {@link #id()} and
 * the data fingerprint.
 */
public final class Teacher implements Layered {

    private final String name;
    private final Layered model;
    private final Provenance provenance;
    private String id;

    public Teacher(String name, Network network, Provenance provenance) {
        this(name, (Layered) network, provenance);
    }

    /** Any model with named outputs, e.g. an {@link OnnxTeacher}. */
    public Teacher(String name, Layered model, Provenance provenance) {
        this.name = name;
        this.model = model;
        this.provenance = provenance;
    }

    /** Loads a model file saved by {@link #save} or {@code ModelFile.save}. */
    public static Teacher load(Path file) {
        ModelFile.Loaded l = ModelFile.load(file);
        String name = l.provenance() != null && l.provenance().name() != null
                ? l.provenance().name()
                : file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        return new Teacher(name, l.network(), l.provenance());
    }

    public void save(Path file) {
        ModelFile.save(network(), provenance, file);
    }

    public String name() {
        return name;
    }

    public Provenance provenance() {
        return provenance;
    }

    /** The teacher's network as an ONNX model; an ONNX teacher is refused (it is one already). */
    public void exportOnnx(Path file, String... extra) {
        network().exportOnnx(file, extra);
    }

    /** The model behind this teacher. */
    public Layered model() {
        return model;
    }

    /** The trainable network behind this teacher; an ONNX teacher has none. */
    public Network network() {
        if (model instanceof Network n) {
            return n;
        }
        throw new SpecException(
                "teacher '" + name + "' is " + model.describe() + ", run by ONNX Runtime: it has no network "
                        + "to train, drop layers from or classify with; use its outputs (features, layer{i}) in a features loss");
    }

    /** Whether this teacher is a network (with a classifier) rather than a pretrained encoder. */
    public boolean isNetwork() {
        return model instanceof Network;
    }

    /** Classes the teacher predicts; 0 for an encoder without a classifier. */
    public int outputs() {
        if (model instanceof Network n) {
            return n.spec().outputs();
        }
        return model.outputNames().contains(Network.LOGITS) ? (int) model.outputShape(Network.LOGITS)[0] : 0;
    }

    /** Whether the teacher gives class scores ({@code logits}): a network, or an ONNX model with them mapped. */
    public boolean hasLogits() {
        return outputs() > 0;
    }

    @Override
    public long parameterCount() {
        return model.parameterCount();
    }

    @Override
    public java.util.List<String> outputNames() {
        return model.outputNames();
    }

    @Override
    public long[] outputShape(String output) {
        return model.outputShape(output);
    }

    @Override
    public java.util.Optional<double[][]> spans(String output) {
        return model.spans(output);
    }

    /** Outputs computed now by the model, bypassing the cache. */
    @Override
    public java.util.Map<String, INDArray> outputs(INDArray features, java.util.List<String> names) {
        return model.outputs(features, names);
    }

    @Override
    public String describe() {
        return model.describe();
    }

    @Override
    public String compact() {
        return model.compact();
    }

    /** The model's fingerprint, which is also this teacher's {@link #id()}. */
    @Override
    public String fingerprint() {
        return id();
    }

    /** SHA-256 of the model (spec and every weight, or the ONNX file and how it is read): two teachers with the same id give the same outputs. */
    public synchronized String id() {
        if (id == null) {
            id = model.fingerprint();
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
    @Override
    public java.util.Map<String, INDArray> outputs(LabeledData data, java.util.List<String> names) {
        return TeacherCache.shared().outputs(this, data, names);
    }

    /** Logits computed now, bypassing the cache. */
    public INDArray computeLogits(LabeledData data) {
        return isNetwork()
                ? network().logits(data.features())
                : model.outputs(data.features(), java.util.List.of(Network.LOGITS))
                        .get(Network.LOGITS);
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
        return "teacher '" + name + "': " + (model instanceof Network ? model.toString() : model.describe())
                + (Double.isNaN(recordedAccuracy())
                        ? ""
                        : String.format(", test accuracy %.2f%%", 100 * recordedAccuracy()));
    }

    static String shortId(String hex) {
        return hex.substring(0, 16);
    }

    static String key(Teacher t, LabeledData d) {
        return shortId(t.id()) + "-" + shortId(DataLocator.sha256(d.fingerprint()));
    }
}
