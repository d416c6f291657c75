package dev.distillery.teacher;

import dev.distillery.data.DataLocator;
import dev.distillery.data.LabeledData;
import dev.distillery.eval.Matrices;
import dev.distillery.loss.EnsembleMode;
import dev.distillery.provenance.Lineage;
import dev.distillery.spec.SpecException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Several teachers and the weights that combine them. How a student learns from them is the
 * {@link EnsembleMode}:
 * <ul>
 * <li>{@code targets}: one soft target, the weighted average of the teachers' distributions at the
 *     loss's temperature, {@code p̄ = Σ_k w_k softmax(z_k / T)};
 * <li>{@code losses}: the weighted average of one KD loss per teacher, {@code Σ_k w_k KL(p_k || p_s)};
 * <li>{@code heads}: a multi-head student (CERBERUS), head {@code k} distilling teacher {@code k}.
 * </ul>
 * With a KL loss at one temperature, {@code targets} and {@code losses} differ by a constant (the
 * weighted Jensen-Shannon divergence among the teachers, {@code H(p̄) − Σ w_k H(p_k)}), so their
 * gradients for the student are the same; feature terms, which each teacher contributes through its
 * own projection, are weighted the same way in every mode. Immutable: each setter returns a copy.
 */
public final class Ensemble {

    private final String name;
    private final List<Teacher> members;
    private final double[] weights;
    private final EnsembleMode mode;
    private final String weighting;
    private final Lineage.Search search;

    private Ensemble(
            String name,
            List<Teacher> members,
            double[] weights,
            EnsembleMode mode,
            String weighting,
            Lineage.Search search) {
        this.name = name;
        this.members = List.copyOf(members);
        this.weights = weights.clone();
        this.mode = mode;
        this.weighting = weighting;
        this.search = search;
    }

    /** {@code members} with uniform weights, combined as soft targets. */
    public static Ensemble of(String name, List<Teacher> members) {
        if (members == null || members.size() < 2) {
            throw new SpecException("ensemble '" + name + "' needs at least two teachers, got "
                    + (members == null ? 0 : members.size()));
        }
        int outputs = members.get(0).outputs();
        List<String> names = new ArrayList<>();
        for (Teacher t : members) {
            if (t.outputs() != outputs) {
                throw new SpecException(
                        "ensemble '" + name + "': teacher '" + t.name() + "' has " + t.outputs() + " outputs but '"
                                + members.get(0).name() + "' has " + outputs + "; members must share their classes");
            }
            if (names.contains(t.name())) {
                throw new SpecException("ensemble '" + name + "': teacher '" + t.name() + "' appears twice");
            }
            names.add(t.name());
        }
        double[] w = new double[members.size()];
        Arrays.fill(w, 1.0 / w.length);
        return new Ensemble(name, members, w, EnsembleMode.TARGETS, "uniform", null);
    }

    public static Ensemble of(String name, Teacher... members) {
        return of(name, List.of(members));
    }

    /** Fixed weights, one per teacher, ≥ 0; they are normalised to sum to 1. */
    public Ensemble weights(double... w) {
        return new Ensemble(name, members, normalised(w), mode, "fixed", null);
    }

    /** Weights found by a search (e.g. differential evolution), with its report. */
    public Ensemble searched(double[] w, Lineage.Search report) {
        return new Ensemble(name, members, normalised(w), mode, report.method(), report);
    }

    public Ensemble mode(EnsembleMode m) {
        return new Ensemble(name, members, weights, m, weighting, search);
    }

    public Ensemble named(String n) {
        return new Ensemble(n, members, weights, mode, weighting, search);
    }

    private double[] normalised(double[] w) {
        if (w == null || w.length != members.size()) {
            throw new SpecException("ensemble '" + name + "' has " + members.size() + " teachers but "
                    + (w == null ? 0 : w.length) + " weights were given; give one weight per teacher, in order: "
                    + String.join(", ", memberNames()));
        }
        double sum = 0;
        for (double v : w) {
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new SpecException(
                        "ensemble '" + name + "': weights must be finite and ≥ 0, got " + Arrays.toString(w));
            }
            sum += v;
        }
        if (sum <= 0) {
            throw new SpecException("ensemble '" + name + "': the weights sum to 0; give at least one positive weight");
        }
        double[] out = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            out[i] = w[i] / sum;
        }
        return out;
    }

    public String name() {
        return name;
    }

    public List<Teacher> members() {
        return members;
    }

    public double[] weights() {
        return weights.clone();
    }

    public EnsembleMode mode() {
        return mode;
    }
    /** How the weights were chosen: {@code uniform}, {@code fixed}, or the search method ({@code de}). */
    public String weighting() {
        return weighting;
    }
    /** The search's report, or null for uniform and fixed weights. */
    public Lineage.Search search() {
        return search;
    }

    public int outputs() {
        return members.get(0).outputs();
    }

    public List<String> memberNames() {
        return members.stream().map(Teacher::name).toList();
    }

    /** Parameters of all teachers together. */
    public long parameters() {
        return members.stream().mapToLong(Teacher::parameterCount).sum();
    }

    /** A hash of the members' ids, the weights and the mode. */
    public String id() {
        StringBuilder s = new StringBuilder(mode.label());
        for (int i = 0; i < members.size(); i++) {
            s.append('|').append(members.get(i).id()).append(':').append(weights[i]);
        }
        return DataLocator.sha256(s.toString());
    }

    /** Each teacher's logits for every row of {@code data}, through the shared cache. */
    public List<INDArray> memberLogits(LabeledData data) {
        return members.stream().map(t -> t.logits(data)).toList();
    }

    /** The soft targets {@code Σ_k w_k softmax(z_k / T)} for every row of {@code data}, {@code [N, classes]}. */
    public INDArray softTargets(LabeledData data, double temperature) {
        return combine(memberLogits(data), weights, temperature);
    }

    /**
     * Logits whose softmax is the ensemble's prediction at temperature 1, {@code log Σ_k w_k softmax(z_k)}:
     * what accuracy and fidelity are measured against.
     */
    public INDArray logits(LabeledData data) {
        return logOf(softTargets(data, 1.0));
    }

    /**
     * Logits that, divided by {@code T} and passed through a softmax, give exactly the soft targets at
     * {@code T}: {@code T · log p̄_T}. A Hinton loss fed these learns from the averaged targets.
     */
    public INDArray targetLogits(LabeledData data, double temperature) {
        return logOf(softTargets(data, temperature)).muli(temperature);
    }

    /** {@code Σ_k w_k softmax(z_k / T)}, row by row, in double precision. */
    public static INDArray combine(List<INDArray> logits, double[] weights, double temperature) {
        int n = logits.get(0).rows();
        int c = logits.get(0).columns();
        double[][] out = new double[n][c];
        for (int k = 0; k < logits.size(); k++) {
            double[][] p = dev.distillery.eval.Fidelity.probabilities(logits.get(k), temperature);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < c; j++) {
                    out[i][j] += weights[k] * p[i][j];
                }
            }
        }
        return Nd4j.create(out).castTo(DataType.FLOAT);
    }

    private static INDArray logOf(INDArray p) {
        double[][] v = Matrices.doubles(p);
        for (double[] row : v) {
            for (int j = 0; j < row.length; j++) {
                row[j] = Math.log(Math.max(row[j], 1e-30));
            }
        }
        return Nd4j.create(v).castTo(DataType.FLOAT);
    }

    /** The lineage a student of this ensemble records: every teacher with its weight, the weighting and the mode. */
    public Lineage lineage(LabeledData test) {
        List<Lineage.Member> ms = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            Teacher t = members.get(i);
            ms.add(new Lineage.Member(
                    t.name(),
                    t.id(),
                    t.compact(),
                    t.parameterCount(),
                    weights[i],
                    test == null ? null : dev.distillery.eval.Accuracy.of(t.logits(test), test.labels()),
                    null));
        }
        return new Lineage("ensemble", mode.label(), ms, weighting, search, null, "student", null, null, null, null);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("ensemble '" + name + "' (" + mode.label() + ", " + weighting + "): ");
        for (int i = 0; i < members.size(); i++) {
            s.append(i == 0 ? "" : " + ")
                    .append(String.format(
                            "%.3f × %s", weights[i], members.get(i).name()));
        }
        return s.toString();
    }
}
