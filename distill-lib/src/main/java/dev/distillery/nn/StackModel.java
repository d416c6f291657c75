package dev.distillery.nn;

import dev.distillery.tensor.Var;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model composed step by step from modules: {@link Linear}, {@link Conv2d}, {@link MaxPool2d},
 * {@link LayerNorm}, {@link Dropout} and {@link Nonlinearity}, in {@code steps.{i}}, then the
 * classifier. Its input is a vector, or an image ({@code C×H×W}, channel by channel) that
 * convolutions and pooling keep as an image until the first linear step flattens it. Each linear or
 * convolution step opens a layer: {@code layer{k}} is the value just before the next one opens (or
 * before the classifier), and {@code features} the flattened value the classifier reads.
 *
 * <p>The steps arrive already built, with the shapes checked by whoever composed them (the {@code
 * stack} spec); this class runs them and writes them as ONNX.
 */
public final class StackModel extends Model {

    private final int inputs;
    private final int[] image;
    private final ModuleList<Module> steps;
    private final Classifier head;
    private final List<Integer> layerEnds = new ArrayList<>();

    /**
     * {@code image}: the input's {@code {channels, height, width}}, or null for a vector of {@code
     * inputs} values. {@code width}: the values per example after the last step.
     */
    public StackModel(
            int inputs,
            int[] image,
            List<Module> steps,
            long width,
            int classes,
            Activation headInit,
            Classifier.Factory heads) {
        this.inputs = inputs;
        this.image = image == null ? null : image.clone();
        this.steps = child("steps", new ModuleList<>());
        for (Module m : steps) {
            if (!(m instanceof Linear
                    || m instanceof Conv2d
                    || m instanceof MaxPool2d
                    || m instanceof LayerNorm
                    || m instanceof Dropout
                    || m instanceof Nonlinearity)) {
                throw new IllegalArgumentException(m.type() + " cannot be a step of a stack; its steps are "
                        + "Linear, Conv2d, MaxPool2d, LayerNorm, Dropout and activations");
            }
            this.steps.add(m);
        }
        for (int i = 1; i <= steps.size(); i++) {
            if ((i == steps.size() || opensLayer(steps.get(i))) && hasLayer(steps, i)) {
                layerEnds.add(i);
            }
        }
        head = child("head", heads.create(width, classes, headInit, new long[] {1, classes}));
    }

    private static boolean opensLayer(Module m) {
        return m instanceof Linear || m instanceof Conv2d;
    }

    private static boolean hasLayer(List<Module> steps, int end) {
        return steps.subList(0, end).stream().anyMatch(StackModel::opensLayer);
    }

    @Override
    public int inputs() {
        return inputs;
    }

    @Override
    public Map<String, Var> forward(Forward f, Var input) {
        Map<String, Var> out = new LinkedHashMap<>();
        long b = f.batch();
        Var x = image == null ? input : input.reshape(b, image[0], image[1], image[2]);
        int layer = 0;
        for (int i = 0; i < steps.size(); i++) {
            Module m = steps.get(i);
            if (m instanceof Linear linear) {
                if (x.value().rank() > 2) {
                    x = x.reshape(b, x.value().length() / b);
                }
                x = linear.forward(f, x);
            } else if (m instanceof Conv2d conv) {
                x = conv.forward(f, x);
            } else if (m instanceof MaxPool2d pool) {
                x = pool.forward(x);
            } else if (m instanceof LayerNorm norm) {
                x = norm.forward(f, x);
            } else if (m instanceof Dropout drop) {
                x = drop.forward(f, x);
            } else {
                x = ((Nonlinearity) m).forward(x);
            }
            if (layer < layerEnds.size() && layerEnds.get(layer) == i + 1) {
                out.put(Outputs.layer(layer++), x);
            }
        }
        if (x.value().rank() > 2) {
            x = x.reshape(b, x.value().length() / b);
        }
        out.put(Outputs.FEATURES, x);
        head.classify(f, x, out);
        return out;
    }

    @Override
    public Map<String, String> exportOnnx(OnnxWriter w, String input) {
        Map<String, String> out = new LinkedHashMap<>();
        String x = image == null ? input : w.node("Reshape", input, w.ints(-1, image[0], image[1], image[2]));
        boolean flat = image == null;
        int layer = 0;
        for (int i = 0; i < steps.size(); i++) {
            Module m = steps.get(i);
            if (m instanceof Linear linear) {
                if (!flat) {
                    x = w.node("Flatten", List.of(x), Map.of("axis", 1L));
                    flat = true;
                }
                x = linear.exportOnnx(w, x);
            } else if (m instanceof Conv2d conv) {
                x = conv.exportOnnx(w, x);
            } else if (m instanceof MaxPool2d pool) {
                x = pool.exportOnnx(w, x);
            } else if (m instanceof LayerNorm norm) {
                x = norm.exportOnnx(w, x);
            } else if (m instanceof Nonlinearity act) {
                x = act.exportOnnx(w, x);
            }
            // dropout is the identity at inference
            if (layer < layerEnds.size() && layerEnds.get(layer) == i + 1) {
                out.put(Outputs.layer(layer++), x);
            }
        }
        if (!flat) {
            x = w.node("Flatten", List.of(x), Map.of("axis", 1L));
        }
        out.put(Outputs.FEATURES, x);
        head.exportOnnx(w, x, out);
        return out;
    }

    @Override
    public Map<String, Object> settings() {
        return ordered("input", image == null ? String.valueOf(inputs) : image[0] + "x" + image[1] + "x" + image[2]);
    }
}
