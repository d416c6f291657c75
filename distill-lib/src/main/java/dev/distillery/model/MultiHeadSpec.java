package dev.distillery.model;

import java.util.List;
import java.util.Locale;

/**
 * A shared body with {@code heads} classifier heads on its {@code features} (CERBERUS): head
 * {@code k} is output {@code head{k}} and learns from teacher {@code k} of an ensemble; the model's
 * {@code logits} combine the heads, as their {@code mean} or with {@code learned} weights (a softmax
 * over one trainable score per head). Compact form {@code multihead:3[,combine=learned]:mlp:64}.
 */
public record MultiHeadSpec(ModelSpec body, Integer heads, String combine) implements ModelSpec {

    public static final String MEAN = "mean";
    public static final String LEARNED = "learned";

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
        combine = combine == null ? MEAN : combine.toLowerCase(Locale.ROOT);
        if (!List.of(MEAN, LEARNED).contains(combine)) {
            throw new SpecException("multihead spec: combine is mean or learned, got '" + combine + "'");
        }
    }

    /** The name of head {@code k}'s logits in the graph. */
    public static String head(int k) {
        return "head" + k;
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
        if (body instanceof MlpSpec m) {
            return m.hidden().isEmpty() ? m.inputs() : m.hidden().get(m.hidden().size() - 1);
        }
        CnnSpec c = (CnnSpec) body;
        if (!c.dense().isEmpty()) {
            return c.dense().get(c.dense().size() - 1);
        }
        int s = c.side();
        for (int i = 0; i < c.channels().size(); i++) {
            s /= c.pool();
        }
        return (long) c.channels().get(c.channels().size() - 1) * s * s;
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

    @Override
    public String describe() {
        return body.describe() + " ×" + heads + " heads" + (combine.equals(MEAN) ? "" : " (" + combine + ")");
    }

    @Override
    public String compact() {
        return "multihead:" + heads + (combine.equals(MEAN) ? "" : ",combine=" + combine) + ":" + body.compact();
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
        for (int i = 1; i < opts.length; i++) {
            String[] kv = opts[i].split("=", 2);
            if (kv.length != 2 || !kv[0].trim().equals("combine")) {
                throw new SpecException("model spec '" + text + "': '" + opts[i] + "' should be combine=mean or combine=learned");
            }
            combine = kv[1].trim();
        }
        return new MultiHeadSpec(ModelSpec.parse(rest.substring(colon + 1)), k, combine);
    }
}
