package dev.distillery.tensor;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Matrix products, rank 2 or batched over leading axes (rank 3 and 4), transposes passed to BLAS as
 * flags rather than copied; and {@code x · w + b}, the product with a bias in one op.
 */
final class Products {

    private Products() {}

    static Var mmul(Var x, Var o) {
        x.same(o);
        INDArray out = Gemm.mm(x.value(), o.value(), false, false);
        return x.make(
                out,
                g -> {
                    if (x.needsGrad()) {
                        x.accumulate(Gemm.mm(g, o.value(), false, true));
                    }
                    if (o.needsGrad()) {
                        o.accumulate(Gemm.mm(x.value(), g, true, false));
                    }
                },
                x,
                o);
    }

    static Var mmulT(Var x, Var o) {
        x.same(o);
        INDArray out = Gemm.mm(x.value(), o.value(), false, true);
        return x.make(
                out,
                g -> {
                    if (x.needsGrad()) {
                        x.accumulate(Gemm.mm(g, o.value(), false, false));
                    }
                    if (o.needsGrad()) {
                        o.accumulate(Gemm.mm(g, x.value(), true, false));
                    }
                },
                x,
                o);
    }

    static Var tmmul(Var x, Var o) {
        x.same(o);
        INDArray out = Gemm.mm(x.value(), o.value(), true, false);
        return x.make(
                out,
                g -> {
                    if (x.needsGrad()) {
                        x.accumulate(Gemm.mm(o.value(), g, false, true));
                    }
                    if (o.needsGrad()) {
                        o.accumulate(Gemm.mm(x.value(), g, false, false));
                    }
                },
                x,
                o);
    }

    static Var linear(Var x, Var w, Var b) {
        x.same(w);
        x.same(b);
        INDArray bias = b.value();
        INDArray out = Gemm.mm(x.value(), w.value(), false, false).addiRowVector(bias.reshape(1, bias.length()));
        return x.make(
                out,
                g -> {
                    if (x.needsGrad()) {
                        x.accumulate(Gemm.mm(g, w.value(), false, true));
                    }
                    if (w.needsGrad()) {
                        w.accumulate(Gemm.mm(x.value(), g, true, false));
                    }
                    if (b.needsGrad()) {
                        b.accumulate(Broadcasting.columnSums(g).reshape('c', b.shape()));
                    }
                },
                x,
                w,
                b);
    }
}
