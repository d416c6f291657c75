package dev.distillery.tensor;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.MaxPooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Layer normalisation, convolution and max pooling, each one op with a hand-written backward pass:
 * layer norm fused from its arithmetic, convolution and pooling through ND4J's kernels (oneDNN on CPU).
 */
final class LayerKernels {

    private LayerKernels() {}

    static Var layerNorm(Var x, Var gain, Var bias) {
        x.same(gain);
        x.same(bias);
        if (RowKernels.applies(x.value(), gain.value(), bias.value())) {
            return RowKernels.layerNorm(x, gain, bias);
        }
        INDArray v = x.value();
        int last = v.rank() - 1;
        long d = v.size(last);
        INDArray mu = v.mean(true, last);
        INDArray xc = v.sub(mu);
        INDArray inv = Transforms.pow(xc.mul(xc).mean(true, last).addi(1e-5), -0.5, false);
        INDArray xhat = xc.muli(inv);
        INDArray out = xhat.mul(gain.value()).addi(bias.value());
        return x.make(
                out,
                g -> {
                    long rows = v.length() / d;
                    if (gain.needsGrad()) {
                        gain.accumulate(Broadcasting.columnSums(g.mul(xhat).reshape('c', rows, d))
                                .reshape('c', gain.shape()));
                    }
                    if (bias.needsGrad()) {
                        bias.accumulate(
                                Broadcasting.columnSums(g.reshape('c', rows, d)).reshape('c', bias.shape()));
                    }
                    if (x.needsGrad()) {
                        // dx = inv · (gh − mean(gh) − x̂ · mean(gh ⊙ x̂)), gh = g ⊙ gain
                        INDArray gh = g.mul(gain.value());
                        INDArray m1 = gh.mean(true, last);
                        INDArray m2 = gh.mul(xhat).mean(true, last);
                        x.accumulate(gh.subi(m1).subi(xhat.mul(m2)).muli(inv));
                    }
                },
                x,
                gain,
                bias);
    }

    static Var conv2d(Var x, Var kernel, Var bias) {
        x.same(kernel);
        x.same(bias);
        int k = (int) kernel.size(0);
        Conv2DConfig cfg = Conv2DConfig.builder()
                .kH(k)
                .kW((int) kernel.size(1))
                .paddingMode(PaddingMode.SAME)
                .dataFormat(Conv2DConfig.NCHW)
                .build();
        Conv2D op = new Conv2D(x.value(), kernel.value(), bias.value(), null, cfg);
        INDArray out = Nd4j.exec((CustomOp) op)[0];
        int[] args = ints(op.iArgs());
        return x.make(
                out,
                g -> {
                    DynamicCustomOp bp = DynamicCustomOp.builder("conv2d_bp")
                            .addInputs(x.value(), kernel.value(), bias.value(), g)
                            .addIntegerArguments(args)
                            .build();
                    INDArray[] grads = Nd4j.exec(bp);
                    if (x.needsGrad()) {
                        x.accumulate(grads[0]);
                    }
                    if (kernel.needsGrad()) {
                        kernel.accumulate(grads[1]);
                    }
                    if (bias.needsGrad()) {
                        bias.accumulate(grads[2].reshape('c', bias.shape()));
                    }
                },
                x,
                kernel,
                bias);
    }

    static Var maxPool(Var x, int size) {
        Pooling2DConfig cfg = Pooling2DConfig.builder()
                .kH(size)
                .kW(size)
                .sH(size)
                .sW(size)
                .isNHWC(false)
                .build();
        MaxPooling2D op = new MaxPooling2D(x.value(), null, cfg);
        INDArray out = Nd4j.exec((CustomOp) op)[0];
        int[] args = ints(op.iArgs());
        return x.make(
                out,
                g -> {
                    DynamicCustomOp bp = DynamicCustomOp.builder("maxpool2d_bp")
                            .addInputs(x.value(), g)
                            .addIntegerArguments(args)
                            .build();
                    x.accumulate(Nd4j.exec(bp)[0]);
                },
                x);
    }

    private static int[] ints(long[] v) {
        int[] r = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = (int) v[i];
        }
        return r;
    }
}
