package dev.distillery.tensor;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.impl.transforms.custom.LogSoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Elementwise primitives and their derivative rules: arithmetic that broadcasts like NumPy (each
 * gradient summed back to its input's shape), functions of one value, and softmax along the last axis.
 */
final class Elementwise {

    private Elementwise() {}

    static Var add(Var x, Var o) {
        x.same(o);
        return x.make(
                x.value().add(o.value()),
                g -> {
                    pass(x, g);
                    pass(o, g);
                },
                x,
                o);
    }

    static Var sub(Var x, Var o) {
        x.same(o);
        return x.make(
                x.value().sub(o.value()),
                g -> {
                    pass(x, g);
                    if (o.needsGrad()) {
                        o.accumulate(Broadcasting.reduceTo(g.neg(), o.shape()));
                    }
                },
                x,
                o);
    }

    static Var mul(Var x, Var o) {
        x.same(o);
        return x.make(
                x.value().mul(o.value()),
                g -> {
                    if (x.needsGrad()) {
                        x.accumulate(Broadcasting.reduceTo(g.mul(o.value()), x.shape()));
                    }
                    if (o.needsGrad()) {
                        o.accumulate(Broadcasting.reduceTo(g.mul(x.value()), o.shape()));
                    }
                },
                x,
                o);
    }

    static Var div(Var x, Var o) {
        x.same(o);
        INDArray out = x.value().div(o.value());
        return x.make(
                out,
                g -> {
                    if (x.needsGrad()) {
                        x.accumulate(Broadcasting.reduceTo(g.div(o.value()), x.shape()));
                    }
                    if (o.needsGrad()) {
                        // d(a/b)/db = -(a/b)/b
                        o.accumulate(
                                Broadcasting.reduceTo(g.mul(out).divi(o.value()).negi(), o.shape()));
                    }
                },
                x,
                o);
    }

    static Var add(Var x, double c) {
        return x.make(x.value().add(c), g -> x.accumulate(g), x);
    }

    static Var rsub(Var x, double c) {
        return x.make(x.value().rsub(c), g -> x.accumulate(g.neg()), x);
    }

    static Var mul(Var x, double c) {
        return x.make(x.value().mul(c), g -> x.accumulate(g.mul(c)), x);
    }

    static Var square(Var x) {
        INDArray v = x.value();
        return x.make(v.mul(v), g -> x.accumulate(g.mul(v).muli(2)), x);
    }

    static Var sqrt(Var x) {
        INDArray out = Transforms.sqrt(x.value(), true);
        return x.make(out, g -> x.accumulate(g.div(out).muli(0.5)), x);
    }

    static Var exp(Var x) {
        INDArray out = Transforms.exp(x.value(), true);
        return x.make(out, g -> x.accumulate(g.mul(out)), x);
    }

    static Var log(Var x) {
        return x.make(Transforms.log(x.value(), true), g -> x.accumulate(g.div(x.value())), x);
    }

    static Var abs(Var x) {
        return x.make(Transforms.abs(x.value(), true), g -> x.accumulate(g.mul(Transforms.sign(x.value(), true))), x);
    }

    static Var sigmoid(Var x) {
        INDArray out = Transforms.sigmoid(x.value(), true);
        // σ' = σ(1 − σ), from the saved output: no second transcendental pass
        return x.make(out, g -> x.accumulate(out.rsub(1).muli(out).muli(g)), x);
    }

    static Var tanh(Var x) {
        INDArray out = Transforms.tanh(x.value(), true);
        return x.make(out, g -> x.accumulate(g.mul(out.mul(out).rsubi(1))), x);
    }

    static Var relu(Var x) {
        INDArray out = Transforms.relu(x.value(), true);
        // the gradient passes where the output is positive: sign(out) is that mask (ND4J's relu_bp runs a
        // per-element std::function and costs several times more)
        return x.make(out, g -> x.accumulate(Transforms.sign(out, true).muli(g)), x);
    }

    /**
     * GELU in its sigmoid form {@code x·σ(1.702·x)} (ND4J's {@code gelu}). One transcendental pass:
     * the backward pass {@code σ + 1.702·x·σ(1−σ)} reuses the forward's σ. ND4J's own derivative op
     * recomputes it with {@code pow}, at twice the forward's cost.
     */
    static Var gelu(Var x) {
        if (RowKernels.applies(x.value())) {
            return RowKernels.gelu(x);
        }
        INDArray v = x.value();
        INDArray sig = Transforms.sigmoid(v.mul(1.702), false);
        INDArray out = v.mul(sig);
        return x.make(
                out,
                g -> {
                    INDArray d = sig.rsub(1).muli(v).muli(1.702).addi(1).muli(sig);
                    x.accumulate(d.muli(g));
                },
                x);
    }

    static Var softmax(Var x) {
        if (RowKernels.applies(x.value())) {
            return RowKernels.softmax(x);
        }
        INDArray v = x.value();
        INDArray out = Nd4j.exec((CustomOp) new SoftMax(v, v.ulike(), v.rank() - 1))[0];
        return x.make(
                out,
                g -> {
                    // dx = y ⊙ (g − Σ g⊙y)
                    INDArray dot = g.mul(out).sum(true, v.rank() - 1);
                    x.accumulate(g.sub(dot).muli(out));
                },
                x);
    }

    static Var logSoftmax(Var x) {
        INDArray v = x.value();
        INDArray out = Nd4j.exec((CustomOp) new LogSoftMax(v, v.rank() - 1))[0];
        return x.make(
                out,
                g -> {
                    // dx = g − softmax ⊙ Σ g
                    INDArray sum = g.sum(true, v.rank() - 1);
                    x.accumulate(g.sub(Transforms.exp(out, true).muli(sum)));
                },
                x);
    }

    private static void pass(Var to, INDArray g) {
        if (to.needsGrad()) {
            to.accumulate(Broadcasting.reduceTo(g, to.shape()));
        }
    }
}
