package dev.distillery.tensor;

import dev.distillery.backend.Rows;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Ops that move values without computing new ones: reshape, permute, slices and row lookups. */
final class Movement {

    private Movement() {}

    static Var reshape(Var x, long... newShape) {
        long[] from = x.shape();
        return x.make(x.value().reshape('c', newShape), g -> x.accumulate(g.reshape('c', from)), x);
    }

    static Var permute(Var x, int... order) {
        int[] inverse = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            inverse[order[i]] = i;
        }
        return x.make(x.value().permute(order), g -> x.accumulate(g.permute(inverse)), x);
    }

    static Var narrow(Var x, int axis, long start, long length) {
        if (start < 0 || length < 1 || start + length > x.size(axis)) {
            throw new IllegalArgumentException("narrow: " + start + " + " + length + " is outside axis " + axis + " of "
                    + Arrays.toString(x.shape()));
        }
        if (start == 0 && length == x.size(axis)) {
            return x;
        }
        INDArrayIndex[] idx = new INDArrayIndex[x.rank()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i == axis ? NDArrayIndex.interval(start, start + length) : NDArrayIndex.all();
        }
        INDArray out = x.value().get(idx).dup('c');
        return x.make(
                out,
                g -> {
                    INDArray full = Nd4j.zeros(x.value().dataType(), x.shape());
                    full.get(idx).assign(g);
                    x.accumulate(full);
                },
                x);
    }

    static Var rows(Var x, int[] ids) {
        if (x.rank() != 2) {
            throw new IllegalArgumentException("rows: needs a [V, D] table, got " + Arrays.toString(x.shape()));
        }
        long v = x.size(0);
        int d = (int) x.size(1);
        for (int id : ids) {
            if (id < 0 || id >= v) {
                throw new IllegalArgumentException("rows: id " + id + " is outside the table's " + v + " rows");
            }
        }
        INDArray out = Rows.gather(x.value(), ids);
        return x.make(out, g -> x.accumulate(scatterRows(g, ids, v, d, x.value().dataType())), x);
    }

    /**
     * The gradient of {@link #rows}: a {@code [v, d]} table of zeros in the table's own precision, each
     * row of {@code g} added into row {@code ids[i]}. Only the looked-up rows are touched, so this
     * costs the batch's tokens, not the vocabulary.
     */
    private static INDArray scatterRows(INDArray g, int[] ids, long v, int d, DataType type) {
        double[] gs = g.dup('c').data().asDouble();
        INDArray full = Nd4j.zeros(type, v, d);
        DataBuffer buf = full.data();
        for (int i = 0; i < ids.length; i++) {
            long base = (long) ids[i] * d;
            int from = i * d;
            for (int j = 0; j < d; j++) {
                buf.put(base + j, buf.getDouble(base + j) + gs[from + j]);
            }
        }
        return full;
    }
}
