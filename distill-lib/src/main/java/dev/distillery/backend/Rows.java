package dev.distillery.backend;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Rows picked out of an array ({@code out[i] = a[rows[i]]} along the first axis) by one memory copy
 * per row. ND4J's {@code pullRows} builds tensor-along-dimension shape buffers and copies element by
 * element: for a training batch of 128 Fashion-MNIST rows that was a tenth of a {@code kd-mlp-256}
 * step on the bench, where copying the rows costs microseconds.
 */
public final class Rows {

    private Rows() {}

    /**
     * {@code a}'s rows {@code rows}, in that order, in a new array (of {@code a}'s type, in the current
     * workspace if one is open) shaped like {@code a} with {@code rows.length} rows; arrays whose rows
     * are not contiguous go through ND4J's {@code pullRows}.
     */
    public static INDArray gather(INDArray a, int[] rows) {
        if (a.rank() < 2 || a.ordering() != 'c' || !Shape.hasDefaultStridesForShape(a) || a.isEmpty()) {
            return Nd4j.pullRows(a, 1, rows);
        }
        long n = a.size(0);
        long[] shape = a.shape().clone();
        shape[0] = rows.length;
        INDArray out = Nd4j.createUninitialized(a.dataType(), shape, 'c');
        long rowBytes = a.length() / n * a.dataType().width();
        // a buffer's address is its array's first element, a view's included
        BytePointer from = new BytePointer(a.data().addressPointer());
        BytePointer to = new BytePointer(out.data().addressPointer());
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] < 0 || rows[i] >= n) {
                throw new IndexOutOfBoundsException("row " + rows[i] + " of an array with " + n + " rows");
            }
            Pointer.memcpy(to.position(i * rowBytes), from.position(rows[i] * rowBytes), rowBytes);
        }
        // the pointers hold addresses, not the arrays: without this, the collector may free a's memory mid-copy
        java.lang.ref.Reference.reachabilityFence(a);
        return out;
    }
}
