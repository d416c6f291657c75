package dev.distillery.loss;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.distillery.model.Layered;
import dev.distillery.model.Network;
import dev.distillery.spec.SpecException;
import dev.distillery.train.Objective;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
public record FeatureLoss(
        LossSpec logits, List<Match> matches, Mapping mapping, Heads heads, List<Supervision> supervise)
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
    public record Match(String teacher, String student, String loss, Double weight, Projection projection) {
        public Match {
            if (teacher == null || teacher.isBlank()) {
                throw new SpecException(
                        "feature match needs the teacher output to match, e.g. {teacher: layer3, student: layer1}");
            }
            student = student == null ? teacher : student;
            loss = loss == null ? "mse" : loss;
            weight = weight == null ? 1.0 : weight;
            projection = projection == null ? Projection.AUTO : projection;
            checkWeight("feature match " + teacher, weight);
        }

        /**
         * The compact form {@code TEACHER[>STUDENT][:LOSS][,w=W][,proj=auto|none|linear|mlp]}, e.g.
         * {@code features:cosine} or {@code layer5>layer1:mse,w=0.5,proj=mlp}.
         */
        public static Match parse(String text) {
            Parsed p = Parsed.of(text, "feature '" + text + "'", List.of("w", "proj"));
            String[] ts = p.head.split(">", 2);
            return new Match(
                    ts[0].trim(),
                    ts.length > 1 ? ts[1].trim() : null,
                    p.arg,
                    p.dbl("w"),
                    Projection.parse(p.kv.get("proj")));
        }

        public String label() {
            return loss + "(" + (teacher.equals(student) ? teacher : teacher + ">" + student) + ")"
                    + (weight == 1.0 ? "" : "×" + HintonLoss.fmt(weight));
        }
    }

    /** Student layers mapped onto teacher layers: {@code uniform}, or the {@code last} k; hidden states or attention maps. */
    public record Mapping(Kind kind, Integer k, Feature feature, String loss, Double weight, Projection projection) {

        /** Which teacher layer each student layer learns from. */
        public enum Kind {
            /** Student layer i of S learns from teacher layer ⌈(i + 1)·T / S⌉ − 1 of T (TinyBERT's mapping). */
            UNIFORM,
            /** The last k student layers learn from the last k teacher layers. */
            LAST;

            @JsonValue
            @Override
            public String toString() {
                return SpecLabels.of(this);
            }

            @JsonCreator
            public static Kind parse(String text) {
                return SpecLabels.parse(Kind.class, text, "layer mapping '" + text + "': use uniform or last (with k)");
            }
        }

        /** What the mapped layers match: their hidden states or their attention probabilities. */
        public enum Feature {
            HIDDEN,
            ATTENTION;

            @JsonValue
            @Override
            public String toString() {
                return SpecLabels.of(this);
            }

            @JsonCreator
            public static Feature parse(String text) {
                return SpecLabels.parse(
                        Feature.class, text, "layer mapping feature '" + text + "': use hidden or attention");
            }

            /** The output names' prefix: {@code layer} or {@code attention}. */
            String prefix() {
                return this == ATTENTION ? "attention" : "layer";
            }
        }

        public Mapping {
            kind = kind == null ? Kind.UNIFORM : kind;
            feature = feature == null ? Feature.HIDDEN : feature;
            if (k != null && k <= 0) {
                throw new SpecException("layer mapping: k must be positive, got " + k);
            }
            loss = loss == null ? (feature == Feature.ATTENTION ? "attention-kl" : "mse") : loss;
            weight = weight == null ? 1.0 : weight;
            projection = projection == null ? Projection.AUTO : projection;
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
            return new Mapping(
                    Kind.parse(kind),
                    k,
                    p.arg == null ? null : Feature.parse(p.arg),
                    p.kv.get("loss"),
                    p.dbl("w"),
                    Projection.parse(p.kv.get("proj")));
        }

        /** The explicit matches for a {@code teacherDepth}-layer teacher and a {@code studentDepth}-layer student. */
        public List<Match> resolve(int teacherDepth, int studentDepth) {
            if (teacherDepth == 0 || studentDepth == 0) {
                throw new SpecException("layer mapping needs layers on both sides; the teacher has " + teacherDepth
                        + " and the student " + studentDepth);
            }
            List<Match> out = new ArrayList<>();
            String prefix = feature.prefix();
            if (kind == Kind.UNIFORM) {
                for (int i = 0; i < studentDepth; i++) {
                    int t = (int) Math.ceil((double) (i + 1) * teacherDepth / studentDepth) - 1;
                    out.add(new Match(prefix + t, prefix + i, loss, weight, projection));
                }
            } else {
                int n = k == null ? Math.min(teacherDepth, studentDepth) : k;
                if (n > teacherDepth || n > studentDepth) {
                    throw new SpecException(
                            "layer mapping last-" + n + ": the teacher has " + teacherDepth + " layers and the student "
                                    + studentDepth + "; k can be at most " + Math.min(teacherDepth, studentDepth));
                }
                for (int j = 0; j < n; j++) {
                    out.add(new Match(
                            prefix + (teacherDepth - n + j),
                            prefix + (studentDepth - n + j),
                            loss,
                            weight,
                            projection));
                }
            }
            return out;
        }

        public String label() {
            return (kind == Kind.LAST && k != null ? "last-" + k : kind.toString()) + "-" + feature + ":" + loss
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
    public record Supervision(String layer, Target target, Double weight) {

        /** What the extra classifier learns: the labels or the teacher's soft targets. */
        public enum Target {
            TASK,
            KD;

            @JsonValue
            @Override
            public String toString() {
                return SpecLabels.of(this);
            }

            @JsonCreator
            public static Target parse(String text) {
                return SpecLabels.parse(
                        Target.class,
                        text,
                        "supervision target '" + text + "': use task (labels) or kd (teacher soft targets)");
            }
        }

        public Supervision {
            if (layer == null || layer.isBlank()) {
                throw new SpecException("supervision needs the student layer to supervise, e.g. {layer: layer1}");
            }
            target = target == null ? Target.TASK : target;
            weight = weight == null ? 0.3 : weight;
            checkWeight("supervision of " + layer, weight);
        }

        /** {@code LAYER[:task|kd][,w=W]}, e.g. {@code layer1:task,w=0.3}. */
        public static Supervision parse(String text) {
            Parsed p = Parsed.of(text, "supervise '" + text + "'", List.of("w"));
            return new Supervision(p.head, p.arg == null ? null : Target.parse(p.arg), p.dbl("w"));
        }

        public String label() {
            return "sup(" + layer + ":" + target + "×" + HintonLoss.fmt(weight) + ")";
        }
    }

    @Override
    public java.util.OptionalDouble softTargetTemperature() {
        return logits.softTargetTemperature();
    }

    @Override
    public boolean needsTeacher() {
        return true;
    }

    @Override
    public boolean featuresAlone() {
        return !logits.needsTeacher();
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

    @Override
    public boolean taskAgnostic() {
        return logits.taskAgnostic() && supervise.stream().noneMatch(s -> s.target() == Supervision.Target.TASK);
    }

    /**
     * The objective for this teacher and student (or, in an ensemble, each teacher's terms with their
     * own projections): the mapping resolved against their depths, every output name and shape
     * checked, projections and heads declared. Errors name the output and the fix.
     */
    @Override
    public Objective bind(BindContext context) {
        return context.isEnsemble()
                ? EnsembleLoss.bind(this, context)
                : FeatureObjective.bind(this, context.teacher(), context.student(), 0);
    }

    /** {@link #bind(BindContext)} for one teacher. */
    public Objective bind(Layered teacher, Network student) {
        return bind(BindContext.single(teacher, student));
    }

    /** Every explicit match, with the mapping resolved for a {@code teacherDepth}- and a {@code studentDepth}-layer model. */
    List<Match> allMatches(int teacherDepth, int studentDepth) {
        List<Match> all = new ArrayList<>(matches);
        if (mapping != null) {
            all.addAll(mapping.resolve(teacherDepth, studentDepth));
        }
        return all;
    }

    private static void checkWeight(String what, double w) {
        if (!(w >= 0) || Double.isInfinite(w)) {
            throw new SpecException(what + ": weight must be a finite number ≥ 0, got " + w);
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
                    throw new SpecException(
                            what + ": '" + parts[i].trim() + "' should be one of " + String.join("=…, ", keys) + "=…");
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
