package dev.distillery.tensor;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Matrix products for the tape. On the CPU backend, rank-2 products call OpenBLAS's
 * {@code cblas_sgemm}/{@code cblas_dgemm} directly, with transposes as flags: ND4J's matmul op
 * reaches about the same speed without transposes but half of it when the first operand is
 * transposed (as in every weight gradient, {@code xᵀ·g}). Batched products (rank 3 and 4) and other
 * backends use ND4J's matmul op.
 */
final class Gemm {

    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;
    private static final boolean CBLAS = detect();

    private Gemm() {}

    private static boolean detect() {
        try {
            // the CPU backend only (other backends keep arrays on their device), and only if OpenBLAS loads
            if (!Nd4j.getBackend().getClass().getName().toLowerCase(java.util.Locale.ROOT).contains("cpu")) {
                return false;
            }
            Class.forName("org.bytedeco.openblas.global.openblas");
            return true;
        } catch (Throwable t) {
            return false;
        }
    }

    /** {@code op(a) · op(b)}, where op transposes the last two axes when its flag is set. */
    static INDArray mm(INDArray a, INDArray b, boolean ta, boolean tb) {
        DataType type = a.dataType();
        if (!CBLAS || type != b.dataType() || (type != DataType.FLOAT && type != DataType.DOUBLE)) {
            return Nd4j.exec((CustomOp) new Mmul(a, b, ta, tb, false))[0];
        }
        if (a.rank() > 2 || b.rank() > 2) {
            return batched(a, b, ta, tb);
        }
        // a 'c' matrix is row-major as it is; an 'f' matrix is the row-major form of its transpose
        a = dense(a);
        b = dense(b);
        boolean fa = isF(a);
        boolean fb = isF(b);
        int m = (int) (ta ? a.size(1) : a.size(0));
        int k = (int) (ta ? a.size(0) : a.size(1));
        int n = (int) (tb ? b.size(0) : b.size(1));
        int kb = (int) (tb ? b.size(1) : b.size(0));
        if (k != kb) {
            throw new IllegalArgumentException("matrix product of " + java.util.Arrays.toString(a.shape()) + (ta ? "ᵀ" : "")
                    + " and " + java.util.Arrays.toString(b.shape()) + (tb ? "ᵀ" : "") + ": inner sizes " + k + " and " + kb
                    + " differ");
        }
        int transA = (ta ^ fa) ? TRANS : NO_TRANS;
        int transB = (tb ^ fb) ? TRANS : NO_TRANS;
        int lda = (int) (fa ? a.size(0) : a.size(1));
        int ldb = (int) (fb ? b.size(0) : b.size(1));
        INDArray c = Nd4j.createUninitialized(type, m, n);
        if (type == DataType.FLOAT) {
            org.bytedeco.openblas.global.openblas.cblas_sgemm(ROW_MAJOR, transA, transB, m, n, k, 1f,
                    new FloatPointer(a.data().addressPointer()), lda, new FloatPointer(b.data().addressPointer()), ldb, 0f,
                    new FloatPointer(c.data().addressPointer()), n);
        } else {
            org.bytedeco.openblas.global.openblas.cblas_dgemm(ROW_MAJOR, transA, transB, m, n, k, 1.0,
                    new DoublePointer(a.data().addressPointer()), lda, new DoublePointer(b.data().addressPointer()), ldb, 0.0,
                    new DoublePointer(c.data().addressPointer()), n);
        }
        return c;
    }

    /**
     * A batched product over equal leading axes, one BLAS call per matrix, read in place through the
     * operands' strides (a permuted view of heads needs no copy): about three times ND4J's matmul op
     * on attention-sized matrices.
     */
    private static INDArray batched(INDArray a, INDArray b, boolean ta, boolean tb) {
        int r = a.rank();
        if (b.rank() != r || !java.util.Arrays.equals(java.util.Arrays.copyOf(a.shape(), r - 2),
                java.util.Arrays.copyOf(b.shape(), r - 2))) {
            return Nd4j.exec((CustomOp) new Mmul(a, b, ta, tb, false))[0];
        }
        a = strided(a);
        b = strided(b);
        boolean fa = a.stride(r - 1) != 1;
        boolean fb = b.stride(r - 1) != 1;
        int m = (int) (ta ? a.size(r - 1) : a.size(r - 2));
        int k = (int) (ta ? a.size(r - 2) : a.size(r - 1));
        int n = (int) (tb ? b.size(r - 2) : b.size(r - 1));
        if (k != (tb ? b.size(r - 1) : b.size(r - 2))) {
            throw new IllegalArgumentException("batched product of " + java.util.Arrays.toString(a.shape()) + " and "
                    + java.util.Arrays.toString(b.shape()) + ": inner sizes differ");
        }
        int transA = (ta ^ fa) ? TRANS : NO_TRANS;
        int transB = (tb ^ fb) ? TRANS : NO_TRANS;
        int lda = (int) (fa ? a.stride(r - 1) : a.stride(r - 2));
        int ldb = (int) (fb ? b.stride(r - 1) : b.stride(r - 2));
        long[] outShape = a.shape().clone();
        outShape[r - 2] = m;
        outShape[r - 1] = n;
        DataType type = a.dataType();
        INDArray c = Nd4j.createUninitialized(type, outShape);
        long batches = c.length() / ((long) m * n);
        long[] lead = java.util.Arrays.copyOf(a.shape(), r - 2);
        long[] idx = new long[r - 2];
        boolean single = type == DataType.FLOAT;
        FloatPointer fpa = single ? new FloatPointer(a.data().addressPointer()) : null;
        FloatPointer fpb = single ? new FloatPointer(b.data().addressPointer()) : null;
        FloatPointer fpc = single ? new FloatPointer(c.data().addressPointer()) : null;
        DoublePointer dpa = single ? null : new DoublePointer(a.data().addressPointer());
        DoublePointer dpb = single ? null : new DoublePointer(b.data().addressPointer());
        DoublePointer dpc = single ? null : new DoublePointer(c.data().addressPointer());
        for (long i = 0; i < batches; i++) {
            long oa = 0;
            long ob = 0;
            for (int j = 0; j < idx.length; j++) {
                oa += idx[j] * a.stride(j);
                ob += idx[j] * b.stride(j);
            }
            long oc = i * m * n;
            if (single) {
                org.bytedeco.openblas.global.openblas.cblas_sgemm(ROW_MAJOR, transA, transB, m, n, k, 1f,
                        fpa.position(oa), lda, fpb.position(ob), ldb, 0f, fpc.position(oc), n);
            } else {
                org.bytedeco.openblas.global.openblas.cblas_dgemm(ROW_MAJOR, transA, transB, m, n, k, 1.0,
                        dpa.position(oa), lda, dpb.position(ob), ldb, 0.0, dpc.position(oc), n);
            }
            for (int j = idx.length - 1; j >= 0 && ++idx[j] == lead[j]; j--) {
                idx[j] = 0;
            }
        }
        return c;
    }

    /** {@code a} itself if each of its matrices is row- or column-major with unit stride, else a 'c' copy. */
    private static INDArray strided(INDArray a) {
        int r = a.rank();
        long rs = a.stride(r - 2);
        long cs = a.stride(r - 1);
        boolean rowMajor = cs == 1 && rs >= a.size(r - 1);
        boolean colMajor = rs == 1 && cs >= a.size(r - 2) && a.size(r - 2) > 1;
        return a.offset() == 0 && (rowMajor || colMajor) ? a : a.dup('c');
    }

    private static final java.util.Map<String, INDArray> ONES = new java.util.concurrent.ConcurrentHashMap<>();

    /** A row of {@code n} ones, kept outside any workspace and shared. */
    static INDArray ones(DataType type, long n) {
        return ONES.computeIfAbsent(type + ":" + n, k -> {
            try (org.nd4j.linalg.api.memory.MemoryWorkspace scope = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                return Nd4j.ones(type, 1, n);
            }
        });
    }

    private static boolean isF(INDArray a) {
        return a.stride(0) == 1 && a.stride(1) == a.size(0) && a.size(0) > 1;
    }

    private static boolean isC(INDArray a) {
        return a.stride(1) == 1 && a.stride(0) == a.size(1);
    }

    /** {@code a} itself if it is a dense 'c' or 'f' matrix from the start of its buffer, else a 'c' copy. */
    private static INDArray dense(INDArray a) {
        boolean ok = a.offset() == 0 && (isC(a) || isF(a)) && a.data().length() >= a.length();
        return ok ? a : a.dup('c');
    }
}
