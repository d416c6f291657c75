package dev.distillery.nn;

import dev.distillery.tensor.Var;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Several classifier heads on the same features, each an output {@code head{k}}, combined into
 * {@value Outputs#LOGITS} by their mean, by fixed weights, or by a softmax over trainable scores {@code mix}.
 */
public final class MultiHeadClassifier extends Classifier {

    public enum Combine {
        MEAN,
        WEIGHTED,
        LEARNED
    }

    private final List<ClassifierHead> heads = new ArrayList<>();
    private final Combine combine;
    private final List<Double> weights;
    private final Parameter mix;

    /** {@code weights}: one per head for {@link Combine#WEIGHTED}, else null. */
    public MultiHeadClassifier(
            int count,
            long width,
            int classes,
            Activation activation,
            long[] biasShape,
            Combine combine,
            List<Double> weights) {
        if ((combine == Combine.WEIGHTED) != (weights != null) || weights != null && weights.size() != count) {
            throw new IllegalArgumentException("weighted heads need one weight per head; other combinations take none");
        }
        for (int k = 0; k < count; k++) {
            heads.add(child(Integer.toString(k), new ClassifierHead(width, classes, activation, biasShape)));
        }
        this.combine = combine;
        this.weights = weights == null ? null : List.copyOf(weights);
        this.mix = combine == Combine.LEARNED ? parameter("mix", Init.zeros(), 1, count) : null;
    }

    /** A factory for {@code count} heads combined as {@code combine} says. */
    public static Factory factory(int count, Combine combine, List<Double> weights) {
        return (width, classes, activation, biasShape) ->
                new MultiHeadClassifier(count, width, classes, activation, biasShape, combine, weights);
    }

    @Override
    public String slot() {
        return "heads";
    }

    @Override
    public void classify(Forward f, Var features, Map<String, Var> out) {
        Var[] logits = new Var[heads.size()];
        for (int k = 0; k < logits.length; k++) {
            logits[k] = heads.get(k).logits(f, features);
            out.put(Outputs.head(k), logits[k]);
        }
        Var scores = mix == null ? null : f.value(mix).softmax();
        Var sum = null;
        for (int k = 0; k < logits.length; k++) {
            Var term = switch (combine) {
                case LEARNED -> logits[k].mul(scores.column(k));
                case WEIGHTED -> logits[k].mul(weights.get(k));
                case MEAN -> logits[k].mul(1.0 / logits.length);
            };
            sum = sum == null ? term : sum.add(term);
        }
        out.put(Outputs.LOGITS, sum);
    }

    @Override
    public void exportOnnx(OnnxWriter w, String features, Map<String, String> out) {
        String scores = mix == null ? null : w.node("Softmax", List.of(w.parameter(mix)), Map.of("axis", -1L));
        String sum = null;
        for (int k = 0; k < heads.size(); k++) {
            String logits = heads.get(k).logitsOnnx(w, features);
            out.put(Outputs.head(k), logits);
            String weight = switch (combine) {
                case LEARNED -> w.node("Slice", scores, w.ints(k), w.ints(k + 1), w.ints(1));
                case WEIGHTED -> w.scalar(weights.get(k).floatValue());
                case MEAN -> w.scalar(1f / heads.size());
            };
            String term = w.node("Mul", logits, weight);
            sum = sum == null ? term : w.node("Add", sum, term);
        }
        out.put(Outputs.LOGITS, sum);
    }

    @Override
    public Map<String, Object> settings() {
        return weights == null
                ? ordered("heads", heads.size(), "combine", combine)
                : ordered("heads", heads.size(), "combine", combine, "weights", weights);
    }
}
