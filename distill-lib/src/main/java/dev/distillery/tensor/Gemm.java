package dev.distillery.tensor;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Matrix products for the tape. On the CPU backend, large single float products go to ND4J's
 * matmul op (oneDNN's GEMM, about twice OpenBLAS's speed there on an AVX-512 CPU); the rest call
 * OpenBLAS's {@code cblas_sgemm} / {@code cblas_dgemm} directly, with transposes as flags and
 * batches as one call per matrix. Other backends, and operands BLAS cannot read in place, use the
 * matmul op.
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
            if (!Nd4j.getBackend()
                    .getClass()
                    .getName()
                    .toLowerCase(java.util.Locale.ROOT)
                    .contains("cpu")) {
                return false;
            }
            Class.forName("org.bytedeco.openblas.global.openblas");
            return true;
        } catch (Throwable t) {
            return false;
        }
    }

    /**
     * {@code op(a) · op(b)}, where op transposes the last two axes when its flag is set; operands of
     * rank 3 and 4 are batches of matrices over equal leading axes.
     */
    static INDArray mm(INDArray a, INDArray b, boolean ta, boolean tb) {
        DataType type = a.dataType();
        int r = a.rank();
        if (!CBLAS
                || r < 2
                || type != b.dataType()
                || (type != DataType.FLOAT && type != DataType.DOUBLE)
                || b.rank() != r
                || !java.util.Arrays.equals(
                        java.util.Arrays.copyOf(a.shape(), r - 2), java.util.Arrays.copyOf(b.shape(), r - 2))) {
            return Nd4j.exec((CustomOp) new Mmul(a, b, ta, tb, false))[0];
        }
        if (matmulOpFaster(a, b, ta, tb)) {
            // oneDNN's GEMM where it measured faster; float only, the type it was measured in
            return Nd4j.exec((CustomOp) new Mmul(a, b, ta, tb, false))[0];
        }
        return blas(a, b, ta, tb);
    }

    /** Multiply-adds from which a single product goes to ND4J's matmul op; below it, OpenBLAS. */
    static final long MATMUL_OP_MIN_MACS = 8_000_000;

    /**
     * Whether ND4J's matmul op (oneDNN's GEMM on the CPU backend) beats OpenBLAS for this product:
     * single whole row-major float matrices of at least {@link #MATMUL_OP_MIN_MACS} multiply-adds. Measured
     * at one thread on the development machine's AVX-512 CPU, where the bundled OpenBLAS runs its
     * AVX2 kernels (op against OpenBLAS): 128×800·800×800 0.90 against 1.86 ms, 2048×128·128×512
     * 1.47 against 3.00, 784×128ᵀ·128×256 0.47 against 0.61, 2048×128·(512×128)ᵀ 1.54 against 2.79;
     * at parity for 128×800·(800×800)ᵀ (2.01 against 1.94) and 128×192·192×192. Smaller products
     * lose to the op's fixed cost (128×256·256×10: 0.127 against 0.047 ms), and batches of
     * attention-sized matrices by 1.4×, so those stay with OpenBLAS.
     */
    static boolean matmulOpFaster(INDArray a, INDArray b, boolean ta, boolean tb) {
        if (a.rank() != 2 || a.dataType() != DataType.FLOAT || !rowMajorWhole(a) || !rowMajorWhole(b)) {
            return false;
        }
        long m = ta ? a.size(1) : a.size(0);
        return m * (ta ? a.size(0) : a.size(1)) * (tb ? b.size(0) : b.size(1)) >= MATMUL_OP_MIN_MACS;
    }

    private static boolean rowMajorWhole(INDArray a) {
        return a.ordering() == 'c' && a.offset() == 0 && !a.isView();
    }

    /**
     * One BLAS call per matrix, read in place through the operands' strides: a row-major matrix as
     * it is, a column-major one (an 'f' array, a permuted view of heads) as the row-major form of
     * its transpose, so neither needs a copy. About three times ND4J's matmul op on attention-sized
     * matrices, and as fast as it on large ones, transposed or not.
     */
    private static INDArray blas(INDArray a, INDArray b, boolean ta, boolean tb) {
        int r = a.rank();
        a = strided(a);
        b = strided(b);
        boolean fa = a.stride(r - 1) != 1;
        boolean fb = b.stride(r - 1) != 1;
        int m = (int) (ta ? a.size(r - 1) : a.size(r - 2));
        int k = (int) (ta ? a.size(r - 2) : a.size(r - 1));
        int n = (int) (tb ? b.size(r - 2) : b.size(r - 1));
        int kb = (int) (tb ? b.size(r - 1) : b.size(r - 2));
        if (k != kb) {
            throw new IllegalArgumentException(
                    "matrix product of " + java.util.Arrays.toString(a.shape()) + (ta ? "ᵀ" : "")
                            + " and " + java.util.Arrays.toString(b.shape()) + (tb ? "ᵀ" : "") + ": inner sizes " + k
                            + " and " + kb
                            + " differ");
        }
        int transA = (ta ^ fa) ? TRANS : NO_TRANS;
        int transB = (tb ^ fb) ? TRANS : NO_TRANS;
        int lda = leading(a, fa);
        int ldb = leading(b, fb);
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
                org.bytedeco.openblas.global.openblas.cblas_sgemm(
                        ROW_MAJOR,
                        transA,
                        transB,
                        m,
                        n,
                        k,
                        1f,
                        fpa.position(oa),
                        lda,
                        fpb.position(ob),
                        ldb,
                        0f,
                        fpc.position(oc),
                        n);
            } else {
                org.bytedeco.openblas.global.openblas.cblas_dgemm(
                        ROW_MAJOR,
                        transA,
                        transB,
                        m,
                        n,
                        k,
                        1.0,
                        dpa.position(oa),
                        lda,
                        dpb.position(ob),
                        ldb,
                        0.0,
                        dpc.position(oc),
                        n);
            }
            for (int j = idx.length - 1; j >= 0 && ++idx[j] == lead[j]; j--) {
                idx[j] = 0;
            }
        }
        // the pointers hold addresses, not the arrays: an operand BLAS reads (a copy made above, say) must not be
        // collected, and its memory freed, before the calls are done
        java.lang.ref.Reference.reachabilityFence(a);
        java.lang.ref.Reference.reachabilityFence(b);
        return c;
    }

    /**
     * {@code a} itself if each of its matrices is row- or column-major with unit stride, else a 'c'
     * copy. A single row (or column) is read whatever its other stride says: ND4J gives a
     * {@code [1, n]} row strides {@code [1, 1]}.
     */
    private static INDArray strided(INDArray a) {
        int r = a.rank();
        long rows = a.size(r - 2);
        long cols = a.size(r - 1);
        long rs = a.stride(r - 2);
        long cs = a.stride(r - 1);
        boolean rowMajor = cs == 1 && (rs >= cols || rows == 1);
        boolean colMajor = rs == 1 && (cs >= rows || cols == 1) && rows > 1;
        return a.offset() == 0 && (rowMajor || colMajor) ? a : a.dup('c');
    }

    /** The leading dimension BLAS reads a matrix with: its outer stride, at least the length of a row (column). */
    private static int leading(INDArray a, boolean columnMajor) {
        int r = a.rank();
        return (int)
                (columnMajor ? Math.max(a.stride(r - 1), a.size(r - 2)) : Math.max(a.stride(r - 2), a.size(r - 1)));
    }

    private static final java.util.Map<String, INDArray> ONES = new java.util.concurrent.ConcurrentHashMap<>();

    /** A row of {@code n} ones, kept outside any workspace and shared. */
    @SuppressWarnings("try") // the scope is entered for its effect: the array is made outside every workspace
    static INDArray ones(DataType type, long n) {
        return ONES.computeIfAbsent(type + ":" + n, k -> {
            try (org.nd4j.linalg.api.memory.MemoryWorkspace scope =
                    Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                return Nd4j.ones(type, 1, n);
            }
        });
    }
}
