package dev.distillery.nn;

import dev.distillery.tensor.Var;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A convolutional network on images of {@code channels} planes of {@code height × width} pixels,
 * each row of the input holding one image channel by channel ({@code C×H×W}): stages
 * {@code convs.{i}} (convolution, activation, max pooling), then dense layers and the classifier.
 */
public final class CnnModel extends DenseModel {

    private final int channels;
    private final int height;
    private final int width;
    private final ModuleList<Conv2d> convs;
    private final MaxPool2d pool;

    public CnnModel(
            int imageChannels,
            int height,
            int width,
            List<Integer> channels,
            int kernel,
            int pool,
            List<Integer> dense,
            Activation activation,
            double dropout,
            int classes,
            Classifier.Factory heads) {
        super(activation);
        this.channels = imageChannels;
        this.height = height;
        this.width = width;
        this.convs = child("convs", new ModuleList<>());
        int h = height;
        int w = width;
        int ch = imageChannels;
        for (int out : channels) {
            convs.add(new Conv2d(ch, out, kernel, activation));
            h /= pool;
            w /= pool;
            ch = out;
        }
        this.pool = child("pool", new MaxPool2d(pool));
        declareTail((long) ch * h * w, dense, dropout, classes, heads);
    }

    @Override
    public int inputs() {
        return channels * height * width;
    }

    @Override
    public Map<String, Var> forward(Forward f, Var input) {
        Map<String, Var> out = new LinkedHashMap<>();
        long b = f.batch();
        Var x = input.reshape(b, channels, height, width);
        for (int i = 0; i < convs.size(); i++) {
            x = pool.forward(activation().apply(convs.get(i).forward(f, x)));
            out.put(Outputs.layer(i), x);
        }
        x = x.reshape(b, x.value().length() / b);
        return tail(f, x, convs.size(), out);
    }

    @Override
    public Map<String, String> exportOnnx(OnnxWriter w, String input) {
        Map<String, String> out = new LinkedHashMap<>();
        String x = w.node("Reshape", input, w.ints(-1, channels, height, width));
        for (int i = 0; i < convs.size(); i++) {
            x = pool.exportOnnx(w, activation().exportOnnx(w, convs.get(i).exportOnnx(w, x)));
            out.put(Outputs.layer(i), x);
        }
        x = w.node("Flatten", List.of(x), Map.of("axis", 1L));
        return exportTail(w, x, convs.size(), out);
    }

    @Override
    public Map<String, Object> settings() {
        return ordered("image", channels + "x" + height + "x" + width, "activation", activation());
    }
}
