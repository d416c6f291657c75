package dev.distillery.nn;

import dev.distillery.tensor.Var;
import java.util.Map;

/** Max pooling over non-overlapping {@code size × size} windows of an NCHW image. */
public final class MaxPool2d extends Module {

    private final int size;

    public MaxPool2d(int size) {
        this.size = size;
    }

    public Var forward(Var x) {
        return x.maxPool(size);
    }

    /** ONNX {@code MaxPool} over {@code size × size} windows, stride {@code size}, the ragged edge dropped. */
    public String exportOnnx(OnnxWriter w, String x) {
        return w.node(
                "MaxPool",
                java.util.List.of(x),
                Map.of("kernel_shape", new long[] {size, size}, "strides", new long[] {size, size}));
    }

    public int size() {
        return size;
    }

    @Override
    public Map<String, Object> settings() {
        return Map.of("size", size);
    }
}
