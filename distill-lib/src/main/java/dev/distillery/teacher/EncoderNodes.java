package dev.distillery.teacher;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The node outputs of an encoder graph exposed beside its last hidden state, under Distillery's
 * names: {@code embedding}, {@code layer0 … layer(L-1)} for the hidden states and
 * {@code attention0 …} for each layer's attention probabilities (when the node names show them).
 */
record EncoderNodes(List<String> hidden, List<String> attention) {

    static final EncoderNodes NONE = new EncoderNodes(List.of(), List.of());

    /** The hidden-state and attention nodes found in {@code model}; attention only when there is one per layer. */
    static EncoderNodes find(byte[] model) {
        List<String> hidden = OnnxGraph.hiddenStates(model);
        List<String> maps = OnnxGraph.attentionMaps(model);
        return new EncoderNodes(hidden, maps.size() == hidden.size() - 1 ? maps : List.of());
    }

    /** Every exposed node, hidden states first: the outputs to add to the graph. */
    List<String> all() {
        List<String> all = new ArrayList<>(hidden);
        all.addAll(attention);
        return all;
    }

    /** Transformer layers (0 when nothing is exposed). */
    int depth() {
        return Math.max(0, hidden.size() - 1);
    }

    List<String> hiddenStateNames() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < hidden.size(); i++) {
            out.add(i == 0 ? "embedding" : "layer" + (i - 1));
        }
        return out;
    }

    List<String> attentionNames() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < attention.size(); i++) {
            out.add("attention" + i);
        }
        return out;
    }

    /** Our name → the graph's node output name. */
    Map<String, String> byName() {
        Map<String, String> m = new LinkedHashMap<>();
        List<String> hs = hiddenStateNames();
        for (int i = 0; i < hidden.size(); i++) {
            m.put(hs.get(i), hidden.get(i));
        }
        List<String> as = attentionNames();
        for (int i = 0; i < attention.size(); i++) {
            m.put(as.get(i), attention.get(i));
        }
        return m;
    }
}
