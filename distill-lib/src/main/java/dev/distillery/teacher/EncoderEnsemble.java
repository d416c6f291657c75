package dev.distillery.teacher;

import dev.distillery.data.DataLocator;
import dev.distillery.model.Layered;
import dev.distillery.model.Network;
import dev.distillery.spec.SpecException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Several sentence encoders of the same width as one teacher: its {@code features} are the
 * weighted mean of the members' L2-normalised sentence embeddings, normalised again. The members
 * must read the same token ids (the same vocabulary and tokenizer), as bge-small and MiniLM do.
 */
public final class EncoderEnsemble implements Layered {

    private final List<Layered> members;
    private final List<String> names;
    private final double[] weights;

    public EncoderEnsemble(List<Teacher> teachers, double[] weights) {
        if (teachers.size() < 2) {
            throw new SpecException("an ensemble needs at least two teachers; got " + teachers.size());
        }
        if (weights.length != teachers.size()) {
            throw new SpecException(teachers.size() + " teachers but " + weights.length + " weights");
        }
        this.members = new ArrayList<>();
        this.names = new ArrayList<>();
        long width = -1;
        for (Teacher t : teachers) {
            Layered m = t.model();
            if (!m.outputNames().contains(Network.FEATURES)) {
                throw new SpecException("teacher '" + t.name() + "' has no sentence embedding (features) to average");
            }
            long w = m.outputShape(Network.FEATURES)[0];
            if (width >= 0 && w != width) {
                throw new SpecException("teacher '" + t.name() + "' embeds in " + w + " dimensions, the others in "
                        + width + "; average encoders of one width");
            }
            width = w;
            members.add(m);
            names.add(t.name());
        }
        double sum = 0;
        for (double x : weights) {
            if (!(x >= 0)) {
                throw new SpecException("ensemble weights must be ≥ 0, got " + java.util.Arrays.toString(weights));
            }
            sum += x;
        }
        if (!(sum > 0)) {
            throw new SpecException("ensemble weights must not all be 0");
        }
        this.weights = weights.clone();
        for (int i = 0; i < this.weights.length; i++) {
            this.weights[i] /= sum;
        }
    }

    /** Equal weights. */
    public static Teacher of(String name, Teacher... teachers) {
        double[] w = new double[teachers.length];
        java.util.Arrays.fill(w, 1.0);
        EncoderEnsemble e = new EncoderEnsemble(List.of(teachers), w);
        return new Teacher(name, e, null);
    }

    public List<Layered> members() {
        return List.copyOf(members);
    }

    @Override
    public List<String> outputNames() {
        return List.of(Network.FEATURES);
    }

    @Override
    public long[] outputShape(String name) {
        if (!name.equals(Network.FEATURES)) {
            throw new SpecException(describe() + " has only features (the mean sentence embedding); no '" + name + "'");
        }
        return members.get(0).outputShape(Network.FEATURES);
    }

    @Override
    public Map<String, INDArray> outputs(INDArray ids, List<String> names) {
        names.forEach(this::outputShape);
        INDArray sum = null;
        for (int k = 0; k < members.size(); k++) {
            Layered m = members.get(k);
            if (m instanceof OnnxTeacher ot && ot.length() != ids.columns()) {
                m = ot.withLength(ids.columns()); // the members read whatever length the data has
            }
            INDArray f = m.outputs(ids, List.of(Network.FEATURES)).get(Network.FEATURES);
            f = f.divColumnVector(f.norm2(1).reshape(f.rows(), 1).addi(1e-12)).muli(weights[k]);
            sum = sum == null ? f : sum.addi(f);
        }
        sum.diviColumnVector(sum.norm2(1).reshape(sum.rows(), 1).addi(1e-12));
        return Map.of(Network.FEATURES, sum);
    }

    @Override
    public long parameterCount() {
        return members.stream().mapToLong(Layered::parameterCount).sum();
    }

    @Override
    public String describe() {
        List<String> parts = new ArrayList<>();
        for (int k = 0; k < members.size(); k++) {
            parts.add(String.format(java.util.Locale.ROOT, "%s×%.2f", names.get(k), weights[k]));
        }
        return "mean embedding of " + String.join(" + ", parts);
    }

    @Override
    public String compact() {
        return "ensemble:" + String.join("+", names);
    }

    @Override
    public String fingerprint() {
        StringBuilder b = new StringBuilder("ensemble");
        for (int k = 0; k < members.size(); k++) {
            b.append('|').append(members.get(k).fingerprint()).append('×').append(weights[k]);
        }
        return DataLocator.sha256(b.toString());
    }
}
