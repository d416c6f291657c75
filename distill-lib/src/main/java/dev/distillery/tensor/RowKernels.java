package dev.distillery.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * GELU, layer norm and softmax as single tape ops on float arrays, forward and backward in one pass
 * each through {@link VectorKernels}, instead of chains of ND4J ops (layer norm was nine ops forward
 * and eleven back). {@link #applies} says when: float values, and a JVM started with {@code
 * --add-modules=jdk.incubator.vector} (as the launcher, the kernelspec and the tests start theirs:
 * {@link dev.distillery.backend.JvmDefaults}), unless the system property {@code distillery.vector} is
 * {@code false}. Elsewhere (doubles, as in the gradient
 * checks, or a JVM without the module) the ops run as ND4J chains; {@code TapeTest} checks that both
 * give the same values and gradients.
 */
final class RowKernels {

    /** Whether the Vector API is in this JVM and not switched off. */
    static final boolean AVAILABLE =
            ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
                    && !"false".equals(System.getProperty("distillery.vector"));

    private RowKernels() {}

    /** Whether the fused kernels take these values: all floats, with the Vector API present. */
    static boolean applies(INDArray... values) {
        if (!AVAILABLE) {
            return false;
        }
        for (INDArray v : values) {
            if (v.dataType() != DataType.FLOAT) {
                return false;
            }
        }
        return true;
    }

    static Var gelu(Var x) {
        INDArray v = contiguous(x.value());
        int n = (int) v.length();
        INDArray sig = like(v);
        INDArray out = like(v);
        VectorKernels.gelu(bytes(v), bytes(sig), bytes(out), n);
        return x.make(
                out,
                g -> {
                    INDArray gc = contiguous(g);
                    INDArray dx = like(v);
                    VectorKernels.geluBackward(bytes(gc), bytes(v), bytes(sig), bytes(dx), n);
                    keep(gc);
                    x.accumulate(dx);
                },
                x);
    }

    static Var layerNorm(Var x, Var gain, Var bias) {
        INDArray v = contiguous(x.value());
        INDArray gv = contiguous(gain.value());
        int d = (int) v.size(v.rank() - 1);
        int rows = (int) (v.length() / d);
        INDArray xhat = like(v);
        INDArray out = like(v);
        float[] inv = new float[rows];
        INDArray bv = contiguous(bias.value());
        VectorKernels.layerNorm(bytes(v), bytes(gv), bytes(bv), rows, d, bytes(xhat), inv, bytes(out));
        keep(bv);
        return x.make(
                out,
                g -> {
                    INDArray gc = contiguous(g);
                    INDArray dx = x.needsGrad() ? like(v) : null;
                    float[] dgain = new float[d];
                    float[] dbias = new float[d];
                    VectorKernels.layerNormBackward(
                            bytes(gc),
                            bytes(xhat),
                            inv,
                            bytes(gv),
                            rows,
                            d,
                            dx == null ? null : bytes(dx),
                            dgain,
                            dbias);
                    keep(gc);
                    if (dx != null) {
                        x.accumulate(dx);
                    }
                    if (gain.needsGrad()) {
                        gain.accumulate(Nd4j.create(dgain, gain.shape(), DataType.FLOAT));
                    }
                    if (bias.needsGrad()) {
                        bias.accumulate(Nd4j.create(dbias, bias.shape(), DataType.FLOAT));
                    }
                },
                x,
                gain,
                bias);
    }

    static Var softmax(Var x) {
        INDArray v = contiguous(x.value());
        int d = (int) v.size(v.rank() - 1);
        int rows = (int) (v.length() / d);
        INDArray out = like(v);
        VectorKernels.softmax(bytes(v), rows, d, bytes(out));
        return x.make(
                out,
                g -> {
                    INDArray dx = like(v);
                    INDArray gc = contiguous(g);
                    VectorKernels.softmaxBackward(bytes(gc), bytes(out), rows, d, bytes(dx));
                    keep(gc);
                    x.accumulate(dx);
                },
                x);
    }

    /** {@code a} itself when its values lie in c order from its buffer's start; else a c-order copy. */
    private static INDArray contiguous(INDArray a) {
        return a.ordering() == 'c' && a.offset() == 0 && Shape.hasDefaultStridesForShape(a) ? a : a.dup('c');
    }

    /** A new float array shaped like {@code a}, in the current workspace if one is open; values unset. */
    private static INDArray like(INDArray a) {
        return Nd4j.createUninitialized(DataType.FLOAT, a.shape(), 'c');
    }

    /**
     * Keeps {@code a} reachable until here. {@link #bytes} views its memory without holding the array;
     * an array used only through such a view (a copy made for the kernel) could otherwise be collected,
     * and its memory freed, while the kernel still reads it.
     */
    private static void keep(INDArray a) {
        java.lang.ref.Reference.reachabilityFence(a);
    }

    /** The array's memory as bytes in native order; keep the array reachable while the bytes are used. */
    private static ByteBuffer bytes(INDArray a) {
        return a.data().asNio().order(ByteOrder.nativeOrder());
    }
}
