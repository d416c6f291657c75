package dev.distillery.nn;

import dev.distillery.tensor.Var;
import java.util.List;
import java.util.Map;

/** A same-padded 2-D convolution: kernel {@code [k, k, in, out]}, bias {@code [out]}; NCHW in and out. */
public final class Conv2d extends Module {

    private final int in;
    private final int out;
    private final int kernel;
    private final Parameter weight;
    private final Parameter bias;

    public Conv2d(int in, int out, int kernel, Activation activation) {
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        long k2 = (long) kernel * kernel;
        this.weight = parameter("weight", Init.fan(k2 * in, k2 * out, activation), kernel, kernel, in, out);
        this.bias = parameter("bias", Init.zeros(), out);
    }

    public Var forward(Forward f, Var x) {
        return x.conv2d(f.value(weight), f.value(bias));
    }

    /**
     * The convolution as an ONNX {@code Conv} (NCHW, same padding as TensorFlow pads: the odd pixel at
     * the end); the kernel {@code [k, k, in, out]} laid out as ONNX's {@code [out, in, k, k]}.
     */
    public String exportOnnx(OnnxWriter w, String x) {
        String kernelOihw = w.kernel(weight, w.value(weight).permute(3, 2, 0, 1).dup('c'));
        return w.node(
                "Conv",
                List.of(x, kernelOihw, w.parameter(bias)),
                Map.of("kernel_shape", new long[] {kernel, kernel}, "auto_pad", "SAME_UPPER"));
    }

    @Override
    public Map<String, Object> settings() {
        return ordered("in", in, "out", out, "kernel", kernel);
    }
}
