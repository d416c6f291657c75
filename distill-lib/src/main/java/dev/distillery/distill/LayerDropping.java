package dev.distillery.distill;

import dev.distillery.model.Network;
import dev.distillery.model.TransformerSpec;
import dev.distillery.spec.SpecException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A student made from a transformer teacher by keeping some of its layers: the embedding, the
 * chosen layers in order, the final norm and the classifier are copied, the rest dropped. Used as
 * a student initialisation and, trained on labels alone, as the layer-dropping baseline.
 */
public final class LayerDropping {

    private LayerDropping() {}

    /** Where a transformer's blocks' parameters are named: {@code blocks.<i>.…}. */
    private static final String BLOCKS = "blocks.";

    /** The first {@code k} layers. */
    public static List<Integer> bottom(int k) {
        return range(0, k);
    }

    /** The last {@code k} of a {@code depth}-layer teacher. */
    public static List<Integer> top(int k, int depth) {
        return range(depth - k, depth);
    }

    /** Every other layer, starting with the first. */
    public static List<Integer> alternate(int depth) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < depth; i += 2) {
            out.add(i);
        }
        return out;
    }

    /** A student with the teacher's layers {@code keep} (0-based, increasing), initialised from the teacher. */
    public static Network keep(Network teacher, List<Integer> keep) {
        if (!(teacher.spec() instanceof TransformerSpec t)) {
            throw new SpecException("layer dropping needs a transformer teacher; "
                    + teacher.spec().describe() + " is not one");
        }
        if (keep.isEmpty()) {
            throw new SpecException("layer dropping: keep at least one of the teacher's " + t.depth() + " layers");
        }
        for (int i = 0; i < keep.size(); i++) {
            int l = keep.get(i);
            if (l < 0 || l >= t.depth()) {
                throw new SpecException("teacher " + t.describe() + " has " + t.depth() + " layers (0-"
                        + (t.depth() - 1) + "); layer dropping asks for layer " + l);
            }
            if (i > 0 && l <= keep.get(i - 1)) {
                throw new SpecException("layer dropping: layers to keep must increase, got " + keep);
            }
        }
        TransformerSpec s = new TransformerSpec(
                t.inputs(),
                keep.size(),
                t.width(),
                t.heads(),
                t.ffnRatio(),
                t.patch(),
                t.preNorm(),
                t.outputs(),
                t.activation(),
                t.dropout(),
                t.input(),
                t.frame(),
                t.stride(),
                t.vocab());
        Network student = Network.build(s, 0);
        Map<String, org.nd4j.linalg.api.ndarray.INDArray> from = teacher.parameters();
        Map<String, org.nd4j.linalg.api.ndarray.INDArray> values = new LinkedHashMap<>();
        for (String name : student.parameterNames()) {
            String source = name;
            if (name.startsWith(BLOCKS)) {
                int dot = name.indexOf('.', BLOCKS.length());
                int i = Integer.parseInt(name.substring(BLOCKS.length(), dot));
                source = BLOCKS + keep.get(i) + name.substring(dot);
            }
            values.put(name, from.get(source));
        }
        student.setParameters(values);
        return student;
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(i);
        }
        return out;
    }
}
