package dev.distillery.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

    /**
     * Checks the gradient of {@code sum(f(inputs) ⊙ R)} (R fixed and random, so every output
     * element matters differently) with respect to every input against central differences.
     */
    static void check(String what, Function<List<Var>, Var> f, INDArray... inputs) {
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
            assertArrayEquals(inputs[k].shape(), g.shape(), what + ": gradient shape of input " + k);
            INDArray flatG = g.dup('c').reshape(g.length());
            long n = inputs[k].length();
            for (long i : sample(n, r)) {
                double fd = (value(f, inputs, weights, k, i, h) - value(f, inputs, weights, k, i, -h)) / (2 * h);
                double an = flatG.getDouble(i);
                assertEquals(fd, an, 1e-6 + 1e-5 * Math.abs(fd), what + ": d/d input" + k + "[" + i + "]");
            }
        }
    }

    private static long[] sample(long n, Random r) {
        if (n <= 12) {
            long[] all = new long[(int) n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            return all;
        }
        long[] s = new long[12];
        s[0] = 0;
        s[1] = n - 1;
        for (int i = 2; i < s.length; i++) {
            s[i] = (long) (r.nextDouble() * n);
        }
        return s;
    }

    private static double value(Function<List<Var>, Var> f, INDArray[] inputs, INDArray weights, int k, long i, double h) {
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
        check("sub", v -> v.get(0).sub(v.get(1)), a, row);
        check("mul", v -> v.get(0).mul(v.get(1)), a, row);
        check("div", v -> v.get(0).div(v.get(1)), a, pos);
        check("scalars", v -> v.get(0).add(2).mul(3).rsub(1).div(4).neg(), a);
        check("square", v -> v.get(0).square(), a);
        check("sqrt", v -> v.get(0).sqrt(), pos);
        check("exp", v -> v.get(0).exp(), a);
        check("log", v -> v.get(0).log(), pos);
        check("abs", v -> v.get(0).abs(), pos.mul(-1).addi(rand(r, 3, 4).gt(0).castTo(DataType.DOUBLE).muli(2).muli(pos)));
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
        check("log-sum-exp with a detached max", v -> {
            Var m = v.get(0).maxDetached(true, 2);
            return v.get(0).sub(m).exp().sum(true, 2).log().add(m);
        }, x);
    }

    @Test
    void productsLinearNormConvolutionAndPooling() {
        Random r = new Random(3);
        check("mmul", v -> v.get(0).mmul(v.get(1)), rand(r, 3, 4), rand(r, 4, 2));
        check("mmulT", v -> v.get(0).mmulT(v.get(1)), rand(r, 3, 4), rand(r, 5, 4));
        check("tmmul", v -> v.get(0).tmmul(v.get(1)), rand(r, 4, 3), rand(r, 4, 2));
        check("batched mmul rank 3", v -> v.get(0).mmul(v.get(1)), rand(r, 2, 3, 4), rand(r, 2, 4, 5));
        check("batched mmulT rank 4", v -> v.get(0).mmulT(v.get(1)), rand(r, 2, 2, 3, 4), rand(r, 2, 2, 5, 4));
        check("batched mmul of permuted views", v -> v.get(0).permute(0, 2, 1, 3).mmul(v.get(1).permute(0, 2, 3, 1)),
                rand(r, 2, 3, 2, 4), rand(r, 2, 5, 2, 4));
        check("linear, row bias", v -> v.get(0).linear(v.get(1), v.get(2)), rand(r, 5, 4), rand(r, 4, 3), rand(r, 1, 3));
        check("linear, rank-1 bias", v -> v.get(0).linear(v.get(1), v.get(2)), rand(r, 5, 4), rand(r, 4, 3), rand(r, 3));
        check("layerNorm", v -> v.get(0).layerNorm(v.get(1), v.get(2)), rand(r, 2, 3, 6), rand(r, 6), rand(r, 6));
        check("conv2d same", v -> v.get(0).conv2d(v.get(1), v.get(2)), rand(r, 2, 2, 6, 6), rand(r, 3, 3, 2, 4),
                rand(r, 4));
        check("maxPool 2", v -> v.get(0).maxPool(2), rand(r, 2, 3, 6, 6));
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
            Function<List<Var>, Var> fused = v -> v.get(0).maskedCrossEntropy(v.get(1), v.get(0).tape().constant(mask));
            Function<List<Var>, Var> primitive = v -> {
                Var m = v.get(0).tape().constant(mask);
                return v.get(0).logSoftmax().mul(v.get(1)).sum(true, 1).neg().mul(m).sum().div(m.sum().add(1e-8));
            };
            check("masked cross-entropy", fused, z, targets);
            same("masked cross-entropy", fused, primitive, z, targets);
        }
        for (double temp : new double[] {1, 4}) {
            Function<List<Var>, Var> fused = v -> v.get(0).softKl(v.get(1), temp);
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
            double diff = a[i].sub(b[i]).norm2Number().doubleValue();
            assertTrue(diff < 1e-10, what + ": " + (i == 0 ? "value" : "gradient of input " + (i - 1)) + " differs by " + diff);
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
        Var loss = tx.linear(tw, tb).relu().layerNorm(tg, tbi).softmax().mul(tape.constant(weights)).sum();
        tape.backward(loss);
        Map<String, Var> got = new LinkedHashMap<>(Map.of("x", tx, "w", tw, "b", tb, "g", tg, "bi", tbi));
        for (Map.Entry<String, Var> e : got.entrySet()) {
            double diff = want.get(e.getKey()).reshape(e.getValue().grad().shape()).sub(e.getValue().grad())
                    .norm2Number().doubleValue();
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
        SDVariable conv = sc.cnn.conv2d(ci, ck, cb, Conv2DConfig.builder().kH(3).kW(3).paddingMode(PaddingMode.SAME)
                .dataFormat(Conv2DConfig.NCHW).build());
        SDVariable pooled = sc.cnn.maxPooling2d(conv, Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2).isNHWC(false).build());
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
        assertTrue(cw.get("kb").reshape(2).sub(tkb.grad().reshape(2)).norm2Number().doubleValue() < 1e-8, "conv bias gradient");
    }

    /** Whole networks, every family: parameter gradients against finite differences, in double precision. */
    @Test
    void networkParameterGradientsMatchFiniteDifferences() {
        for (String spec : List.of("mlp:6x5", "cnn:2x3,dense=5,kernel=3", "vit:1x8,heads=2,patch=7,ffn=2",
                "speech:2x8,heads=2,frame=4,length=6,stride=2,norm=post", "multihead:2,combine=learned:mlp:5")) {
            Network net = Network.build(ModelSpec.parse(spec), 7);
            Random r = new Random(spec.hashCode());
            INDArray x = rand(r, 3, net.spec().inputs());
            Map<String, INDArray> p64 = new LinkedHashMap<>();
            net.parameters().forEach((k, v) -> p64.put(k, v.castTo(DataType.DOUBLE).addi(rand(r, v.shape()).muli(0.1))));
            List<String> names = new ArrayList<>(p64.keySet());
            INDArray[] inputs = names.stream().map(p64::get).toArray(INDArray[]::new);
            check(spec, v -> {
                Map<String, Var> pv = new LinkedHashMap<>();
                for (int i = 0; i < names.size(); i++) {
                    pv.put(names.get(i), v.get(i));
                }
                Map<String, Var> out = net.forward(v.get(0).tape(), pv, x, null);
                // logits and a hidden state, so that gradients flow through every named output
                return out.get(Network.LOGITS).sum(false, 1).add(out.get(Network.FEATURES).sum(false, 1));
            }, inputs);
        }
    }

    @Test
    void misuseIsRefusedWithAReason() {
        Tape a = new Tape();
        Tape b = new Tape();
        Var x = a.param(Nd4j.ones(DataType.FLOAT, 2));
        Var y = b.param(Nd4j.ones(DataType.FLOAT, 2));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> x.add(y)).getMessage().contains("two different tapes"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> a.backward(x)).getMessage().contains("scalar"));
        Tape inf = Tape.inference();
        Var z = inf.param(Nd4j.ones(DataType.FLOAT, 1));
        assertTrue(assertThrows(IllegalStateException.class, () -> inf.backward(z.mul(2))).getMessage()
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
