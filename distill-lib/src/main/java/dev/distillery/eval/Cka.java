package dev.distillery.eval;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Linear centred kernel alignment between two representations of the same examples (rows), in
 * [0, 1]; 1 means the same geometry up to rotation and scale. Widths may differ, so it compares a
 * student's layer with a teacher's directly.
 */
public final class Cka {

    private Cka() {}

    /** {@code ‖Yᶜᵀ Xᶜ‖²_F / (‖Xᶜᵀ Xᶜ‖_F ‖Yᶜᵀ Yᶜ‖_F)} for {@code x} [N, Dx] and {@code y} [N, Dy], in double precision. */
    public static double linear(INDArray x, INDArray y) {
        if (x.rows() != y.rows()) {
            throw new IllegalArgumentException(
                    "CKA compares the same examples: " + x.rows() + " rows against " + y.rows());
        }
        INDArray xc = x.castTo(DataType.DOUBLE).reshape('c', x.rows(), x.length() / x.rows());
        INDArray yc = y.castTo(DataType.DOUBLE).reshape('c', y.rows(), y.length() / y.rows());
        xc = xc.subRowVector(xc.mean(0));
        yc = yc.subRowVector(yc.mean(0));
        double xy = squaredNorm(yc.transpose().mmul(xc));
        double xx = Math.sqrt(squaredNorm(xc.transpose().mmul(xc)));
        double yy = Math.sqrt(squaredNorm(yc.transpose().mmul(yc)));
        return xy / (xx * yy);
    }

    private static double squaredNorm(INDArray a) {
        double n = a.norm2Number().doubleValue();
        return n * n;
    }
}
