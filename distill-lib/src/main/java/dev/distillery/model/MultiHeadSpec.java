package dev.distillery.model;

import dev.distillery.nn.Classifier;
import dev.distillery.nn.Model;
import dev.distillery.nn.MultiHeadClassifier;
import dev.distillery.spec.SpecException;
import java.util.List;
import java.util.Locale;

/**
 * A shared body with {@code heads} classifier heads on its {@code features} (CERBERUS): head
 * {@code k} is output {@code head{k}} and learns from teacher {@code k} of an ensemble; the model's
 * {@code logits} combine the heads: their {@code mean}, a {@code weighted} sum with fixed weights (an
 * ensemble's teacher weights), or {@code learned} weights (a softmax over one trainable score per head).
 * Compact form {@code multihead:3[,combine=learned|weighted][,weights=0.5/0.3/0.2]:mlp:64}.
 */
public record MultiHeadSpec(ModelSpec body, Integer heads, String combine, List<Double> weights) implements ModelSpec {

    public static final String MEAN = "mean";
    public static final String LEARNED = "learned";
    public static final String WEIGHTED = "weighted";

    public MultiHeadSpec(ModelSpec body, Integer heads, String combine) {
        this(body, heads, combine, null);
    }

    /** Heads combined with {@code weights} (normalised to sum to 1), e.g. an ensemble's teacher weights. */
    public static MultiHeadSpec weighted(ModelSpec body, double[] weights) {
        return new MultiHeadSpec(
                body,
                weights.length,
                WEIGHTED,
                java.util.Arrays.stream(weights).boxed().toList());
    }

    public MultiHeadSpec {
        if (body == null) {
            throw new SpecException("multihead spec needs a body, e.g. multihead:3:mlp:64");
        }
        if (body instanceof MultiHeadSpec) {
            throw new SpecException("multihead spec: the body is already multi-head; give one head count");
        }
        if (heads == null || heads < 2) {
            throw new SpecException("multihead spec: heads must be at least 2 (one per teacher), got " + heads);
        }
        combine = combine == null ? (weights == null ? MEAN : WEIGHTED) : combine.toLowerCase(Locale.ROOT);
        if (!List.of(MEAN, LEARNED, WEIGHTED).contains(combine)) {
            throw new SpecException("multihead spec: combine is mean, weighted or learned, got '" + combine + "'");
        }
        if (combine.equals(WEIGHTED) != (weights != null)) {
            throw new SpecException("multihead spec: "
                    + (weights == null
                            ? "combine=weighted needs weights, one per head"
                            : "weights are for combine=weighted, not " + combine));
        }
        if (weights != null) {
            if (weights.size() != heads) {
                throw new SpecException("multihead spec: " + weights.size() + " weights for " + heads + " heads");
            }
            double sum = 0;
            for (Double w : weights) {
                if (w == null || !(w >= 0) || w.isInfinite()) {
                    throw new SpecException("multihead spec: weights must be finite and ≥ 0, got " + weights);
                }
                sum += w;
            }
            if (sum <= 0) {
                throw new SpecException("multihead spec: the weights sum to 0");
            }
            double total = sum;
            weights = weights.stream().map(w -> w / total).toList();
        }
    }

    /** The name of head {@code k}'s logits among the network's outputs. */
    public static String head(int k) {
        return dev.distillery.nn.Outputs.head(k);
    }

    @Override
    public Integer inputs() {
        return body.inputs();
    }

    @Override
    public Integer outputs() {
        return body.outputs();
    }

    /** The width of the body's {@code features}, which every head reads. */
    public static long featureWidth(ModelSpec body) {
        if (body instanceof TransformerSpec t) {
            return t.width();
        }
        if (body instanceof StackSpec st) {
            return st.featureWidth();
        }
        if (body instanceof MlpSpec m) {
            return m.hidden().isEmpty() ? m.inputs() : m.hidden().get(m.hidden().size() - 1);
        }
        CnnSpec c = (CnnSpec) body;
        if (!c.dense().isEmpty()) {
            return c.dense().get(c.dense().size() - 1);
        }
        return c.convolvedWidth();
    }

    /** Parameters beyond a single-head model: the other heads, and the mixing scores when learned. */
    public long extraParameters() {
        long head = featureWidth(body) * outputs() + outputs();
        return (heads - 1) * head + (combine.equals(LEARNED) ? heads : 0);
    }

    @Override
    public long parameterCount() {
        return body.parameterCount() + extraParameters();
    }

    /** The body with this spec's heads. */
    @Override
    public Model compose() {
        MultiHeadClassifier.Combine how = MultiHeadClassifier.Combine.valueOf(combine.toUpperCase(Locale.ROOT));
        return body.compose(
                MultiHeadClassifier.factory(heads, how, how == MultiHeadClassifier.Combine.WEIGHTED ? weights : null));
    }

    /** The body with the classifier {@code heads} builds in place of this spec's heads. */
    @Override
    public Model compose(Classifier.Factory heads) {
        return body.compose(heads);
    }

    @Override
    public String describe() {
        return body.describe() + " ×" + heads + " heads" + (combine.equals(MEAN) ? "" : " (" + combine + ")");
    }

    @Override
    public String compact() {
        String w = weights == null
                ? ""
                : ",weights="
                        + String.join("/", weights.stream().map(String::valueOf).toList());
        return "multihead:" + heads + (combine.equals(MEAN) ? "" : ",combine=" + combine) + w + ":" + body.compact();
    }

    /** Reads {@code multihead:K[,combine=mean|learned]:BODY}. */
    static MultiHeadSpec parseCompact(String text) {
        String rest = text.trim().substring("multihead:".length());
        int colon = rest.indexOf(':');
        if (colon < 0) {
            throw new SpecException("model spec '" + text + "': write multihead:K:BODY, e.g. multihead:3:mlp:64");
        }
        String[] opts = rest.substring(0, colon).split(",");
        Integer k;
        try {
            k = Integer.parseInt(opts[0].trim());
        } catch (NumberFormatException e) {
            throw new SpecException("model spec '" + text + "': '" + opts[0] + "' is not a head count");
        }
        String combine = null;
        List<Double> weights = null;
        for (int i = 1; i < opts.length; i++) {
            String[] kv = opts[i].split("=", 2);
            String key = kv[0].trim();
            if (kv.length == 2 && key.equals("combine")) {
                combine = kv[1].trim();
            } else if (kv.length == 2 && key.equals("weights")) {
                weights = new java.util.ArrayList<>();
                for (String w : kv[1].split("/")) {
                    try {
                        weights.add(Double.parseDouble(w.trim()));
                    } catch (NumberFormatException e) {
                        throw new SpecException(
                                "model spec '" + text + "': weights are numbers separated by /, e.g. 0.5/0.3/0.2");
                    }
                }
            } else {
                throw new SpecException("model spec '" + text + "': '" + opts[i]
                        + "' should be combine=mean|weighted|learned " + "or weights=W1/W2/...");
            }
        }
        return new MultiHeadSpec(ModelSpec.parse(rest.substring(colon + 1)), k, combine, weights);
    }
}
