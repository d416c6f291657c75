package dev.distillery.tensor;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Sums, means and maxima, whole or over axes, and their derivative rules. */
final class Reductions {

    private Reductions() {}

    static Var sum(Var x) {
        INDArray v = x.value();
        return x.make(v.sum(), g -> x.accumulate(Nd4j.valueArrayOf(x.shape(), g.getDouble(0), v.dataType())), x);
    }

    static Var mean(Var x) {
        INDArray v = x.value();
        long n = v.length();
        return x.make(v.mean(), g -> x.accumulate(Nd4j.valueArrayOf(x.shape(), g.getDouble(0) / n, v.dataType())), x);
    }

    static Var sum(Var x, boolean keep, int... dims) {
        int[] d = dims(x, dims);
        return x.make(x.value().sum(keep, d), g -> x.accumulate(spread(x, g, d, 1.0)), x);
    }

    static Var mean(Var x, boolean keep, int... dims) {
        int[] d = dims(x, dims);
        long n = 1;
        for (int i : d) {
            n *= x.size(i);
        }
        double scale = 1.0 / n;
        return x.make(x.value().mean(keep, d), g -> x.accumulate(spread(x, g, d, scale)), x);
    }

    static Var maxDetached(Var x, boolean keep, int... dims) {
        return x.tape().constant(x.value().max(keep, dims(x, dims)));
    }

    /** The axes, negative ones counted from the end, in ascending order. */
    private static int[] dims(Var x, int[] dims) {
        int[] d = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            d[i] = dims[i] < 0 ? dims[i] + x.rank() : dims[i];
        }
        Arrays.sort(d);
        return d;
    }

    /** A reduced gradient broadcast back over the reduced dims, times {@code scale}. */
    private static INDArray spread(Var x, INDArray g, int[] d, double scale) {
        long[] keepShape = x.shape().clone();
        for (int i : d) {
            keepShape[i] = 1;
        }
        INDArray out = Nd4j.valueArrayOf(x.shape(), scale, x.value().dataType());
        return out.muli(g.reshape('c', keepShape));
    }
}
