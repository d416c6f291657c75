package dev.distillery.nn;

/** The names of a model's outputs, which feature losses and probes refer to. */
public final class Outputs {

    public static final String LOGITS = "logits";
    /** A transformer's input embedding (after time reduction). */
    public static final String EMBEDDING = "embedding";
    /** The representation the classifier reads: the last hidden layer, or the transformer's pooled output. */
    public static final String FEATURES = "features";

    private Outputs() {}

    /** Layer {@code i}'s hidden states (a transformer block, a conv stage, a dense layer). */
    public static String layer(int i) {
        return "layer" + i;
    }

    /** Transformer layer {@code i}'s attention maps. */
    public static String attention(int i) {
        return "attention" + i;
    }

    /** Head {@code k}'s logits in a multi-head model. */
    public static String head(int k) {
        return "head" + k;
    }
}
