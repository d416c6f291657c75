package dev.distillery.loss;

import dev.distillery.model.Layered;
import dev.distillery.model.MultiHeadSpec;
import dev.distillery.model.Network;
import dev.distillery.nn.Module;
import dev.distillery.nn.Modules;
import dev.distillery.spec.SpecException;
import dev.distillery.tensor.Var;
import dev.distillery.train.CrossEntropy;
import dev.distillery.train.Objective;
import dev.distillery.train.TeacherOutput;
import java.util.ArrayList;
import java.util.List;

/**
 * A recipe's loss ({@code hinton}, or {@code features} with a hinton or scratch logit loss) applied
 * to K teachers with weights {@code w_k} (summing to 1), in one of three modes:
 * <ul>
 * <li>{@code targets}: {@code α·CE + (1−α)·T²·KL(p̄ || p_s)} with {@code p̄ = Σ_k w_k softmax(z_k/T)};
 *     the teacher logits fed to the loss are {@code T·log p̄}, so the recipe's own loss computes this;
 * <li>{@code losses}: {@code α·CE + (1−α)·T²·Σ_k w_k KL(p_k || p_s)}, from each teacher's logits;
 * <li>{@code heads}: {@code α·CE(combined) + (1−α)·T²·Σ_k w_k KL(p_k || softmax(head_k/T))} for a
 *     {@link MultiHeadSpec} student whose head {@code k} learns from teacher {@code k}.
 * </ul>
 * A features recipe's matches and mappings are bound once per teacher, each with its own projections,
 * and added with the teacher's weight: one student regresses several teachers' features at once.
 * Teacher {@code k}'s outputs reach the loss as {@link TeacherOutput}s of teacher {@code k}; its
 * projections are the loss's weights {@code m{k}.…}.
 */
public final class EnsembleLoss implements Objective {

    private final LossSpec base;
    private final EnsembleMode mode;
    private final double[] weights;
    private final List<String> members;
    private final List<FeatureObjective> features;
    private final Modules own = new Modules();

    private EnsembleLoss(
            LossSpec base, EnsembleMode mode, double[] weights, List<String> members, List<FeatureObjective> features) {
        this.base = base;
        this.mode = mode;
        this.weights = weights.clone();
        this.members = List.copyOf(members);
        this.features = features;
        for (int k = 0; k < features.size(); k++) {
            Module w = features.get(k).weights();
            if (w != null) {
                own.add("m" + k, w);
            }
        }
    }

    /**
     * {@code base} for the context's teachers (named, weighted, in its mode: {@code targets},
     * {@code losses} or {@code heads}) and student.
     */
    static EnsembleLoss bind(LossSpec base, BindContext context) {
        EnsembleMode mode = context.mode();
        double[] weights = context.weights();
        List<String> names = context.names();
        List<Layered> teachers = context.teachers();
        Network student = context.student();
        if (weights.length != teachers.size() || names.size() != teachers.size()) {
            throw new IllegalArgumentException(teachers.size() + " teachers, " + names.size() + " names and "
                    + weights.length + " weights: give one of each per teacher");
        }
        LossSpec logits = base instanceof FeatureLoss f ? f.logits() : base;
        if (!(logits instanceof HintonLoss) && !(base instanceof FeatureLoss)) {
            throw new SpecException(base.describe() + " learns from the labels alone, so an ensemble adds nothing; "
                    + "use a hinton loss (e.g. hinton:T=4,alpha=0.1) or add feature terms");
        }
        if (mode == EnsembleMode.HEADS) {
            if (!(student.spec() instanceof MultiHeadSpec mh) || mh.heads() != teachers.size()) {
                throw new SpecException("ensemble mode heads needs a student with one head per teacher ("
                        + teachers.size() + "), e.g. multihead:" + teachers.size() + ":"
                        + student.spec().compact()
                        + "; the student is " + student.spec().describe());
            }
            if (!(logits instanceof HintonLoss)) {
                throw new SpecException("ensemble mode heads distils each teacher's logits into its head: use a hinton "
                        + "logit loss, not " + logits.describe());
            }
        }
        List<FeatureObjective> fs = new ArrayList<>();
        if (base instanceof FeatureLoss f) {
            if (f.heads() != null || !f.supervise().isEmpty()) {
                throw new SpecException("with an ensemble, a features loss takes matches and mappings (bound once per "
                        + "teacher); prediction heads and layer supervision need a single teacher");
            }
            for (int k = 0; k < teachers.size(); k++) {
                fs.add(FeatureObjective.bind(f, teachers.get(k), student, k));
            }
        }
        return new EnsembleLoss(base, mode, weights, names, fs);
    }

    @Override
    public boolean needsTeacher() {
        return true;
    }

    @Override
    public List<TeacherOutput> teacherOutputs() {
        List<TeacherOutput> out = new ArrayList<>();
        if (mode != EnsembleMode.TARGETS && logitLoss() instanceof HintonLoss) {
            for (int k = 0; k < members.size(); k++) {
                out.add(new TeacherOutput(k, Network.LOGITS));
            }
        }
        features.forEach(f -> out.addAll(f.teacherOutputs()));
        return out;
    }

    private LossSpec logitLoss() {
        return base instanceof FeatureLoss f ? f.logits() : base;
    }

    public EnsembleMode mode() {
        return mode;
    }

    @Override
    public Module weights() {
        return own.isEmpty() ? null : own;
    }

    @Override
    public String describe() {
        StringBuilder s = new StringBuilder("ensemble " + mode + " [");
        for (int k = 0; k < members.size(); k++) {
            s.append(k == 0 ? "" : ", ").append(members.get(k)).append(' ').append(HintonLoss.fmt(round(weights[k])));
        }
        s.append("]: ").append(logitLoss().describe());
        if (!features.isEmpty()) {
            s.append(" + per teacher (").append(features.get(0).describeTerms()).append(')');
        }
        return s.toString();
    }

    private static double round(double w) {
        return Math.round(w * 10000) / 10000.0;
    }

    @Override
    public Var define(Inputs in) {
        Var total;
        LossSpec logits = logitLoss();
        if (!(logits instanceof HintonLoss h)) {
            total = ((Objective) logits).define(in);
        } else if (mode == EnsembleMode.TARGETS) {
            total = h.define(in);
        } else {
            Var soft = null;
            for (int k = 0; k < members.size(); k++) {
                Var student = mode == EnsembleMode.HEADS ? in.student(MultiHeadSpec.head(k)) : in.logits();
                Var teacher = in.teacher(new TeacherOutput(k, Network.LOGITS));
                Var term = HintonLoss.soft(student, teacher, h.temperature()).mul(weights[k]);
                soft = soft == null ? term : soft.add(term);
            }
            total = soft.mul(1 - h.alpha());
            if (h.alpha() > 0) {
                total = total.add(CrossEntropy.masked(in.logits(), in.labels(), in.labelMask())
                        .mul(h.alpha().doubleValue()));
            }
        }
        for (int k = 0; k < features.size(); k++) {
            total = total.add(features.get(k).terms(in, in.weights()).mul(weights[k]));
        }
        return total;
    }
}
