package dev.distillery.nn;

import dev.distillery.tensor.Var;
import java.util.List;
import java.util.Map;

/**
 * The dense tail the MLP and CNN families share: hidden linear layers {@code layers.{i}} with the
 * activation after each and dropout after that, then the classifier.
 */
abstract class DenseModel extends Model {

    /** Biases of this family are {@code [1, out]}: the layout model files have always had. */
    static long[] rowBias(long out) {
        return new long[] {1, out};
    }

    private final Activation activation;
    private ModuleList<Linear> layers;
    private ModuleList<Dropout> dropouts;
    private Classifier head;

    DenseModel(Activation activation) {
        this.activation = activation;
    }

    /** Declares the dense layers and the classifier; called once, after the layers before them. */
    final void declareTail(long width, List<Integer> hidden, double dropout, int classes, Classifier.Factory heads) {
        layers = child("layers", new ModuleList<>());
        ModuleList<Dropout> drops = new ModuleList<>();
        for (int out : hidden) {
            layers.add(new Linear(width, out, Init.fan(width, out, activation), rowBias(out)));
            if (dropout > 0) {
                drops.add(new Dropout(out, dropout));
            }
            width = out;
        }
        dropouts = drops.size() == 0 ? null : child("dropouts", drops);
        Classifier c = heads.create(width, classes, activation, rowBias(classes));
        head = child(c.slot(), c);
    }

    /** The dense layers on {@code x} ({@code [B, width]}), their outputs named {@code layer{first + i}}, then the classifier. */
    final Map<String, Var> tail(Forward f, Var x, int first, Map<String, Var> out) {
        for (int i = 0; i < layers.size(); i++) {
            x = activation.apply(layers.get(i).forward(f, x));
            out.put(Outputs.layer(first + i), x);
            if (dropouts != null) {
                x = dropouts.get(i).forward(f, x);
            }
        }
        out.put(Outputs.FEATURES, x);
        head.classify(f, x, out);
        return out;
    }

    /** The dense layers and the classifier as ONNX nodes, outputs named as {@link #tail} names them. */
    final Map<String, String> exportTail(OnnxWriter w, String x, int first, Map<String, String> out) {
        for (int i = 0; i < layers.size(); i++) {
            x = activation.exportOnnx(w, layers.get(i).exportOnnx(w, x));
            out.put(Outputs.layer(first + i), x);
        }
        out.put(Outputs.FEATURES, x);
        head.exportOnnx(w, x, out);
        return out;
    }

    final Activation activation() {
        return activation;
    }
}
