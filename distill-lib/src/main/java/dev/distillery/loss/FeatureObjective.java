package dev.distillery.loss;

import dev.distillery.model.Layered;
import dev.distillery.model.Network;
import dev.distillery.nn.Forward;
import dev.distillery.nn.Init;
import dev.distillery.nn.Layer;
import dev.distillery.nn.Linear;
import dev.distillery.nn.Module;
import dev.distillery.nn.Modules;
import dev.distillery.spec.SpecException;
import dev.distillery.tensor.Var;
import dev.distillery.train.CrossEntropy;
import dev.distillery.train.Objective;
import dev.distillery.train.TeacherOutput;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link FeatureLoss} bound to a teacher and a student: each term resolved to the outputs it
 * compares, their shapes checked, and the loss's own weights declared as modules (projections
 * {@code match{i}}, prediction heads {@code head{i}}, supervision heads {@code sup{i}}).
 */
final class FeatureObjective implements Objective {

    /** One feature term: the teacher's output against the student's, through {@code projection} (null: none). */
    private record Term(
            FeatureLoss.Match match,
            TeacherOutput teacher,
            long[] teacherShape,
            long[] studentShape,
            Projection kind,
            Layer projection,
            double[][] spans) {}

    /** A prediction head: the student's {@code from} layer mapped to teacher layer {@code teacher}. */
    private record Head(TeacherOutput teacher, long[] shape, Linear head) {}

    /** A classifier on a student layer. */
    private record Supervised(FeatureLoss.Supervision supervision, long[] shape, Linear head) {}

    private final FeatureLoss loss;
    private final List<Term> terms;
    private final String headFrom;
    private final List<Head> heads;
    private final List<Supervised> supervised;
    private final Map<TeacherOutput, long[]> teacherShapes;
    private final Modules weights;

    private FeatureObjective(
            FeatureLoss loss,
            List<Term> terms,
            String headFrom,
            List<Head> heads,
            List<Supervised> supervised,
            Map<TeacherOutput, long[]> teacherShapes,
            Modules weights) {
        this.loss = loss;
        this.terms = terms;
        this.headFrom = headFrom;
        this.heads = heads;
        this.supervised = supervised;
        this.teacherShapes = teacherShapes;
        this.weights = weights;
    }

    /** {@code loss} for {@code teacher} (the {@code member}-th of an ensemble, 0 alone) and {@code student}. */
    static FeatureObjective bind(FeatureLoss loss, Layered teacher, Network student, int member) {
        Modules weights = new Modules();
        Map<TeacherOutput, long[]> teacherShapes = new LinkedHashMap<>();
        List<Term> terms = new ArrayList<>();
        List<FeatureLoss.Match> all = loss.allMatches(teacher.depth(), student.depth());
        for (int i = 0; i < all.size(); i++) {
            FeatureLoss.Match m = all.get(i);
            FeatureTerms.get(m.loss());
            long[] ts = shape(teacher, m.teacher(), "teacher");
            long[] ss = shape(student, m.student(), "student");
            double[][] spans = teacher.spans(m.teacher()).orElse(null);
            if (spans != null && ts.length == 2 && ss.length == 2) {
                // the student's frames pooled over each of the teacher's windows: [S, D] → [W, D]
                ss = new long[] {ts[0], ss[1]};
            } else {
                spans = null;
            }
            Projection kind = projectionFor(m, timeAligned(ts, ss), ss);
            TeacherOutput ref = new TeacherOutput(member, m.teacher());
            teacherShapes.put(ref, ts);
            Layer proj = kind == Projection.NONE
                    ? null
                    : (Layer) weights.add("match" + i, kind.create(ss[ss.length - 1], ts[ts.length - 1]));
            terms.add(new Term(m, ref, ts, ss, kind, proj, spans));
        }
        String headFrom = null;
        List<Head> heads = new ArrayList<>();
        if (loss.heads() != null) {
            FeatureTerms.get(loss.heads().loss());
            headFrom = Network.layer(student.depth() - 1);
            long[] from = shape(student, headFrom, "student");
            for (int i = 0; i < loss.heads().layers().size(); i++) {
                int l = loss.heads().layers().get(i);
                long[] ts = shape(teacher, Network.layer(l), "teacher");
                if (ts.length != from.length || (ts.length == 2 && ts[0] < from[0])) {
                    throw new SpecException("prediction head for teacher layer" + l + " " + Arrays.toString(ts)
                            + ": the student's " + headFrom + " is " + Arrays.toString(from)
                            + "; heads predict [S, D] hidden states over the same sequence, or over a student "
                            + "sequence reduced in time");
                }
                TeacherOutput ref = new TeacherOutput(member, Network.layer(l));
                teacherShapes.put(ref, ts);
                long ds = from[from.length - 1];
                long dt = ts[ts.length - 1];
                heads.add(new Head(ref, from, weights.add("head" + i, new Linear(ds, dt, Init.xavier(ds, dt)))));
            }
        }
        List<Supervised> supervised = new ArrayList<>();
        int classes = student.spec().outputs();
        for (int i = 0; i < loss.supervise().size(); i++) {
            FeatureLoss.Supervision sup = loss.supervise().get(i);
            long[] shape = shape(student, sup.layer(), "student");
            // [D]: as is; [S, D]: the mean over positions; [C, H, W]: the mean over the image
            long width = shape.length == 2 ? shape[1] : shape[0];
            supervised.add(new Supervised(
                    sup, shape, weights.add("sup" + i, new Linear(width, classes, Init.xavier(width, classes)))));
        }
        return new FeatureObjective(loss, terms, headFrom, heads, supervised, teacherShapes, weights);
    }

    @Override
    public boolean needsTeacher() {
        return true;
    }

    /** The logit loss's need (none for {@code none}), or a supervision on the teacher's soft targets. */
    @Override
    public boolean needsTeacherLogits() {
        return loss.logits().needsTeacher()
                || loss.supervise().stream().anyMatch(s -> s.target() == FeatureLoss.Supervision.Target.KD);
    }

    @Override
    public boolean taskAgnostic() {
        return loss.taskAgnostic();
    }

    @Override
    public List<TeacherOutput> teacherOutputs() {
        return List.copyOf(teacherShapes.keySet());
    }

    @Override
    public Module weights() {
        return weights.isEmpty() ? null : weights;
    }

    /** Every resolved term, so that the run key and the record say exactly what was trained. */
    @Override
    public String describe() {
        return loss.logits().describe() + " + " + describeTerms();
    }

    /** The feature terms alone. */
    String describeTerms() {
        List<String> parts = new ArrayList<>();
        for (Term t : terms) {
            parts.add(t.match().label()
                    + (t.spans() == null ? "" : "[pooled over " + t.spans().length + " windows]")
                    + (t.kind() == Projection.NONE ? "" : "[" + t.kind() + "]"));
        }
        if (loss.heads() != null) {
            parts.add(loss.heads().label() + " from " + headFrom);
        }
        loss.supervise().forEach(s -> parts.add(s.label()));
        return String.join(" + ", parts);
    }

    @Override
    public Var define(Inputs in) {
        return ((Objective) loss.logits()).define(in).add(terms(in, in.weights()));
    }

    /** The sum of the feature terms (no logit loss), with the loss's weights as {@code w} gives them. */
    Var terms(Inputs in, Forward w) {
        Var total = in.tape().scalar(0.0);
        for (Term t : terms) {
            Var raw = in.student(t.match().student());
            if (t.spans() != null) {
                raw = WindowPooling.pool(in.tape(), raw, t.spans());
            }
            Var teacher = alignTime(teacher(in, t.teacher()), raw);
            Var s = project(w, t.projection(), raw, t.studentShape());
            Var term = FeatureTerms.get(t.match().loss()).define(s, teacher);
            total = total.add(term.mul(t.match().weight()));
        }
        if (!heads.isEmpty()) {
            Var from = in.student(headFrom);
            for (Head h : heads) {
                Var s = project(w, h.head(), from, h.shape());
                Var term = FeatureTerms.get(loss.heads().loss()).define(s, alignTime(teacher(in, h.teacher()), from));
                total = total.add(term.mul(loss.heads().weight() / heads.size()));
            }
        }
        for (Supervised sv : supervised) {
            Var h = in.student(sv.supervision().layer());
            if (sv.shape().length == 2) {
                h = h.mean(false, 1);
            } else if (sv.shape().length == 3) {
                h = h.mean(false, 2, 3);
            }
            Var z = sv.head().forward(w, h);
            Var term;
            if (sv.supervision().target() == FeatureLoss.Supervision.Target.TASK) {
                term = CrossEntropy.masked(z, in.labels(), in.labelMask());
            } else {
                double temp = loss.logits() instanceof HintonLoss hl ? hl.temperature() : 4.0;
                term = new HintonLoss(temp, 0.0).define(new Inputs(z, in.labels(), in.labelMask(), in.teacherLogits()));
            }
            total = total.add(term.mul(sv.supervision().weight()));
        }
        return total;
    }

    /** The teacher's output {@code ref}, from its flat batch rows back to {@code [B, shape...]}. */
    private Var teacher(Inputs in, TeacherOutput ref) {
        long[] shape = teacherShapes.get(ref);
        long[] full = new long[shape.length + 1];
        Var flat = in.teacher(ref);
        full[0] = flat.size(0);
        System.arraycopy(shape, 0, full, 1, shape.length);
        return flat.reshape(full);
    }

    /** Maps the last axis of {@code s} from the student's width to the teacher's; {@code s} itself without a projection. */
    private static Var project(Forward w, Layer projection, Var s, long[] from) {
        if (projection == null) {
            return s;
        }
        long ds = from[from.length - 1];
        long b = s.size(0);
        // the sequence length is read from the value: a once-for-all student changes its stride step by step
        Var flat = from.length == 2 ? s.reshape(b * s.size(1), ds) : s;
        Var out = projection.forward(w, flat);
        return from.length == 2 ? out.reshape(b, s.size(1), out.size(1)) : out;
    }

    private static long[] shape(Layered net, String name, String role) {
        if (!net.outputNames().contains(name) || name.equals(Network.LOGITS)) {
            throw new SpecException("the " + role + " " + net.describe() + " has no output '" + name
                    + "' to match; it has "
                    + String.join(
                            ", ",
                            net.outputNames().stream()
                                    .filter(n -> !n.equals(Network.LOGITS))
                                    .toList())
                    + (name.equals(Network.LOGITS) ? " (logits are matched by the logits loss)" : ""));
        }
        return net.outputShape(name);
    }

    /**
     * The teacher's {@code [T, D]} shape as the term sees it: when the student's sequence is shorter
     * (a time-reduction stride), {@code [S, D]}, the teacher's positions averaged {@code T/S} at a time.
     */
    static long[] timeAligned(long[] t, long[] s) {
        if (t.length == 2 && s.length == 2 && t[0] > s[0]) {
            return new long[] {s[0], t[1]};
        }
        return t;
    }

    /**
     * {@code teacher} {@code [B, T, D]} brought to the frame rate of {@code student} {@code [B, S, D']}:
     * each student position is compared with the mean of the {@code k = ⌊T/S⌋} teacher positions it
     * covers (FitHuBERT's time reduction, applied to the targets); a remainder at the end is dropped,
     * as the student's own time reduction drops it.
     */
    static Var alignTime(Var teacher, Var student) {
        if (teacher.rank() != 3 || student.rank() != 3 || teacher.size(1) == student.size(1)) {
            return teacher;
        }
        long b = teacher.size(0);
        long st = student.size(1);
        long tt = teacher.size(1);
        long k = tt / st;
        if (k < 1 || tt - k * st >= k) {
            throw new SpecException(
                    "the student's sequence of " + st + " positions does not line up with the teacher's " + tt
                            + ": a student's time-reduction stride must be a multiple of the teacher's (e.g. 2, 4, 6 or 8 for a "
                            + "teacher at stride 2)");
        }
        long d = teacher.size(2);
        return teacher.narrow(1, 0, st * k).reshape(b, st, k, d).mean(false, 2);
    }

    private static Projection projectionFor(FeatureLoss.Match m, long[] t, long[] s) {
        String where = "the teacher's '" + m.teacher() + "' " + Arrays.toString(t) + " and the student's '"
                + m.student() + "' " + Arrays.toString(s);
        boolean equal = Arrays.equals(t, s);
        boolean cka = FeatureTerms.widthFree(m.loss());
        if (m.projection() == Projection.NONE || (m.projection() == Projection.AUTO && (equal || cka))) {
            if (!equal && !cka) {
                throw new SpecException(where + " differ in shape; use projection linear or mlp (widths only), or a "
                        + "loss that compares structure (cka, local-relation, intra-relation)");
            }
            return Projection.NONE;
        }
        if (m.loss().startsWith("attention")) {
            throw new SpecException(where + ": attention maps are compared as they are; they need the same heads and "
                    + "sequence length (no projection)");
        }
        if (t.length != s.length || t.length > 2 || (t.length == 2 && t[0] != s[0])) {
            throw new SpecException(where + ": a projection maps the width (last axis) of [D] or [S, D] outputs; "
                    + "the other axes must agree");
        }
        return m.projection() == Projection.AUTO ? Projection.LINEAR : m.projection();
    }
}
