package dev.distillery.loss;

import dev.distillery.model.Layered;
import dev.distillery.model.Network;
import dev.distillery.model.Objective;
import dev.distillery.model.SpecException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import dev.distillery.tensor.Var;

/**
 * Feature-based distillation: a logit loss ({@code scratch} or {@code hinton}) plus terms on the
 * models' intermediate outputs, in the shapes TextBrewer and TinyBERT users know:
 * <ul>
 * <li>{@code matches}: explicit {@code {teacher, student, loss, weight, projection}} entries, e.g. the
 *     teacher's {@code layer5} against the student's {@code layer1} under {@code mse};
 * <li>{@code mapping}: the student's layers mapped onto the teacher's, {@code uniform} (student
 *     layer i ↔ teacher layer ⌈(i+1)·T/S⌉−1) or {@code last} k, on hidden states or attention maps;
 * <li>{@code heads}: DistilHuBERT's prediction heads, one linear head per listed teacher layer, each
 *     predicting that layer from the student's last layer;
 * <li>{@code supervise}: intermediate-layer supervision, a classifier on a student layer trained on
 *     the labels ({@code task}) or the teacher's soft targets ({@code kd}).
 * </ul>
 * Where the widths differ a projection (linear, or a two-layer MLP) maps the student's output to the
 * teacher's width. Projections and heads are trained with the student and dropped afterwards: they
 * are not saved and not counted in the student's parameters.
 */
public record FeatureLoss(LossSpec logits, List<Match> matches, Mapping mapping, Heads heads, List<Supervision> supervise)
        implements LossSpec {

    public FeatureLoss {
        logits = logits == null ? Losses.hinton(4.0, 0.5) : logits;
        matches = matches == null ? List.of() : List.copyOf(matches);
        supervise = supervise == null ? List.of() : List.copyOf(supervise);
        if (logits instanceof FeatureLoss) {
            throw new SpecException("features loss: 'logits' must be scratch or hinton, not another features loss");
        }
        if (matches.isEmpty() && mapping == null && heads == null && supervise.isEmpty()) {
            throw new SpecException("features loss has no feature terms; add matches (e.g. features>features:cosine), "
                    + "a mapping (uniform), heads (DistilHuBERT) or supervise entries");
        }
    }

    /** One explicit term: the teacher's output {@code teacher} against the student's {@code student}. */
    public record Match(String teacher, String student, String loss, Double weight, String projection) {
        public Match {
            if (teacher == null || teacher.isBlank()) {
                throw new SpecException("feature match needs the teacher output to match, e.g. {teacher: layer3, student: layer1}");
            }
            student = student == null ? teacher : student;
            loss = loss == null ? "mse" : loss;
            weight = weight == null ? 1.0 : weight;
            projection = checkProjection(projection);
            checkWeight("feature match " + teacher, weight);
        }

        /**
         * The compact form {@code TEACHER[>STUDENT][:LOSS][,w=W][,proj=auto|none|linear|mlp]}, e.g.
         * {@code features:cosine} or {@code layer5>layer1:mse,w=0.5,proj=mlp}.
         */
        public static Match parse(String text) {
            Parsed p = Parsed.of(text, "feature '" + text + "'", List.of("w", "proj"));
            String[] ts = p.head.split(">", 2);
            return new Match(ts[0].trim(), ts.length > 1 ? ts[1].trim() : null, p.arg, p.dbl("w"), p.kv.get("proj"));
        }

        public String label() {
            return loss + "(" + (teacher.equals(student) ? teacher : teacher + ">" + student) + ")"
                    + (weight == 1.0 ? "" : "×" + HintonLoss.fmt(weight));
        }
    }

    /** Student layers mapped onto teacher layers: {@code uniform}, or the {@code last} k; hidden states or attention maps. */
    public record Mapping(String kind, Integer k, String feature, String loss, Double weight, String projection) {
        public Mapping {
            kind = kind == null ? "uniform" : kind.toLowerCase(Locale.ROOT);
            feature = feature == null ? "hidden" : feature.toLowerCase(Locale.ROOT);
            if (!kind.equals("uniform") && !kind.equals("last")) {
                throw new SpecException("layer mapping '" + kind + "': use uniform or last (with k)");
            }
            if (!feature.equals("hidden") && !feature.equals("attention")) {
                throw new SpecException("layer mapping feature '" + feature + "': use hidden or attention");
            }
            if (k != null && k <= 0) {
                throw new SpecException("layer mapping: k must be positive, got " + k);
            }
            loss = loss == null ? (feature.equals("attention") ? "attention-kl" : "mse") : loss;
            weight = weight == null ? 1.0 : weight;
            projection = checkProjection(projection);
            checkWeight("layer mapping", weight);
        }

        /**
         * {@code uniform[:hidden|attention][,loss=L][,w=W][,proj=P]} or {@code last-K[:...]}, e.g.
         * {@code uniform}, {@code last-2:attention}, {@code uniform:hidden,loss=cosine,w=0.5}.
         */
        public static Mapping parse(String text) {
            Parsed p = Parsed.of(text, "mapping '" + text + "'", List.of("w", "proj", "loss"));
            String kind = p.head.toLowerCase(Locale.ROOT);
            Integer k = null;
            if (kind.startsWith("last-")) {
                try {
                    k = Integer.parseInt(kind.substring(5));
                } catch (NumberFormatException e) {
                    throw new SpecException("mapping '" + text + "': last-K needs a number, e.g. last-2");
                }
                kind = "last";
            }
            return new Mapping(kind, k, p.arg, p.kv.get("loss"), p.dbl("w"), p.kv.get("proj"));
        }

        /** The explicit matches for a {@code teacherDepth}-layer teacher and a {@code studentDepth}-layer student. */
        public List<Match> resolve(int teacherDepth, int studentDepth) {
            if (teacherDepth == 0 || studentDepth == 0) {
                throw new SpecException("layer mapping needs layers on both sides; the teacher has " + teacherDepth
                        + " and the student " + studentDepth);
            }
            List<Match> out = new ArrayList<>();
            String prefix = feature.equals("attention") ? "attention" : "layer";
            if (kind.equals("uniform")) {
                for (int i = 0; i < studentDepth; i++) {
                    int t = (int) Math.ceil((double) (i + 1) * teacherDepth / studentDepth) - 1;
                    out.add(new Match(prefix + t, prefix + i, loss, weight, projection));
                }
            } else {
                int n = k == null ? Math.min(teacherDepth, studentDepth) : k;
                if (n > teacherDepth || n > studentDepth) {
                    throw new SpecException("layer mapping last-" + n + ": the teacher has " + teacherDepth
                            + " layers and the student " + studentDepth + "; k can be at most " + Math.min(teacherDepth, studentDepth));
                }
                for (int j = 0; j < n; j++) {
                    out.add(new Match(prefix + (teacherDepth - n + j), prefix + (studentDepth - n + j), loss, weight, projection));
                }
            }
            return out;
        }

        public String label() {
            return (kind.equals("last") && k != null ? "last-" + k : kind) + "-" + feature + ":" + loss
                    + (weight == 1.0 ? "" : "×" + HintonLoss.fmt(weight));
        }
    }

    /**
     * DistilHuBERT's prediction heads: one linear head per teacher layer in {@code layers}, each
     * predicting that layer's hidden states from the student's last layer, under {@code loss}
     * (default {@code l1-logsig-cos}).
     */
    public record Heads(List<Integer> layers, String loss, Double weight) {
        public Heads {
            if (layers == null || layers.isEmpty()) {
                throw new SpecException("prediction heads need the teacher layers to predict, e.g. layers: [3, 7, 11]");
            }
            layers = List.copyOf(layers);
            loss = loss == null ? "l1-logsig-cos" : loss;
            weight = weight == null ? 1.0 : weight;
            checkWeight("prediction heads", weight);
        }

        /** {@code 3,7,11[:LOSS][,w=W]} (0-based teacher layers). */
        public static Heads parse(String text) {
            int colon = text.indexOf(':');
            String list = colon < 0 ? text : text.substring(0, colon);
            List<Integer> layers = new ArrayList<>();
            for (String p : list.split(",")) {
                try {
                    layers.add(Integer.parseInt(p.trim().replaceFirst("^layer", "")));
                } catch (NumberFormatException e) {
                    throw new SpecException("heads '" + text + "': '" + p + "' is not a layer number; e.g. 3,7,11");
                }
            }
            if (colon < 0) {
                return new Heads(layers, null, null);
            }
            Parsed p = Parsed.of("x:" + text.substring(colon + 1), "heads '" + text + "'", List.of("w"));
            return new Heads(layers, p.arg, p.dbl("w"));
        }

        public String label() {
            return "heads" + layers + ":" + loss;
        }
    }

    /** An extra classifier on student layer {@code layer}, trained on the labels ({@code task}) or the teacher's soft targets ({@code kd}). */
    public record Supervision(String layer, String target, Double weight) {
        public Supervision {
            if (layer == null || layer.isBlank()) {
                throw new SpecException("supervision needs the student layer to supervise, e.g. {layer: layer1}");
            }
            target = target == null ? "task" : target.toLowerCase(Locale.ROOT);
            if (!target.equals("task") && !target.equals("kd")) {
                throw new SpecException("supervision target '" + target + "': use task (labels) or kd (teacher soft targets)");
            }
            weight = weight == null ? 0.3 : weight;
            checkWeight("supervision of " + layer, weight);
        }

        /** {@code LAYER[:task|kd][,w=W]}, e.g. {@code layer1:task,w=0.3}. */
        public static Supervision parse(String text) {
            Parsed p = Parsed.of(text, "supervise '" + text + "'", List.of("w"));
            return new Supervision(p.head, p.arg, p.dbl("w"));
        }

        public String label() {
            return "sup(" + layer + ":" + target + "×" + HintonLoss.fmt(weight) + ")";
        }
    }

    @Override
    public boolean needsTeacher() {
        return true;
    }

    @Override
    public String describe() {
        return logits.describe() + " + " + String.join(" + ", termLabels());
    }

    @Override
    public String label() {
        return logits.label() + " + " + String.join(" + ", termLabels());
    }

    private List<String> termLabels() {
        List<String> out = new ArrayList<>();
        matches.forEach(m -> out.add(m.label()));
        if (mapping != null) out.add(mapping.label());
        if (heads != null) out.add(heads.label());
        supervise.forEach(s -> out.add(s.label()));
        return out;
    }

    /** A features loss is defined for a pair of models: {@link #bind} it first. */
    @Override
    public Var define(Inputs in) {
        throw new IllegalStateException(describe() + " depends on the teacher's and student's layers: bind(teacher, student) first");
    }

    /**
     * The objective for this teacher and student: the mapping resolved against their depths, every
     * output name and shape checked, projections chosen. Errors name the output and the fix.
     */
    public Objective bind(Layered teacher, Network student) {
        return bind(teacher, student, "");
    }

    /**
     * As {@link #bind(Network, Network)}, with the teacher's outputs and the loss's own weights named
     * under {@code prefix} (e.g. {@code m0.}), so that several teachers' terms live in one loss, each
     * with its own projections.
     */
    Bound.Resolved bind(Layered teacher, Network student, String prefix) {
        List<Match> all = new ArrayList<>(matches);
        if (mapping != null) {
            all.addAll(mapping.resolve(teacher.depth(), student.depth()));
        }
        List<Bound> bound = new ArrayList<>();
        Map<String, long[]> teacherShapes = new LinkedHashMap<>();
        for (Match m : all) {
            FeatureTerms.get(m.loss());
            long[] ts = shape(teacher, m.teacher(), "teacher");
            long[] ss = shape(student, m.student(), "student");
            String proj = projectionFor(m, timeAligned(ts, ss), ss);
            teacherShapes.put(m.teacher(), ts);
            bound.add(new Bound(m, ts, ss, proj));
        }
        List<long[]> headShapes = new ArrayList<>();
        String headFrom = null;
        long[] fromShape = null;
        if (heads != null) {
            FeatureTerms.get(heads.loss());
            headFrom = Network.layer(student.depth() - 1);
            fromShape = shape(student, headFrom, "student");
            for (int l : heads.layers()) {
                long[] ts = shape(teacher, Network.layer(l), "teacher");
                if (ts.length != fromShape.length || (ts.length == 2 && ts[0] < fromShape[0])) {
                    throw new SpecException("prediction head for teacher layer" + l + " " + java.util.Arrays.toString(ts)
                            + ": the student's " + headFrom + " is " + java.util.Arrays.toString(fromShape)
                            + "; heads predict [S, D] hidden states over the same sequence, or over a student "
                            + "sequence reduced in time");
                }
                teacherShapes.put(Network.layer(l), ts);
                headShapes.add(ts);
            }
        }
        Map<String, long[]> superShapes = new LinkedHashMap<>();
        for (Supervision s : supervise) {
            superShapes.put(s.layer(), shape(student, s.layer(), "student"));
        }
        return new Bound.Resolved(this, bound, teacherShapes, headFrom, fromShape, headShapes, superShapes,
                student.spec().outputs(), prefix);
    }

    private static long[] shape(Layered net, String name, String role) {
        if (!net.outputNames().contains(name) || name.equals(Network.LOGITS)) {
            throw new SpecException("the " + role + " " + net.describe() + " has no output '" + name + "' to match; it has "
                    + String.join(", ", net.outputNames().stream().filter(n -> !n.equals(Network.LOGITS)).toList())
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
            throw new SpecException("the student's sequence of " + st + " positions does not line up with the teacher's " + tt
                    + ": a student's time-reduction stride must be a multiple of the teacher's (e.g. 2, 4, 6 or 8 for a "
                    + "teacher at stride 2)");
        }
        long d = teacher.size(2);
        return teacher.narrow(1, 0, st * k).reshape(b, st, k, d).mean(false, 2);
    }

    private static String projectionFor(Match m, long[] t, long[] s) {
        String where = "the teacher's '" + m.teacher() + "' " + java.util.Arrays.toString(t) + " and the student's '"
                + m.student() + "' " + java.util.Arrays.toString(s);
        boolean equal = java.util.Arrays.equals(t, s);
        boolean cka = FeatureTerms.widthFree(m.loss());
        if (m.projection().equals("none") || (m.projection().equals("auto") && (equal || cka))) {
            if (!equal && !cka) {
                throw new SpecException(where + " differ in shape; use projection linear or mlp (widths only), or a "
                        + "loss that compares structure (cka, local-relation, intra-relation)");
            }
            return "none";
        }
        if (m.loss().startsWith("attention")) {
            throw new SpecException(where + ": attention maps are compared as they are; they need the same heads and "
                    + "sequence length (no projection)");
        }
        if (t.length != s.length || t.length > 2 || (t.length == 2 && t[0] != s[0])) {
            throw new SpecException(where + ": a projection maps the width (last axis) of [D] or [S, D] outputs; "
                    + "the other axes must agree");
        }
        return m.projection().equals("auto") ? "linear" : m.projection();
    }

    private static String checkProjection(String p) {
        String v = p == null ? "auto" : p.toLowerCase(Locale.ROOT);
        if (!List.of("auto", "none", "linear", "mlp").contains(v)) {
            throw new SpecException("projection '" + p + "': use auto (linear when widths differ), none, linear or mlp");
        }
        return v;
    }

    private static void checkWeight(String what, double w) {
        if (!(w >= 0) || Double.isInfinite(w)) {
            throw new SpecException(what + ": weight must be a finite number ≥ 0, got " + w);
        }
    }

    /** One resolved term. */
    record Bound(Match match, long[] teacherShape, long[] studentShape, String projection) {

        /** The objective a features loss becomes once bound to a teacher and a student. */
        static final class Resolved implements Objective {
            private final FeatureLoss loss;
            private final List<Bound> terms;
            private final Map<String, long[]> teacherShapes;
            private final String headFrom;
            private final long[] fromShape;
            private final List<long[]> headShapes;
            private final Map<String, long[]> superShapes;
            private final int classes;
            private final String prefix;

            Resolved(FeatureLoss loss, List<Bound> terms, Map<String, long[]> teacherShapes, String headFrom,
                    long[] fromShape, List<long[]> headShapes, Map<String, long[]> superShapes, int classes, String prefix) {
                this.prefix = prefix;
                this.loss = loss;
                this.terms = terms;
                this.teacherShapes = teacherShapes;
                this.headFrom = headFrom;
                this.fromShape = fromShape;
                this.headShapes = headShapes;
                this.superShapes = superShapes;
                this.classes = classes;
            }

            @Override
            public boolean needsTeacher() {
                return true;
            }

            /** The logit loss's need (none for {@code none}), or a supervision on the teacher's soft targets. */
            @Override
            public boolean needsTeacherLogits() {
                return loss.logits().needsTeacher() || loss.supervise().stream().anyMatch(s -> s.target().equals("kd"));
            }

            @Override
            public boolean taskAgnostic() {
                return loss.logits().taskAgnostic() && loss.supervise().stream().noneMatch(s -> s.target().equals("task"));
            }

            @Override
            public List<String> teacherOutputs() {
                return teacherShapes.keySet().stream().map(n -> prefix + n).toList();
            }

            /** Every resolved term, so that the run key and the record say exactly what was trained. */
            @Override
            public String describe() {
                return loss.logits().describe() + " + " + describeTerms();
            }

            /** The feature terms alone. */
            String describeTerms() {
                List<String> parts = new ArrayList<>();
                for (Bound b : terms) {
                    parts.add(b.match().label() + (b.projection().equals("none") ? "" : "[" + b.projection() + "]"));
                }
                if (loss.heads() != null) parts.add(loss.heads().label() + " from " + headFrom);
                loss.supervise().forEach(s -> parts.add(s.label()));
                return String.join(" + ", parts);
            }

            @Override
            public Var define(Inputs in) {
                return loss.logits().define(in).add(terms(in));
            }

            /** The sum of the feature terms (no logit loss). */
            Var terms(Inputs in) {
                Var total = in.tape().scalar(0.0);
                for (int i = 0; i < terms.size(); i++) {
                    Bound b = terms.get(i);
                    Var raw = in.student(b.match().student());
                    Var t = alignTime(teacher(in, b.match().teacher()), raw);
                    Var s = project(in.aux(), raw, b.studentShape(), b.teacherShape(), b.projection(), prefix + "match" + i);
                    Var term = FeatureTerms.get(b.match().loss()).define(s, t);
                    total = total.add(term.mul(b.match().weight()));
                }
                if (loss.heads() != null) {
                    Var from = in.student(headFrom);
                    for (int i = 0; i < loss.heads().layers().size(); i++) {
                        String name = Network.layer(loss.heads().layers().get(i));
                        Var s = project(in.aux(), from, fromShape, headShapes.get(i), "linear", prefix + "head" + i);
                        Var term = FeatureTerms.get(loss.heads().loss()).define(s, alignTime(teacher(in, name), from));
                        total = total.add(term.mul(loss.heads().weight() / loss.heads().layers().size()));
                    }
                }
                for (int i = 0; i < loss.supervise().size(); i++) {
                    Supervision sup = loss.supervise().get(i);
                    long[] shape = superShapes.get(sup.layer());
                    Var h = in.student(sup.layer());
                    long width;
                    if (shape.length == 1) {
                        width = shape[0];
                    } else if (shape.length == 2) {
                        h = h.mean(false, 1);
                        width = shape[1];
                    } else {
                        h = h.mean(false, 2, 3);
                        width = shape[0];
                    }
                    Var z = h.linear(in.aux().weight(prefix + "sup" + i + ".w", width, classes),
                            in.aux().bias(prefix + "sup" + i + ".b", classes));
                    Var term;
                    if (sup.target().equals("task")) {
                        term = dev.distillery.model.CrossEntropy.masked(z, in.labels(), in.labelMask());
                    } else {
                        double temp = loss.logits() instanceof HintonLoss hl ? hl.temperature() : 4.0;
                        term = new HintonLoss(temp, 0.0).define(new Inputs(z, in.labels(), in.labelMask(), in.teacherLogits()));
                    }
                    total = total.add(term.mul(sup.weight()));
                }
                return total;
            }

            private Var teacher(Inputs in, String name) {
                long[] shape = teacherShapes.get(name);
                long[] full = new long[shape.length + 1];
                Var flat = in.teacherOutputs().get(prefix + name);
                full[0] = flat.size(0);
                System.arraycopy(shape, 0, full, 1, shape.length);
                return flat.reshape(full);
            }

            /** Maps the last axis of {@code s} from the student's width to the teacher's. */
            private static Var project(Aux aux, Var s, long[] from, long[] to, String kind, String name) {
                if (kind.equals("none")) {
                    return s;
                }
                long ds = from[from.length - 1];
                long dt = to[to.length - 1];
                long b = s.size(0);
                // the sequence length is read from the value: a once-for-all student changes its stride step by step
                Var flat = from.length == 2 ? s.reshape(b * s.size(1), ds) : s;
                Var out;
                if (kind.equals("linear")) {
                    out = flat.linear(aux.weight(name + ".w", ds, dt), aux.bias(name + ".b", dt));
                } else {
                    long hidden = Math.max(ds, dt);
                    Var h = flat.linear(aux.weight(name + ".w1", ds, hidden), aux.bias(name + ".b1", hidden)).gelu();
                    out = h.linear(aux.weight(name + ".w2", hidden, dt), aux.bias(name + ".b2", dt));
                }
                return from.length == 2 ? out.reshape(b, s.size(1), dt) : out;
            }
        }
    }

    /** {@code HEAD[:ARG][,key=value...]}: the shared shape of the compact forms above. */
    private record Parsed(String head, String arg, Map<String, String> kv, String what) {
        static Parsed of(String text, String what, List<String> keys) {
            String t = text.trim();
            String[] parts = t.split(",");
            String first = parts[0].trim();
            int colon = first.indexOf(':');
            String head = colon < 0 ? first : first.substring(0, colon).trim();
            String arg = colon < 0 ? null : first.substring(colon + 1).trim();
            if (head.isEmpty()) {
                throw new SpecException(what + " is empty before ':'");
            }
            Map<String, String> kv = new LinkedHashMap<>();
            for (int i = 1; i < parts.length; i++) {
                String[] p = parts[i].split("=", 2);
                if (p.length != 2 || !keys.contains(p[0].trim())) {
                    throw new SpecException(what + ": '" + parts[i].trim() + "' should be one of " + String.join("=…, ", keys) + "=…");
                }
                kv.put(p[0].trim(), p[1].trim());
            }
            return new Parsed(head, arg == null || arg.isEmpty() ? null : arg, kv, what);
        }

        Double dbl(String key) {
            String v = kv.get(key);
            if (v == null) {
                return null;
            }
            try {
                return Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new SpecException(what + ": " + key + "=" + v + " is not a number");
            }
        }
    }
}
