package dev.distillery.model;

import dev.distillery.backend.Backend;
import dev.distillery.backend.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A trainable model built from a {@link ModelSpec}: a SameDiff graph from placeholder
 * {@value #INPUT} ({@code [B, inputs]}) to variable {@value #LOGITS} ({@code [B, outputs]}).
 * Dropout masks are placeholders too, filled by the trainer during training and with ones for
 * inference, so the same graph serves both and every mask comes from Distillery's seeded streams.
 */
public final class Network {

    public static final String INPUT = "input";
    public static final String LOGITS = "logits";
    /** Transformer outputs by name: the embedding, layer {@code i}'s hidden states and attention maps. */
    public static final String EMBEDDING = "embedding";
    /** The representation the classifier reads: the last hidden layer, or the transformer's pooled output. */
    public static final String FEATURES = "features";

    public static String layer(int i) {
        return "layer" + i;
    }

    public static String attention(int i) {
        return "attention" + i;
    }

    /** How a transformer parameter starts: zeros, ones (norm gains), fan-scaled normal, or N(0, 0.02). */
    private enum Init { ZERO, ONE, FAN, SMALL }

    /** A dropout site: its mask placeholder, width and drop probability. */
    public record Dropout(String placeholder, int width, double rate) {}

    private final ModelSpec spec;
    private SameDiff sd;
    private final List<String> params = new ArrayList<>();
    private final List<Dropout> dropouts = new ArrayList<>();
    private final Map<String, Init> inits = new LinkedHashMap<>();
    private final List<String> auxiliary = new ArrayList<>();
    private String objectiveKey;

    private Network(ModelSpec spec) {
        this.spec = spec;
    }

    /** Builds the graph and draws initial weights from {@code seed} (He for ReLU/GELU, Xavier otherwise). */
    public static Network build(ModelSpec spec, long seed) {
        Backend.start();
        Network n = new Network(spec);
        n.define();
        SplittableRandom rng = Seeds.stream(seed, "init", 0);
        for (String p : n.params) {
            INDArray arr = n.sd.getVariable(p).getArr();
            Init init = n.inits.get(p);
            if (init == Init.ZERO || init == Init.ONE) {
                arr.assign(init == Init.ONE ? 1 : 0);
                continue;
            }
            if (init == Init.SMALL) {
                float[] w = new float[(int) arr.length()];
                for (int i = 0; i < w.length; i++) {
                    w[i] = (float) (gaussian(rng) * 0.02);
                }
                arr.assign(Nd4j.create(w, arr.shape(), DataType.FLOAT));
                continue;
            }
            if (init == null && (p.startsWith("b") || p.startsWith("cb"))) {
                arr.assign(0);
                continue;
            }
            long fanIn = p.startsWith("k") ? arr.size(0) * arr.size(1) * arr.size(2) : arr.size(0);
            long fanOut = p.startsWith("k") ? arr.size(0) * arr.size(1) * arr.size(3) : arr.size(1);
            String act = activation(spec);
            double std = act.equals("relu") || act.equals("gelu") ? Math.sqrt(2.0 / fanIn) : Math.sqrt(2.0 / (fanIn + fanOut));
            float[] w = new float[(int) arr.length()];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (gaussian(rng) * std);
            }
            arr.assign(Nd4j.create(w, arr.shape(), DataType.FLOAT));
        }
        return n;
    }

    static double gaussian(SplittableRandom r) {
        double u = 1.0 - r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    private static String activation(ModelSpec spec) {
        if (spec instanceof MultiHeadSpec mh) {
            return activation(mh.body());
        }
        if (spec instanceof MlpSpec m) {
            return m.activation();
        }
        return spec instanceof CnnSpec c ? c.activation() : ((TransformerSpec) spec).activation();
    }

    private void define() {
        sd = SameDiff.create();
        params.clear();
        dropouts.clear();
        inits.clear();
        auxiliary.clear();
        objectiveKey = null;
        SDVariable x = sd.placeHolder(INPUT, DataType.FLOAT, -1, spec.inputs());
        ModelSpec body = spec instanceof MultiHeadSpec mh ? mh.body() : spec;
        if (body instanceof TransformerSpec t) {
            defineTransformer(t, x);
            return;
        }
        long width = spec.inputs();
        List<Integer> dense;
        double rate;
        if (body instanceof CnnSpec c) {
            int side = c.side();
            x = x.reshape(-1, 1, side, side);
            long ch = 1;
            for (int i = 0; i < c.channels().size(); i++) {
                int out = c.channels().get(i);
                SDVariable k = param("k" + i, c.kernel(), c.kernel(), ch, out);
                SDVariable b = param("cb" + i, out);
                x = sd.cnn.conv2d(x, k, b, Conv2DConfig.builder().kH(c.kernel()).kW(c.kernel())
                        .paddingMode(PaddingMode.SAME).dataFormat(Conv2DConfig.NCHW).build());
                x = activate(x, c.activation());
                x = sd.cnn.maxPooling2d(x, Pooling2DConfig.builder().kH(c.pool()).kW(c.pool())
                        .sH(c.pool()).sW(c.pool()).isNHWC(false).build());
                side /= c.pool();
                ch = out;
                x = sd.identity(layer(i), x);
            }
            width = ch * side * side;
            x = x.reshape(-1, width);
            dense = c.dense();
            rate = c.dropout();
        } else {
            MlpSpec m = (MlpSpec) body;
            dense = m.hidden();
            rate = m.dropout();
        }
        int first = body instanceof CnnSpec c ? c.channels().size() : 0;
        for (int i = 0; i < dense.size(); i++) {
            int out = dense.get(i);
            x = activate(x.mmul(param("w" + i, width, out)).add(param("b" + i, 1, out)), activation(spec));
            x = sd.identity(layer(first + i), x);
            if (rate > 0) {
                String name = "dropout" + i;
                x = x.mul(sd.placeHolder(name, DataType.FLOAT, -1, out));
                dropouts.add(new Dropout(name, out, rate));
            }
            width = out;
        }
        int last = dense.size();
        x = sd.identity(FEATURES, x);
        classifier(x, width, "w" + last, "b" + last, null, new long[] {1, spec.outputs()});
    }

    /**
     * The classifier on {@code features}: one linear head named {@code weight}/{@code bias} giving
     * {@value #LOGITS}; or, for a {@link MultiHeadSpec}, that head as {@code head0} plus heads
     * {@code head{k}.w}/{@code head{k}.b}, combined into {@value #LOGITS} by their mean or by a
     * softmax over trainable scores {@code heads.mix}.
     */
    private void classifier(SDVariable features, long width, String weight, String bias, Init init, long[] biasShape) {
        int out = spec.outputs();
        if (!(spec instanceof MultiHeadSpec mh)) {
            features.mmul(param(weight, init, width, out)).add(LOGITS, param(bias, init == null ? null : Init.ZERO, biasShape));
            return;
        }
        SDVariable[] heads = new SDVariable[mh.heads()];
        for (int k = 0; k < heads.length; k++) {
            String w = k == 0 ? weight : "head" + k + ".w";
            String b = k == 0 ? bias : "head" + k + ".b";
            heads[k] = features.mmul(param(w, init, width, out)).add(MultiHeadSpec.head(k),
                    param(b, k == 0 && init == null ? null : Init.ZERO, biasShape));
        }
        SDVariable stacked = sd.stack(0, heads); // [K, B, C]
        if (mh.combine().equals(MultiHeadSpec.LEARNED)) {
            SDVariable mix = sd.nn.softmax(param("heads.mix", Init.ZERO, 1, heads.length), 1).reshape(heads.length, 1, 1);
            stacked.mul(mix).sum(LOGITS, 0);
        } else if (mh.combine().equals(MultiHeadSpec.WEIGHTED)) {
            float[] w = new float[heads.length];
            for (int k = 0; k < w.length; k++) {
                w[k] = mh.weights().get(k).floatValue();
            }
            stacked.mul(sd.constant("heads.weights", Nd4j.create(w, new long[] {w.length, 1, 1}, DataType.FLOAT))).sum(LOGITS, 0);
        } else {
            stacked.mean(LOGITS, 0);
        }
    }

    /**
     * Patch embedding, {@code depth} encoder layers, mean pooling, classifier. Matrices multiply
     * rank 2 (rows = batch × sequence); attention uses batched rank-4 products.
     */
    private void defineTransformer(TransformerSpec t, SDVariable x) {
        int s = t.sequence();
        int d = t.width();
        int h = t.heads();
        int dh = d / h;
        int length = t.length();
        SDVariable pieces = t.input().equals(TransformerSpec.FRAMES) ? x.reshape(-1, t.frame()) : patches(x, t);
        SDVariable hidden = pieces.mmul(param("t.embed.w", Init.FAN, t.patchSize(), d)).add(param("t.embed.b", Init.ZERO, d))
                .reshape(-1, length, d);
        SDVariable pos = param("t.embed.pos", Init.SMALL, length, d);
        if (t.stride() > 1) {
            // time reduction: the mean of every stride consecutive positions
            hidden = hidden.add(pos).reshape(-1, s, t.stride(), d).mean(EMBEDDING, false, 2);
        } else {
            hidden = hidden.add(EMBEDDING, pos);
        }
        hidden = dropout(hidden, "dropout.embed", s, d, t.dropout());
        for (int i = 0; i < t.depth(); i++) {
            String pre = "t.layer" + i + ".";
            SDVariable a = t.preNorm() ? norm(hidden, pre + "norm1", d) : hidden;
            SDVariable flat = a.reshape(-1, d);
            SDVariable q = linear(flat, pre + "q", d, d).reshape(-1, s, h, dh).permute(0, 2, 1, 3);
            SDVariable k = linear(flat, pre + "k", d, d).reshape(-1, s, h, dh).permute(0, 2, 3, 1);
            SDVariable v = linear(flat, pre + "v", d, d).reshape(-1, s, h, dh).permute(0, 2, 1, 3);
            SDVariable attn = sd.nn.softmax(attention(i), sd.linalg().mmul(q, k).mul(1.0 / Math.sqrt(dh)), 3);
            SDVariable context = sd.linalg().mmul(attn, v).permute(0, 2, 1, 3).reshape(-1, d);
            hidden = hidden.add(dropout(linear(context, pre + "o", d, d).reshape(-1, s, d), "dropout.attn" + i, s, d,
                    t.dropout()));
            if (!t.preNorm()) {
                hidden = norm(hidden, pre + "norm1", d);
            }
            SDVariable f = (t.preNorm() ? norm(hidden, pre + "norm2", d) : hidden).reshape(-1, d);
            f = linear(activate(linear(f, pre + "ffn1", d, t.ffn()), t.activation()), pre + "ffn2", t.ffn(), d);
            hidden = hidden.add(dropout(f.reshape(-1, s, d), "dropout.ffn" + i, s, d, t.dropout()));
            if (!t.preNorm()) {
                hidden = norm(hidden, pre + "norm2", d);
            }
            hidden = sd.identity(layer(i), hidden);
        }
        if (t.preNorm()) {
            hidden = norm(hidden, "t.norm", d);
        }
        SDVariable pooled = sd.identity(FEATURES, hidden.mean(1));
        classifier(pooled, d, "t.head.w", "t.head.b", Init.FAN, new long[] {t.outputs()});
    }

    /** An image {@code [B, side²]} cut into patches, one row per patch: {@code [B·S, patch²]}. */
    private static SDVariable patches(SDVariable x, TransformerSpec t) {
        int n = t.side() / t.patch();
        return x.reshape(-1, n, t.patch(), n, t.patch()).permute(0, 1, 3, 2, 4).reshape(-1, t.patchSize());
    }

    /** Dropout on {@code [B, S, D]}: the mask placeholder is {@code [B, S·D]}, like every other mask. */
    private SDVariable dropout(SDVariable x, String name, int s, int d, double rate) {
        if (rate <= 0) {
            return x;
        }
        dropouts.add(new Dropout(name, s * d, rate));
        return x.mul(sd.placeHolder(name, DataType.FLOAT, -1, (long) s * d).reshape(-1, s, d));
    }

    private SDVariable linear(SDVariable x, String name, int in, int out) {
        return x.mmul(param(name + ".w", Init.FAN, in, out)).add(param(name + ".b", Init.ZERO, out));
    }

    private SDVariable norm(SDVariable x, String name, int width) {
        return sd.nn.layerNorm(x, param(name + ".gain", Init.ONE, width), param(name + ".bias", Init.ZERO, width), false, 2);
    }

    private SDVariable param(String name, Init init, long... shape) {
        if (init != null) {
            inits.put(name, init);
        }
        return param(name, shape);
    }

    private SDVariable param(String name, long... shape) {
        params.add(name);
        return sd.var(name, Nd4j.zeros(DataType.FLOAT, shape));
    }

    private SDVariable activate(SDVariable x, String activation) {
        return switch (activation) {
            case "tanh" -> sd.math.tanh(x);
            case "sigmoid" -> sd.nn.sigmoid(x);
            case "gelu" -> sd.nn.gelu(x);
            default -> sd.nn.relu(x, 0);
        };
    }

    public ModelSpec spec() {
        return spec;
    }

    /** The graph; the trainer adds its loss to it. */
    public SameDiff graph() {
        return sd;
    }

    public List<String> parameterNames() {
        return List.copyOf(params);
    }

    /** Weights the current objective added (projections, extra heads): trained with the model, never saved. */
    public List<String> auxiliaryNames() {
        return List.copyOf(auxiliary);
    }

    void addAuxiliary(String name) {
        auxiliary.add(name);
    }

    public List<Dropout> dropouts() {
        return List.copyOf(dropouts);
    }

    /** Parameters by name, in graph order; the arrays are live (writes change the model). */
    public Map<String, INDArray> parameters() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (String p : params) {
            m.put(p, sd.getVariable(p).getArr());
        }
        return m;
    }

    public long parameterCount() {
        long n = 0;
        for (String p : params) {
            n += sd.getVariable(p).getArr().length();
        }
        return n;
    }

    /** Copies parameter values in (same names and shapes), e.g. from a checkpoint. */
    public void setParameters(Map<String, INDArray> values) {
        for (String p : params) {
            INDArray v = values.get(p);
            INDArray arr = sd.getVariable(p).getArr();
            if (v == null) {
                throw new SpecException("parameter '" + p + "' of " + spec.describe() + " is missing from the saved weights");
            }
            if (!Arrays.equals(v.shape(), arr.shape())) {
                throw new SpecException("parameter '" + p + "' of " + spec.describe() + " has shape "
                        + Arrays.toString(arr.shape()) + " but the saved weights have " + Arrays.toString(v.shape()));
            }
            arr.assign(v);
        }
    }

    /** A copy of every parameter, detached from the model. */
    public Map<String, INDArray> snapshot() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        parameters().forEach((k, v) -> m.put(k, v.dup()));
        return m;
    }

    /** Logits for every row of {@code features}, in batches, without dropout. */
    public INDArray logits(INDArray features) {
        int n = (int) features.rows();
        int batch = 1000;
        INDArray out = Nd4j.create(DataType.FLOAT, n, spec.outputs());
        for (int s = 0; s < n; s += batch) {
            int e = Math.min(n, s + batch);
            INDArray x = features.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(s, e),
                    org.nd4j.linalg.indexing.NDArrayIndex.all());
            out.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(s, e), org.nd4j.linalg.indexing.NDArrayIndex.all())
                    .assign(forward(x));
        }
        return out;
    }

    /** How many layers expose hidden states as {@code layer0 … layer(depth-1)}. */
    public int depth() {
        int d = 0;
        while (sd.hasVariable(layer(d))) {
            d++;
        }
        return d;
    }

    /** The named outputs a loss can use: {@code embedding}, {@code layer{i}}, {@code attention{i}}, {@code features}, {@code logits}. */
    public List<String> outputNames() {
        List<String> out = new ArrayList<>();
        if (sd.hasVariable(EMBEDDING)) {
            out.add(EMBEDDING);
        }
        for (int i = 0; i < depth(); i++) {
            out.add(layer(i));
            if (sd.hasVariable(attention(i))) {
                out.add(attention(i));
            }
        }
        out.add(FEATURES);
        if (spec instanceof MultiHeadSpec mh) {
            for (int k = 0; k < mh.heads(); k++) {
                out.add(MultiHeadSpec.head(k));
            }
        }
        out.add(LOGITS);
        return out;
    }

    /** The shape of one example's output {@code name}, e.g. {@code [49, 64]} for a transformer layer. */
    public long[] outputShape(String name) {
        checkOutput(name);
        long[] shape = run(Nd4j.zeros(DataType.FLOAT, 1, spec.inputs()), List.of(name)).get(name).shape();
        return Arrays.copyOfRange(shape, 1, shape.length);
    }

    /**
     * Outputs {@code names} for every row of {@code features}, without dropout, each flattened to
     * {@code [N, prod(outputShape)]} so that rows can be batched like logits.
     */
    public Map<String, INDArray> outputs(INDArray features, List<String> names) {
        names.forEach(this::checkOutput);
        int n = (int) features.rows();
        int batch = 500;
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (int s = 0; s < n; s += batch) {
            int e = Math.min(n, s + batch);
            INDArray x = features.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(s, e),
                    org.nd4j.linalg.indexing.NDArrayIndex.all());
            Map<String, INDArray> r = run(x, names);
            for (String name : names) {
                INDArray a = r.get(name);
                INDArray flat = a.reshape('c', a.size(0), a.length() / a.size(0));
                INDArray all = out.computeIfAbsent(name, k -> Nd4j.create(DataType.FLOAT, n, flat.columns()));
                all.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(s, e), org.nd4j.linalg.indexing.NDArrayIndex.all())
                        .assign(flat);
            }
        }
        return out;
    }

    private void checkOutput(String name) {
        if (!sd.hasVariable(name) || !outputNames().contains(name)) {
            throw new SpecException(spec.describe() + " has no output '" + name + "'; it has " + String.join(", ", outputNames()));
        }
    }

    private Map<String, INDArray> run(INDArray batch, List<String> names) {
        if (batch.rank() != 2 || batch.columns() != spec.inputs()) {
            throw new IllegalArgumentException(spec.describe() + " takes inputs of shape [B, " + spec.inputs()
                    + "], got " + Arrays.toString(batch.shape()));
        }
        Map<String, INDArray> ph = new LinkedHashMap<>();
        inputs(ph, batch);
        for (Dropout d : dropouts) {
            ph.put(d.placeholder(), Nd4j.ones(DataType.FLOAT, batch.rows(), d.width()));
        }
        return sd.output(ph, names.toArray(String[]::new));
    }

    /** Puts the placeholders for input {@code batch}. */
    void inputs(Map<String, INDArray> ph, INDArray batch) {
        ph.put(INPUT, batch);
    }

    /** Logits for one batch, without dropout. */
    public INDArray forward(INDArray batch) {
        return run(batch, List.of(LOGITS)).get(LOGITS);
    }

    /**
     * Makes sure the graph carries the loss for {@code objective}; a model trained before with a
     * different objective gets a fresh graph with the same weights.
     */
    void prepareObjective(String key, java.util.function.Consumer<SameDiff> addLoss) {
        if (key.equals(objectiveKey)) {
            return;
        }
        if (objectiveKey != null) {
            Map<String, INDArray> keep = snapshot();
            define();
            setParameters(keep);
        }
        addLoss.accept(sd);
        objectiveKey = key;
    }

    @Override
    public String toString() {
        return spec.describe() + " (" + String.format("%,d", parameterCount()) + " parameters)";
    }
}
