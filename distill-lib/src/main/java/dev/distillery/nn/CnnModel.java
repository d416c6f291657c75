package dev.distillery.nn;

import dev.distillery.tensor.Var;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A convolutional network on {@code side × side} single-channel images: stages {@code convs.{i}}
 * (convolution, activation, max pooling), then dense layers and the classifier.
 */
public final class CnnModel extends DenseModel {

    private final int side;
    private final ModuleList<Conv2d> convs;
    private final MaxPool2d pool;

    public CnnModel(
            int side,
            List<Integer> channels,
            int kernel,
            int pool,
            List<Integer> dense,
            Activation activation,
            double dropout,
            int classes,
            Classifier.Factory heads) {
        super(activation);
        this.side = side;
        this.convs = child("convs", new ModuleList<>());
        int s = side;
        int ch = 1;
        for (int out : channels) {
            convs.add(new Conv2d(ch, out, kernel, activation));
            s /= pool;
            ch = out;
        }
        this.pool = child("pool", new MaxPool2d(pool));
        declareTail((long) ch * s * s, dense, dropout, classes, heads);
    }

    @Override
    public int inputs() {
        return side * side;
    }

    @Override
    public Map<String, Var> forward(Forward f, Var input) {
        Map<String, Var> out = new LinkedHashMap<>();
        long b = f.batch();
        Var x = input.reshape(b, 1, side, side);
        for (int i = 0; i < convs.size(); i++) {
            x = pool.forward(activation().apply(convs.get(i).forward(f, x)));
            out.put(Outputs.layer(i), x);
        }
        x = x.reshape(b, x.value().length() / b);
        return tail(f, x, convs.size(), out);
    }

    @Override
    public Map<String, Object> settings() {
        return ordered("side", side, "activation", activation());
    }
}
