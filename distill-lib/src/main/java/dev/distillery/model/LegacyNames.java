package dev.distillery.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The parameter names model files and checkpoints had before models were built from modules
 * ({@code w0}, {@code cb1}, {@code t.layer0.q.w}, {@code head1.w}), in the order those versions
 * declared them, which is the order modules declare theirs: position maps an old name to its new one.
 */
final class LegacyNames {

    private LegacyNames() {}

    /** {@code saved} with old names replaced by the names in {@code current}; unchanged if it already uses them. */
    static Map<String, INDArray> upgrade(ModelSpec spec, List<String> current, Map<String, INDArray> saved) {
        if (saved.keySet().containsAll(current)) {
            return saved;
        }
        List<String> old = of(spec);
        if (old.size() != current.size() || !saved.keySet().containsAll(old)) {
            return saved;
        }
        Map<String, String> rename = new LinkedHashMap<>();
        for (int i = 0; i < old.size(); i++) {
            rename.put(old.get(i), current.get(i));
        }
        Map<String, INDArray> out = new LinkedHashMap<>();
        saved.forEach((k, v) -> out.put(rename.getOrDefault(k, k), v));
        return out;
    }

    /** The old names of {@code spec}'s parameters, in declaration order. */
    static List<String> of(ModelSpec spec) {
        ModelSpec body = spec instanceof MultiHeadSpec mh ? mh.body() : spec;
        List<String> names = new ArrayList<>();
        String weight;
        String bias;
        if (body instanceof TransformerSpec t) {
            transformer(t, names);
            weight = "t.head.w";
            bias = "t.head.b";
        } else {
            List<Integer> dense;
            if (body instanceof CnnSpec c) {
                for (int i = 0; i < c.channels().size(); i++) {
                    names.add("k" + i);
                    names.add("cb" + i);
                }
                dense = c.dense();
            } else {
                dense = ((MlpSpec) body).hidden();
            }
            for (int i = 0; i < dense.size(); i++) {
                names.add("w" + i);
                names.add("b" + i);
            }
            weight = "w" + dense.size();
            bias = "b" + dense.size();
        }
        names.add(weight);
        names.add(bias);
        if (spec instanceof MultiHeadSpec mh) {
            for (int k = 1; k < mh.heads(); k++) {
                names.add("head" + k + ".w");
                names.add("head" + k + ".b");
            }
            if (mh.combine().equals(MultiHeadSpec.LEARNED)) {
                names.add("heads.mix");
            }
        }
        return names;
    }

    private static void transformer(TransformerSpec t, List<String> names) {
        if (t.input().equals(TransformerSpec.TOKENS)) {
            names.add("t.embed.tok");
        } else {
            names.add("t.embed.w");
            names.add("t.embed.b");
        }
        names.add("t.embed.pos");
        for (int i = 0; i < t.depth(); i++) {
            String pre = "t.layer" + i + ".";
            if (t.preNorm()) {
                norm(names, pre + "norm1");
            }
            for (String w : List.of("q", "k", "v", "o", (t.preNorm() ? "norm2" : "norm1"), "ffn1", "ffn2")) {
                if (w.startsWith("norm")) {
                    norm(names, pre + w);
                } else {
                    names.add(pre + w + ".w");
                    names.add(pre + w + ".b");
                }
            }
            if (!t.preNorm()) {
                norm(names, pre + "norm2");
            }
        }
        if (t.preNorm()) {
            norm(names, "t.norm");
        }
    }

    private static void norm(List<String> names, String name) {
        names.add(name + ".gain");
        names.add(name + ".bias");
    }
}
