package dev.distillery.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.backend.Backend;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.Network;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The hand-written backward passes: every op's gradient against central finite differences (in
 * double precision), the layers' gradients against SameDiff's, and whole networks' parameter
 * gradients against finite differences.
 */
class TapeTest {

    @BeforeAll
    static void start() {
        Backend.start(1);
    }

    private static INDArray rand(Random r, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextGaussian();
        }
        return Nd4j.create(v, shape, DataType.DOUBLE);
    }

    /** Which elements of each input a gradient check compares with finite differences. */
    enum Coverage {
        /** Every element: per-op checks, whose inputs are small. */
        EVERY_ELEMENT,
        /**
         * At least one element in every row and every column of each input (seen as a matrix {@code
         * [prod(leading axes), last axis]}; every element of a vector): whole-network checks, whose
         * weight matrices have thousands of elements.
         */
        EVERY_ROW_AND_COLUMN
    }

    /** {@link #check(String, Coverage, Function, INDArray...)} on every element of every input. */
    static void check(String what, Function<List<Var>, Var> f, INDArray... inputs) {
        check(what, Coverage.EVERY_ELEMENT, f, inputs);
    }

    /**
     * Checks the gradient of {@code sum(f(inputs) ⊙ R)} (R fixed and random, so every output
     * element matters differently) with respect to the inputs' elements that {@code coverage}
     * names, against central differences.
     */
    static void check(String what, Coverage coverage, Function<List<Var>, Var> f, INDArray... inputs) {
        Random r = new Random(what.hashCode());
        Tape tape = new Tape();
        List<Var> vars = new ArrayList<>();
        for (INDArray in : inputs) {
            vars.add(tape.param(in.dup()));
        }
        Var out = f.apply(vars);
        INDArray weights = rand(r, out.shape());
        Var loss = out.mul(tape.constant(weights)).sum();
        tape.backward(loss);
        double h = 1e-6;
        for (int k = 0; k < inputs.length; k++) {
            INDArray g = vars.get(k).grad();
            assertNotNull(g, what + ": input " + k + " got no gradient");
            assertArrayEquals(inputs[k].shape(), g.shape(), what + ": gradient shape of input " + k);
            INDArray flatG = g.dup('c').reshape(g.length());
            for (long i : elements(inputs[k].shape(), coverage)) {
                double fd = (value(f, inputs, weights, k, i, h) - value(f, inputs, weights, k, i, -h)) / (2 * h);
                double an = flatG.getDouble(i);
                assertEquals(fd, an, 1e-6 + 1e-5 * Math.abs(fd), what + ": d/d input" + k + "[" + i + "]");
            }
        }
    }

    /** The c-order indices of the elements {@code coverage} asks for in an array of {@code shape}. */
    static long[] elements(long[] shape, Coverage coverage) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (coverage == Coverage.EVERY_ELEMENT || shape.length < 2) {
            return java.util.stream.LongStream.range(0, n).toArray();
        }
        long cols = shape[shape.length - 1];
        long rows = n / cols;
        // a wrapped diagonal: element (i mod rows, i mod cols) for i < max(rows, cols) meets every row and every column
        return java.util.stream.LongStream.range(0, Math.max(rows, cols))
                .map(i -> (i % rows) * cols + i % cols)
                .toArray();
    }

    private static double value(
            Function<List<Var>, Var> f, INDArray[] inputs, INDArray weights, int k, long i, double h) {
        Tape tape = Tape.inference();
        List<Var> vars = new ArrayList<>();
        for (int j = 0; j < inputs.length; j++) {
            INDArray v = inputs[j].dup('c');
            if (j == k) {
                v.data().put(i, v.data().getDouble(i) + h);
            }
            vars.add(tape.constant(v));
        }
        return f.apply(vars).mul(tape.constant(weights)).sum().item();
    }

    @Test
    void elementwiseOpsAndBroadcasting() {
        Random r = new Random(1);
        INDArray a = rand(r, 3, 4);
        INDArray row = rand(r, 1, 4);
        INDArray vec = rand(r, 4);
        INDArray pos = rand(r, 3, 4).mul(rand(r, 3, 4)).addi(0.5); // away from zero for log, sqrt, abs
        pos = org.nd4j.linalg.ops.transforms.Transforms.abs(pos).addi(0.3);
        check("add broadcast row", v -> v.get(0).add(v.get(1)), a, row);
        check("add broadcast rank-1", v -> v.get(0).add(v.get(1)), a, vec);
        // the smaller operand broadcast along a trailing or middle axis, not only along leading ones
        INDArray col = rand(r, 3, 1);
        INDArray posCol =
                org.nd4j.linalg.ops.transforms.Transforms.abs(rand(r, 3, 1)).addi(0.5);
        check("add broadcast column", v -> v.get(0).add(v.get(1)), a, col);
        check("sub broadcast column", v -> v.get(0).sub(v.get(1)), a, col);
        check("sub broadcast column, larger on the right", v -> v.get(1).sub(v.get(0)), a, col);
        check("mul broadcast column", v -> v.get(0).mul(v.get(1)), a, col);
        check("div broadcast column", v -> v.get(0).div(v.get(1)), a, posCol);
        check("div by a broadcast matrix", v -> v.get(1).div(v.get(0)), pos, col);
        INDArray cube = rand(r, 2, 3, 4);
        check("mul broadcast middle axis", v -> v.get(0).mul(v.get(1)), cube, rand(r, 2, 1, 4));
        check("add broadcast last axis of rank 3", v -> v.get(0).add(v.get(1)), cube, rand(r, 2, 3, 1));
        check("mul broadcast first and last axes", v -> v.get(0).mul(v.get(1)), cube, rand(r, 1, 3, 1));
        check("sub broadcast rank-2 into rank 3", v -> v.get(0).sub(v.get(1)), cube, rand(r, 3, 1));
        check("sub", v -> v.get(0).sub(v.get(1)), a, row);
        check("mul", v -> v.get(0).mul(v.get(1)), a, row);
        check("div", v -> v.get(0).div(v.get(1)), a, pos);
        check("scalars", v -> v.get(0).add(2).mul(3).rsub(1).div(4).neg(), a);
        check("square", v -> v.get(0).square(), a);
        check("sqrt", v -> v.get(0).sqrt(), pos);
        check("exp", v -> v.get(0).exp(), a);
        check("log", v -> v.get(0).log(), pos);
        check(
                "abs",
                v -> v.get(0).abs(),
                pos.mul(-1)
                        .addi(rand(r, 3, 4)
                                .gt(0)
                                .castTo(DataType.DOUBLE)
                                .muli(2)
                                .muli(pos)));
        check("sigmoid", v -> v.get(0).sigmoid(), a);
        check("tanh", v -> v.get(0).tanh(), a);
        check("relu", v -> v.get(0).relu(), pos.sub(0.9));
        check("gelu", v -> v.get(0).gelu(), a);
    }

    @Test
    void softmaxReductionsAndShapes() {
        Random r = new Random(2);
        INDArray x = rand(r, 2, 3, 5);
        check("softmax last axis", v -> v.get(0).softmax(), x);
        check("logSoftmax last axis", v -> v.get(0).logSoftmax(), x);
        check("sum all", v -> v.get(0).sum(), x);
        check("mean all", v -> v.get(0).mean(), x);
        check("sum keep", v -> v.get(0).sum(true, 2), x);
        check("sum two dims", v -> v.get(0).sum(false, 0, 2), x);
        check("mean negative dim", v -> v.get(0).mean(false, -1), x);
        check("reshape", v -> v.get(0).reshape(6, 5), x);
        check("permute", v -> v.get(0).permute(2, 0, 1), x);
        check("column", v -> v.get(0).reshape(6, 5).column(3), x);
        check(
                "log-sum-exp with a detached max",
                v -> {
                    Var m = v.get(0).maxDetached(true, 2);
                    return v.get(0).sub(m).exp().sum(true, 2).log().add(m);
                },
                x);
    }

    /**
     * Slices whose length leaves a remainder, on every axis: the time reduction of strided speech
     * students (98 frames at stride 4 use the first 96) and the teacher targets averaged to their rate.
     */
    @Test
    void narrowWithRemaindersOnEveryAxis() {
        Random r = new Random(6);
        INDArray x = rand(r, 2, 7, 5);
        check("narrow first axis", v -> v.get(0).narrow(0, 1, 1), x);
        check("narrow middle axis, remainder at the end", v -> v.get(0).narrow(1, 0, 6), x);
        check("narrow middle axis, inside", v -> v.get(0).narrow(1, 2, 4), x);
        check("narrow last axis", v -> v.get(0).narrow(2, 1, 3), x);
        check("narrow rank 4, third axis", v -> v.get(0).narrow(2, 3, 2), rand(r, 2, 3, 5, 4));
        // 7 positions at stride 2 or 3: the first 6 are averaged in groups, the seventh is dropped
        check(
                "time reduction by 2 with a remainder",
                v -> v.get(0).narrow(1, 0, 6).reshape(2, 3, 2, 5).mean(false, 2),
                x);
        check(
                "time reduction by 3 with a remainder",
                v -> v.get(0).narrow(1, 0, 6).reshape(2, 2, 3, 5).mean(false, 2),
                x);
        check(
                "two narrows of one value",
                v -> v.get(0).narrow(1, 0, 3).add(v.get(0).narrow(1, 4, 3)),
                x);
    }

    /** The embedding lookup, in double precision: exactly a one-hot product, gradients included. */
    @Test
    void rowsLookupIsAOneHotProductInDoublePrecision() {
        Random r = new Random(7);
        INDArray table = rand(r, 6, 4);
        int[] ids = {2, 5, 2, 0, 2};
        check("rows", v -> v.get(0).rows(ids), table);
        INDArray oneHot = Nd4j.zeros(DataType.DOUBLE, ids.length, 6);
        for (int i = 0; i < ids.length; i++) {
            oneHot.putScalar(i, ids[i], 1.0);
        }
        INDArray weights = rand(r, ids.length, 4).muli(1.0 / 3);
        same(
                "rows against a one-hot product",
                v -> v.get(0).rows(ids).mul(v.get(0).tape().constant(weights)).sum(),
                v -> v.get(0)
                        .tape()
                        .constant(oneHot)
                        .mmul(v.get(0))
                        .mul(v.get(0).tape().constant(weights))
                        .sum(),
                table);
        Tape tape = new Tape();
        Var t = tape.param(table.dup());
        tape.backward(t.rows(ids).mul(tape.constant(weights)).sum());
        assertEquals(DataType.DOUBLE, t.grad().dataType(), "a double table gets a double gradient");
    }

    @Test
    void productsLinearNormConvolutionAndPooling() {
        Random r = new Random(3);
        check("mmul", v -> v.get(0).mmul(v.get(1)), rand(r, 3, 4), rand(r, 4, 2));
        check("mmulT", v -> v.get(0).mmulT(v.get(1)), rand(r, 3, 4), rand(r, 5, 4));
        check("tmmul", v -> v.get(0).tmmul(v.get(1)), rand(r, 4, 3), rand(r, 4, 2));
        check("batched mmul rank 3", v -> v.get(0).mmul(v.get(1)), rand(r, 2, 3, 4), rand(r, 2, 4, 5));
        check("batched mmulT rank 4", v -> v.get(0).mmulT(v.get(1)), rand(r, 2, 2, 3, 4), rand(r, 2, 2, 5, 4));
        check(
                "batched mmul of permuted views",
                v -> v.get(0).permute(0, 2, 1, 3).mmul(v.get(1).permute(0, 2, 3, 1)),
                rand(r, 2, 3, 2, 4),
                rand(r, 2, 5, 2, 4));
        check(
                "linear, row bias",
                v -> v.get(0).linear(v.get(1), v.get(2)),
                rand(r, 5, 4),
                rand(r, 4, 3),
                rand(r, 1, 3));
        check(
                "linear, rank-1 bias",
                v -> v.get(0).linear(v.get(1), v.get(2)),
                rand(r, 5, 4),
                rand(r, 4, 3),
                rand(r, 3));
        check("layerNorm", v -> v.get(0).layerNorm(v.get(1), v.get(2)), rand(r, 2, 3, 6), rand(r, 6), rand(r, 6));
        check(
                "conv2d same",
                v -> v.get(0).conv2d(v.get(1), v.get(2)),
                rand(r, 2, 2, 6, 6),
                rand(r, 3, 3, 2, 4),
                rand(r, 4));
        check("maxPool 2", v -> v.get(0).maxPool(2), rand(r, 2, 3, 6, 6));
    }

    /**
     * The float kernels of GELU, layer norm and softmax (Vector API, one pass each way) give the values
     * and gradients of the double-precision ND4J chains that the finite-difference checks above cover:
     * rows whose width is a multiple of the vector length, rows with a remainder, rank-3 and rank-4
     * inputs, and an input that is a permuted view; inside a training step's workspace, as in training.
     */
    @Test
    void fusedFloatKernelsEqualTheCheckedDoubleChains() {
        assertTrue(RowKernels.AVAILABLE, "the tests run with --add-modules jdk.incubator.vector (pom.xml's argLine)");
        Random r = new Random(9);
        for (long d : new long[] {16, 37, 128}) {
            same("gelu d=" + d, v -> v.get(0).gelu(), rand(r, 5, d).muli(3));
            same("softmax d=" + d, v -> v.get(0).softmax(), rand(r, 3, 4, d).muli(4));
            same(
                    "layerNorm d=" + d,
                    v -> v.get(0).layerNorm(v.get(1), v.get(2)),
                    rand(r, 2, 7, d).muli(2).addi(1),
                    rand(r, d),
                    rand(r, d));
        }
        same("softmax of a permuted view", v -> v.get(0).permute(0, 2, 1, 3).softmax(), rand(r, 2, 3, 4, 19));
        same("gelu of a transposed view", v -> v.get(0).permute(1, 0).gelu(), rand(r, 6, 21));
    }

    /**
     * Float products large enough to go to ND4J's matmul op (oneDNN) give the values and gradients
     * of the double products OpenBLAS computes, transposed or not; small and double products stay
     * with OpenBLAS.
     */
    @Test
    void largeFloatProductsThroughTheMatmulOpEqualTheDoubleProducts() {
        Random r = new Random(11);
        INDArray a = rand(r, 128, 400);
        INDArray b = rand(r, 400, 256);
        INDArray bt = rand(r, 256, 400);
        INDArray at = rand(r, 400, 128);
        INDArray af = a.castTo(DataType.FLOAT);
        assertTrue(Gemm.matmulOpFaster(af, b.castTo(DataType.FLOAT), false, false), "128×400·400×256 takes the op");
        assertTrue(Gemm.matmulOpFaster(af, bt.castTo(DataType.FLOAT), false, true), "128×400·(256×400)ᵀ takes the op");
        assertFalse(Gemm.matmulOpFaster(a, b, false, false), "a double product stays with OpenBLAS");
        assertFalse(
                Gemm.matmulOpFaster(af, rand(r, 400, 10).castTo(DataType.FLOAT), false, false),
                "128×400·400×10 stays with OpenBLAS");
        same("mmul through the op", v -> v.get(0).mmul(v.get(1)), a, b);
        same("mmulT through the op", v -> v.get(0).mmulT(v.get(1)), a, bt);
        same("tmmul through the op", v -> v.get(0).tmmul(v.get(1)), at, b);
    }

    /** {@code f} on float inputs (the fused kernels) against {@code f} on doubles (the ND4J chains). */
    @SuppressWarnings("try") // the workspace is entered for its scope: the float pass's arrays live in it
    private static void same(String what, Function<List<Var>, Var> f, INDArray... inputs) {
        INDArray[] reference = run(f, inputs);
        INDArray[] fused;
        try (Memory.Pass pass = Memory.open()) {
            INDArray[] floats = new INDArray[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                floats[i] = inputs[i].castTo(DataType.FLOAT);
            }
            fused = run(f, floats);
            for (int i = 0; i < fused.length; i++) {
                fused[i] = fused[i].detach();
            }
        }
        for (int i = 0; i < reference.length; i++) {
            INDArray a = reference[i];
            INDArray b = fused[i].castTo(DataType.DOUBLE);
            assertEquals(DataType.FLOAT, fused[i].dataType(), what + ": float in, float out");
            assertArrayEquals(a.shape(), b.shape(), what + ": shape of output " + i);
            double scale = Math.max(1, a.amaxNumber().doubleValue());
            double diff = a.sub(b).amaxNumber().doubleValue();
            assertTrue(
                    diff < 2e-5 * scale,
                    what + ": " + (i == 0 ? "value" : "gradient of input " + (i - 1))
                            + " differs from the double chain by " + diff);
        }
    }

    /** The output of {@code f} and the gradients of {@code sum(f ⊙ W)} for a fixed random W. */
    private static INDArray[] run(Function<List<Var>, Var> f, INDArray[] inputs) {
        Tape tape = new Tape();
        List<Var> vars = new ArrayList<>();
        for (INDArray in : inputs) {
            vars.add(tape.param(in.dup()));
        }
        Var out = f.apply(vars);
        INDArray w = rand(new Random(17), out.shape()).castTo(out.value().dataType());
        tape.backward(out.mul(tape.constant(w)).sum());
        INDArray[] result = new INDArray[inputs.length + 1];
        result[0] = out.value();
        for (int i = 0; i < inputs.length; i++) {
            result[i + 1] = vars.get(i).grad();
        }
        return result;
    }

    /** The fused logit losses against the same losses written as chains of primitive ops, and finite differences. */
    @Test
    void fusedLogitLossesEqualTheirPrimitiveForms() {
        Random r = new Random(5);
        INDArray z = rand(r, 6, 4).muli(3);
        INDArray t = rand(r, 6, 4).muli(3);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 6, 4);
        for (int i = 0; i < 6; i++) {
            y.putScalar(i, (i * 7) % 4, 1.0);
        }
        INDArray soft = org.nd4j.linalg.ops.transforms.Transforms.softmax(rand(r, 6, 4), true);
        INDArray mask = Nd4j.create(new double[] {1, 0, 1, 1, 0, 1}, new long[] {6, 1}, DataType.DOUBLE);
        for (INDArray targets : List.of(y, soft)) {
            Function<List<Var>, Var> fused = v -> FusedLosses.maskedCrossEntropy(
                    v.get(0), v.get(1), v.get(0).tape().constant(mask));
            Function<List<Var>, Var> primitive = v -> {
                Var m = v.get(0).tape().constant(mask);
                return v.get(0)
                        .logSoftmax()
                        .mul(v.get(1))
                        .sum(true, 1)
                        .neg()
                        .mul(m)
                        .sum()
                        .div(m.sum().add(1e-8));
            };
            check("masked cross-entropy", fused, z, targets);
            same("masked cross-entropy", fused, primitive, z, targets);
        }
        for (double temp : new double[] {1, 4}) {
            Function<List<Var>, Var> fused = v -> FusedLosses.softKl(v.get(0), v.get(1), temp);
            Function<List<Var>, Var> primitive = v -> {
                Var ls = v.get(0).div(temp).logSoftmax();
                Var lt = v.get(1).div(temp).logSoftmax();
                return lt.exp().mul(lt.sub(ls)).sum(false, 1).mean().mul(temp * temp);
            };
            check("soft KL T=" + temp, fused, z, t);
            same("soft KL T=" + temp, fused, primitive, z, t);
        }
    }

    /** Two formulations give the same value and the same gradients for every input. */
    static void same(String what, Function<List<Var>, Var> f, Function<List<Var>, Var> g, INDArray... inputs) {
        INDArray[] a = valueAndGrads(f, inputs);
        INDArray[] b = valueAndGrads(g, inputs);
        for (int i = 0; i < a.length; i++) {
            // in double: a float result minus a double one would be rounded to float first, hiding the difference
            double diff = a[i].castTo(DataType.DOUBLE)
                    .sub(b[i].castTo(DataType.DOUBLE))
                    .norm2Number()
                    .doubleValue();
            assertTrue(
                    diff < 1e-10,
                    what + ": " + (i == 0 ? "value" : "gradient of input " + (i - 1)) + " differs by " + diff);
        }
    }

    private static INDArray[] valueAndGrads(Function<List<Var>, Var> f, INDArray... inputs) {
        Tape tape = new Tape();
        List<Var> vars = new ArrayList<>();
        for (INDArray in : inputs) {
            vars.add(tape.param(in.dup()));
        }
        Var out = f.apply(vars);
        tape.backward(out);
        INDArray[] r = new INDArray[inputs.length + 1];
        r[0] = out.value().reshape(1);
        for (int i = 0; i < inputs.length; i++) {
            r[i + 1] = vars.get(i).grad();
        }
        return r;
    }

    /** SameDiff builds the same layers; its gradients must equal the tape's. */
    @Test
    void layerGradientsEqualSameDiffs() {
        Random r = new Random(4);
        INDArray x = rand(r, 4, 6);
        INDArray w = rand(r, 6, 5);
        INDArray b = rand(r, 1, 5);
        INDArray gain = rand(r, 5);
        INDArray bias = rand(r, 5);
        INDArray weights = rand(r, 4, 5);
        // linear → ReLU → layer norm → softmax, weighted sum
        SameDiff sd = SameDiff.create();
        SDVariable sx = sd.var("x", x.dup());
        SDVariable sw = sd.var("w", w.dup());
        SDVariable sb = sd.var("b", b.dup());
        SDVariable sg = sd.var("g", gain.dup());
        SDVariable sbi = sd.var("bi", bias.dup());
        SDVariable h = sd.nn.relu(sx.mmul(sw).add(sb), 0);
        SDVariable n = sd.nn.layerNorm(h, sg, sbi, false, 1);
        SDVariable out = sd.nn.softmax(n, 1).mul(sd.constant(weights.dup())).sum();
        sd.setLossVariables(out.name());
        Map<String, INDArray> want = sd.calculateGradients(Map.of(), "x", "w", "b", "g", "bi");

        Tape tape = new Tape();
        Var tx = tape.param(x.dup());
        Var tw = tape.param(w.dup());
        Var tb = tape.param(b.dup());
        Var tg = tape.param(gain.dup());
        Var tbi = tape.param(bias.dup());
        Var loss = tx.linear(tw, tb)
                .relu()
                .layerNorm(tg, tbi)
                .softmax()
                .mul(tape.constant(weights))
                .sum();
        tape.backward(loss);
        Map<String, Var> got = new LinkedHashMap<>(Map.of("x", tx, "w", tw, "b", tb, "g", tg, "bi", tbi));
        for (Map.Entry<String, Var> e : got.entrySet()) {
            double diff = want.get(e.getKey())
                    .reshape(e.getValue().grad().shape())
                    .sub(e.getValue().grad())
                    .norm2Number()
                    .doubleValue();
            // ND4J's layer_norm divides by √var with no ε; the tape's adds ε = 1e-5 to the variance, as PyTorch does
            assertTrue(diff < 1e-4, e.getKey() + ": tape and SameDiff gradients differ by " + diff);
        }
        assertEquals(sd.output(Map.of(), out.name()).get(out.name()).getDouble(0), loss.item(), 1e-5);

        // convolution → max pooling
        INDArray img = rand(r, 2, 1, 8, 8);
        INDArray k = rand(r, 3, 3, 1, 2);
        INDArray kb = rand(r, 2);
        INDArray pw = rand(r, 2, 2, 4, 4);
        SameDiff sc = SameDiff.create();
        SDVariable ci = sc.var("i", img.dup());
        SDVariable ck = sc.var("k", k.dup());
        SDVariable cb = sc.var("kb", kb.dup());
        SDVariable conv = sc.cnn.conv2d(
                ci,
                ck,
                cb,
                Conv2DConfig.builder()
                        .kH(3)
                        .kW(3)
                        .paddingMode(PaddingMode.SAME)
                        .dataFormat(Conv2DConfig.NCHW)
                        .build());
        SDVariable pooled = sc.cnn.maxPooling2d(
                conv,
                Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2).isNHWC(false).build());
        SDVariable cl = pooled.mul(sc.constant(pw.dup())).sum();
        sc.setLossVariables(cl.name());
        Map<String, INDArray> cw = sc.calculateGradients(Map.of(), "i", "k", "kb");
        Tape t2 = new Tape();
        Var ti = t2.param(img.dup());
        Var tk = t2.param(k.dup());
        Var tkb = t2.param(kb.dup());
        t2.backward(ti.conv2d(tk, tkb).maxPool(2).mul(t2.constant(pw)).sum());
        assertTrue(cw.get("i").sub(ti.grad()).norm2Number().doubleValue() < 1e-8, "conv input gradient");
        assertTrue(cw.get("k").sub(tk.grad()).norm2Number().doubleValue() < 1e-8, "conv kernel gradient");
        assertTrue(
                cw.get("kb").reshape(2).sub(tkb.grad().reshape(2)).norm2Number().doubleValue() < 1e-8,
                "conv bias gradient");
    }

    /**
     * Whole networks, every family: parameter gradients against finite differences, in double
     * precision, at least one element in every row and column of every parameter. The speech student
     * has 7 frames at stride 2 (a remainder dropped); the text student reads padded sentences.
     */
    @Test
    void networkParameterGradientsMatchFiniteDifferences() {
        for (String spec : List.of(
                "mlp:6x5",
                "cnn:2x3,dense=5,kernel=3",
                "vit:1x8,heads=2,patch=7,ffn=2",
                "speech:2x8,heads=2,frame=4,length=6,stride=2,norm=post",
                "speech:1x8,heads=2,frame=3,length=7,stride=2",
                "text:2x8,heads=2,length=6,vocab=11",
                "multihead:2,combine=learned:mlp:5")) {
            Network net = Network.build(ModelSpec.parse(spec), 7);
            Random r = new Random(spec.hashCode());
            INDArray x = spec.startsWith("text:")
                    ? Nd4j.create(new double[][] {{3, 7, 10, 0, 0, 0}, {1, 2, 3, 4, 5, 6}, {9, 0, 0, 0, 0, 0}})
                    : rand(r, 3, net.spec().inputs());
            Map<String, INDArray> p64 = new LinkedHashMap<>();
            net.parameters()
                    .forEach((k, v) -> p64.put(
                            k, v.castTo(DataType.DOUBLE).addi(rand(r, v.shape()).muli(0.1))));
            List<String> names = new ArrayList<>(p64.keySet());
            INDArray[] inputs = names.stream().map(p64::get).toArray(INDArray[]::new);
            check(
                    spec,
                    Coverage.EVERY_ROW_AND_COLUMN,
                    v -> {
                        Map<String, Var> pv = new LinkedHashMap<>();
                        for (int i = 0; i < names.size(); i++) {
                            pv.put(names.get(i), v.get(i));
                        }
                        Map<String, Var> out = net.forward(v.get(0).tape(), pv, x, null);
                        // logits and a hidden state, so that gradients flow through every named output
                        return out.get(Network.LOGITS)
                                .sum(false, 1)
                                .add(out.get(Network.FEATURES).sum(false, 1));
                    },
                    inputs);
        }
    }

    @Test
    void misuseIsRefusedWithAReason() {
        Tape a = new Tape();
        Tape b = new Tape();
        Var x = a.param(Nd4j.ones(DataType.FLOAT, 2));
        Var y = b.param(Nd4j.ones(DataType.FLOAT, 2));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> x.add(y))
                .getMessage()
                .contains("two different tapes"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> a.backward(x))
                .getMessage()
                .contains("scalar"));
        Tape inf = Tape.inference();
        Var z = inf.param(Nd4j.ones(DataType.FLOAT, 1));
        assertTrue(assertThrows(IllegalStateException.class, () -> inf.backward(z.mul(2)))
                .getMessage()
                .contains("records no gradients"));
        Var c = a.constant(Nd4j.ones(DataType.FLOAT, 2));
        Var loss = x.mul(2).sum();
        Var unused = a.param(Nd4j.ones(DataType.FLOAT, 2));
        a.backward(loss.add(c.sum()));
        assertNull(unused.grad(), "a parameter the loss does not use gets no gradient");
        assertNull(c.grad(), "constants get no gradient");
        assertEquals(2.0, x.grad().getDouble(0), 1e-7);
    }
}
