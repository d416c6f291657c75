package dev.distillery.model;

import dev.distillery.backend.Backend;
import dev.distillery.backend.Seeds;
import dev.distillery.tensor.Memory;
import dev.distillery.tensor.Tape;
import dev.distillery.tensor.Var;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A trainable model built from a {@link ModelSpec}: named parameters and a forward pass on a
 * {@link Tape}, from input {@code [B, inputs]} to {@value #LOGITS} {@code [B, outputs]} and every
 * other named output. Training runs the same forward pass with a recording tape and dropout masks
 * drawn from Distillery's seeded streams; inference runs it on a tape that records nothing.
 */
public final class Network implements Layered {

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

    /** How a parameter starts: zeros, ones (norm gains), fan-scaled normal, or N(0, 0.02); null: by name. */
    private enum Init { ZERO, ONE, FAN, SMALL }

    /** A dropout site: its name, width per example and drop probability. */
    public record Dropout(String name, int width, double rate) {}

    private final ModelSpec spec;
    private final Map<String, INDArray> params = new LinkedHashMap<>();
    private final Map<String, Init> inits = new LinkedHashMap<>();
    private final List<Dropout> dropouts = new ArrayList<>();
    private final Map<String, INDArray> auxiliary = new LinkedHashMap<>();
    private List<String> outputNames;
    private final Map<String, long[]> outputShapes = new LinkedHashMap<>();

    private Network(ModelSpec spec) {
        this.spec = spec;
    }

    /** Declares the parameters and draws initial weights from {@code seed} (He for ReLU/GELU, Xavier otherwise). */
    public static Network build(ModelSpec spec, long seed) {
        Backend.start();
        Network n = new Network(spec);
        n.declare();
        SplittableRandom rng = Seeds.stream(seed, "init", 0);
        for (Map.Entry<String, INDArray> e : n.params.entrySet()) {
            String p = e.getKey();
            INDArray arr = e.getValue();
            Init init = n.inits.get(p);
            if (init == Init.ZERO || init == Init.ONE) {
                arr.assign(init == Init.ONE ? 1 : 0);
                continue;
            }
            if (init == Init.SMALL) {
                arr.assign(Seeds.normal(rng, 0.02, arr.shape()));
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
            arr.assign(Seeds.normal(rng, std, arr.shape()));
        }
        return n;
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

    private ModelSpec body() {
        return spec instanceof MultiHeadSpec mh ? mh.body() : spec;
    }

    // ---- parameters, in the order they are initialised ----------------------------------------

    private void declare() {
        ModelSpec body = body();
        if (body instanceof TransformerSpec t) {
            declareTransformer(t);
            return;
        }
        long width = spec.inputs();
        List<Integer> dense;
        double rate;
        if (body instanceof CnnSpec c) {
            int side = c.side();
            long ch = 1;
            for (int i = 0; i < c.channels().size(); i++) {
                int out = c.channels().get(i);
                param("k" + i, null, c.kernel(), c.kernel(), ch, out);
                param("cb" + i, null, out);
                side /= c.pool();
                ch = out;
            }
            width = ch * side * side;
            dense = c.dense();
            rate = c.dropout();
        } else {
            MlpSpec m = (MlpSpec) body;
            dense = m.hidden();
            rate = m.dropout();
        }
        for (int i = 0; i < dense.size(); i++) {
            int out = dense.get(i);
            param("w" + i, null, width, out);
            param("b" + i, null, 1, out);
            if (rate > 0) {
                dropouts.add(new Dropout("dropout" + i, out, rate));
            }
            width = out;
        }
        int last = dense.size();
        declareClassifier(width, "w" + last, "b" + last, null, new long[] {1, spec.outputs()});
    }

    private void declareClassifier(long width, String weight, String bias, Init init, long[] biasShape) {
        int out = spec.outputs();
        param(weight, init, width, out);
        param(bias, init == null ? null : Init.ZERO, biasShape);
        if (spec instanceof MultiHeadSpec mh) {
            for (int k = 1; k < mh.heads(); k++) {
                param("head" + k + ".w", init, width, out);
                param("head" + k + ".b", Init.ZERO, biasShape);
            }
            if (mh.combine().equals(MultiHeadSpec.LEARNED)) {
                param("heads.mix", Init.ZERO, 1, mh.heads());
            }
        }
    }

    private void declareTransformer(TransformerSpec t) {
        int d = t.width();
        int s = t.sequence();
        if (t.input().equals(TransformerSpec.TOKENS)) {
            param("t.embed.tok", Init.SMALL, t.vocab(), d);
        } else {
            param("t.embed.w", Init.FAN, t.patchSize(), d);
            param("t.embed.b", Init.ZERO, d);
        }
        param("t.embed.pos", Init.SMALL, t.length(), d);
        dropout("dropout.embed", s, d, t.dropout());
        for (int i = 0; i < t.depth(); i++) {
            String pre = "t.layer" + i + ".";
            if (t.preNorm()) {
                norm(pre + "norm1", d);
            }
            for (String w : List.of("q", "k", "v", "o")) {
                linear(pre + w, d, d);
            }
            dropout("dropout.attn" + i, s, d, t.dropout());
            if (!t.preNorm()) {
                norm(pre + "norm1", d);
            } else {
                norm(pre + "norm2", d);
            }
            linear(pre + "ffn1", d, t.ffn());
            linear(pre + "ffn2", t.ffn(), d);
            dropout("dropout.ffn" + i, s, d, t.dropout());
            if (!t.preNorm()) {
                norm(pre + "norm2", d);
            }
        }
        if (t.preNorm()) {
            norm("t.norm", d);
        }
        declareClassifier(d, "t.head.w", "t.head.b", Init.FAN, new long[] {t.outputs()});
    }

    private void dropout(String name, int s, int d, double rate) {
        if (rate > 0) {
            dropouts.add(new Dropout(name, s * d, rate));
        }
    }

    private void linear(String name, int in, int out) {
        param(name + ".w", Init.FAN, in, out);
        param(name + ".b", Init.ZERO, out);
    }

    private void norm(String name, int width) {
        param(name + ".gain", Init.ONE, width);
        param(name + ".bias", Init.ZERO, width);
    }

    private void param(String name, Init init, long... shape) {
        if (init != null) {
            inits.put(name, init);
        }
        params.put(name, Nd4j.zeros(DataType.FLOAT, shape));
    }

    // ---- the forward pass ------------------------------------------------------------------------

    /**
     * The forward pass of {@code batch} ({@code [B, inputs]}) on {@code tape}, with the parameters
     * as {@code p} gives them (trainable on a recording tape, constants otherwise) and dropout masks
     * from {@code masks} (null: no dropout). Returns every named output, in {@link #outputNames()} order.
     */
    public Map<String, Var> forward(Tape tape, Map<String, Var> p, INDArray batch, Masks masks) {
        if (batch.rank() != 2 || batch.columns() != spec.inputs()) {
            throw new IllegalArgumentException(spec.describe() + " takes inputs of shape [B, " + spec.inputs()
                    + "], got " + Arrays.toString(batch.shape()));
        }
        Map<String, Var> out = new LinkedHashMap<>();
        Var x = tape.constant(batch);
        long b = batch.rows();
        ModelSpec body = body();
        if (body instanceof TransformerSpec t) {
            return forwardTransformer(t, tape, p, x, b, masks, out);
        }
        List<Integer> dense;
        int first = 0;
        if (body instanceof CnnSpec c) {
            int side = c.side();
            x = x.reshape(b, 1, side, side);
            for (int i = 0; i < c.channels().size(); i++) {
                x = activate(x.conv2d(p.get("k" + i), p.get("cb" + i)), c.activation()).maxPool(c.pool());
                out.put(layer(i), x);
            }
            x = x.reshape(b, x.value().length() / b);
            dense = c.dense();
            first = c.channels().size();
        } else {
            dense = ((MlpSpec) body).hidden();
        }
        String act = activation(spec);
        int site = 0;
        for (int i = 0; i < dense.size(); i++) {
            x = activate(x.linear(p.get("w" + i), p.get("b" + i)), act);
            out.put(layer(first + i), x);
            if (site < dropouts.size() && dropouts.get(site).name().equals("dropout" + i)) {
                x = drop(tape, x, dropouts.get(site++), b, masks, null);
            }
        }
        out.put(FEATURES, x);
        int last = dense.size();
        classify(tape, p, x, "w" + last, "b" + last, out);
        return out;
    }

    private Map<String, Var> forwardTransformer(TransformerSpec t, Tape tape, Map<String, Var> p, Var x, long b, Masks masks,
            Map<String, Var> out) {
        int s = t.sequence();
        int d = t.width();
        int h = t.heads();
        int dh = d / h;
        int length = t.length();
        Var hidden;
        // text: 1 for a real token, 0 for padding, as [B, S, 1] (masks hidden states) and an additive attention bias
        Var keep = null;
        Var bias = null;
        Var count = null;
        if (t.input().equals(TransformerSpec.TOKENS)) {
            float[] ids = x.value().dup('c').data().asFloat();
            int[] flat = new int[(int) (b * length)];
            float[] m = new float[flat.length];
            float[] bs = new float[flat.length];
            float[] n = new float[(int) b];
            for (int i = 0; i < flat.length; i++) {
                float id = ids[i];
                flat[i] = (int) id;
                if (flat[i] != id || flat[i] < 0 || flat[i] >= t.vocab()) {
                    throw new IllegalArgumentException(t.describe() + ": input " + id + " at row " + (i / length)
                            + ", position " + (i % length) + " is not a token id of the " + t.vocab()
                            + "-word vocabulary; text inputs are token ids (0 for padding), as the teacher's tokenizer gives them");
                }
                boolean real = flat[i] != TransformerSpec.PAD;
                m[i] = real ? 1f : 0f;
                bs[i] = real ? 0f : -1e9f;
                n[i / length] += m[i];
            }
            for (int i = 0; i < n.length; i++) {
                n[i] = Math.max(1f, n[i]);
            }
            keep = tape.constant(Nd4j.create(m, new long[] {b, length, 1}, DataType.FLOAT));
            bias = tape.constant(Nd4j.create(bs, new long[] {b, 1, 1, length}, DataType.FLOAT));
            count = tape.constant(Nd4j.create(n, new long[] {b, 1}, DataType.FLOAT));
            hidden = p.get("t.embed.tok").rows(flat).reshape(b, length, d).add(p.get("t.embed.pos"));
        } else {
            Var pieces = t.input().equals(TransformerSpec.FRAMES) ? x.reshape(b * length, t.frame()) : patches(x, t, b);
            hidden = pieces.linear(p.get("t.embed.w"), p.get("t.embed.b")).reshape(b, length, d).add(p.get("t.embed.pos"));
        }
        if (t.stride() > 1) {
            // time reduction: the mean of every stride consecutive positions (a remainder is dropped)
            hidden = hidden.narrow(1, 0, (long) s * t.stride()).reshape(b, s, t.stride(), d).mean(false, 2);
        }
        out.put(EMBEDDING, keep == null ? hidden : hidden.mul(keep));
        int site = 0;
        hidden = drop(tape, hidden, site(t, site), b, masks, new long[] {b, s, d});
        site += t.dropout() > 0 ? 1 : 0;
        double scale = 1.0 / Math.sqrt(dh);
        for (int i = 0; i < t.depth(); i++) {
            String pre = "t.layer" + i + ".";
            Var a = t.preNorm() ? norm(hidden, p, pre + "norm1") : hidden;
            Var flat = a.reshape(b * s, d);
            Var q = heads(flat.linear(p.get(pre + "q.w"), p.get(pre + "q.b")), b, s, h, dh);
            Var k = heads(flat.linear(p.get(pre + "k.w"), p.get(pre + "k.b")), b, s, h, dh);
            Var v = heads(flat.linear(p.get(pre + "v.w"), p.get(pre + "v.b")), b, s, h, dh);
            Var scores = q.mmulT(k).mul(scale);
            Var attn = (bias == null ? scores : scores.add(bias)).softmax();
            out.put(attention(i), attn);
            Var context = attn.mmul(v).permute(0, 2, 1, 3).reshape(b * s, d);
            Var o = context.linear(p.get(pre + "o.w"), p.get(pre + "o.b")).reshape(b, s, d);
            hidden = hidden.add(drop(tape, o, site(t, site), b, masks, new long[] {b, s, d}));
            site += t.dropout() > 0 ? 1 : 0;
            if (!t.preNorm()) {
                hidden = norm(hidden, p, pre + "norm1");
            }
            Var f = (t.preNorm() ? norm(hidden, p, pre + "norm2") : hidden).reshape(b * s, d);
            f = activate(f.linear(p.get(pre + "ffn1.w"), p.get(pre + "ffn1.b")), t.activation())
                    .linear(p.get(pre + "ffn2.w"), p.get(pre + "ffn2.b"));
            hidden = hidden.add(drop(tape, f.reshape(b, s, d), site(t, site), b, masks, new long[] {b, s, d}));
            site += t.dropout() > 0 ? 1 : 0;
            if (!t.preNorm()) {
                hidden = norm(hidden, p, pre + "norm2");
            }
            out.put(layer(i), keep == null ? hidden : hidden.mul(keep));
        }
        if (t.preNorm()) {
            hidden = norm(hidden, p, "t.norm");
        }
        Var pooled = keep == null ? hidden.mean(false, 1) : hidden.mul(keep).sum(false, 1).div(count);
        out.put(FEATURES, pooled);
        classify(tape, p, pooled, "t.head.w", "t.head.b", out);
        return out;
    }

    private Dropout site(TransformerSpec t, int i) {
        return t.dropout() > 0 ? dropouts.get(i) : null;
    }

    /** {@code [B·S, D]} to {@code [B, H, S, D/H]}. */
    private static Var heads(Var x, long b, int s, int h, int dh) {
        return x.reshape(b, s, h, dh).permute(0, 2, 1, 3);
    }

    private static Var norm(Var x, Map<String, Var> p, String name) {
        return x.layerNorm(p.get(name + ".gain"), p.get(name + ".bias"));
    }

    /** An image {@code [B, side²]} cut into patches, one row per patch: {@code [B·S, patch²]}. */
    private static Var patches(Var x, TransformerSpec t, long b) {
        int n = t.side() / t.patch();
        return x.reshape(b, n, t.patch(), n, t.patch()).permute(0, 1, 3, 2, 4).reshape(b * n * n, t.patchSize());
    }

    /** {@code x} times this site's mask, or {@code x} itself without dropout. */
    private static Var drop(Tape tape, Var x, Dropout d, long b, Masks masks, long[] shape) {
        if (d == null || masks == null) {
            return x;
        }
        INDArray m = masks.mask(d, (int) b);
        return x.mul(tape.constant(shape == null ? m : m.reshape('c', shape)));
    }

    /**
     * The classifier on the features: one linear head giving {@value #LOGITS}; or, for a
     * {@link MultiHeadSpec}, that head as {@code head0} plus heads {@code head{k}}, combined into
     * {@value #LOGITS} by their mean, fixed weights, or a softmax over trainable scores {@code heads.mix}.
     */
    private void classify(Tape tape, Map<String, Var> p, Var features, String weight, String bias, Map<String, Var> out) {
        if (!(spec instanceof MultiHeadSpec mh)) {
            out.put(LOGITS, features.linear(p.get(weight), p.get(bias)));
            return;
        }
        Var[] heads = new Var[mh.heads()];
        for (int k = 0; k < heads.length; k++) {
            heads[k] = features.linear(p.get(k == 0 ? weight : "head" + k + ".w"), p.get(k == 0 ? bias : "head" + k + ".b"));
            out.put(MultiHeadSpec.head(k), heads[k]);
        }
        Var mix = mh.combine().equals(MultiHeadSpec.LEARNED) ? p.get("heads.mix").softmax() : null;
        Var logits = null;
        for (int k = 0; k < heads.length; k++) {
            Var term;
            if (mix != null) {
                term = heads[k].mul(mix.column(k));
            } else if (mh.combine().equals(MultiHeadSpec.WEIGHTED)) {
                term = heads[k].mul(mh.weights().get(k));
            } else {
                term = heads[k].mul(1.0 / heads.length);
            }
            logits = logits == null ? term : logits.add(term);
        }
        out.put(LOGITS, logits);
    }

    private static Var activate(Var x, String activation) {
        return switch (activation) {
            case "tanh" -> x.tanh();
            case "sigmoid" -> x.sigmoid();
            case "gelu" -> x.gelu();
            default -> x.relu();
        };
    }

    /** Dropout masks for one training step: each site's {@code [B, width]} of 0 and 1/(1−rate). */
    @FunctionalInterface
    public interface Masks {
        INDArray mask(Dropout site, int batch);

        /** Masks drawn from {@code rng}, site by site in forward order. */
        static Masks from(SplittableRandom rng) {
            return (d, batch) -> {
                float keep = (float) (1 - d.rate());
                float scale = 1f / keep;
                float[] mk = new float[batch * d.width()];
                for (int i = 0; i < mk.length; i++) {
                    mk[i] = rng.nextDouble() < keep ? scale : 0f;
                }
                return Nd4j.create(mk, new long[] {batch, d.width()}, DataType.FLOAT);
            };
        }
    }

    /** The parameters as constants of {@code tape}: for inference. */
    public Map<String, Var> constants(Tape tape) {
        Map<String, Var> m = new LinkedHashMap<>();
        params.forEach((k, v) -> m.put(k, tape.constant(v)));
        return m;
    }

    /** The parameters as trainable leaves of {@code tape}: for a training step. */
    public Map<String, Var> trainable(Tape tape) {
        Map<String, Var> m = new LinkedHashMap<>();
        params.forEach((k, v) -> m.put(k, tape.param(v)));
        return m;
    }

    public ModelSpec spec() {
        return spec;
    }

    /**
     * This transformer at time-reduction stride {@code stride}, sharing this network's parameter
     * arrays (training one trains the other): once-for-all sequence compression trains one set of
     * weights across strides and evaluates it at each.
     */
    public Network atStride(int stride) {
        if (!(spec instanceof TransformerSpec t)) {
            throw new SpecException(spec.describe() + " has no time reduction; strides apply to transformer students "
                    + "(speech or vit)");
        }
        if (stride == t.stride()) {
            return this;
        }
        Network n = new Network(t.withStride(stride));
        n.params.putAll(params);
        n.inits.putAll(inits);
        n.dropouts.addAll(dropouts);
        return n;
    }

    public List<String> parameterNames() {
        return List.copyOf(params.keySet());
    }

    /**
     * Weights the last training objective added (projections, extra heads), by name
     * ({@code aux.<name>}): trained with the model, never saved or counted.
     */
    public Map<String, INDArray> auxiliary() {
        return java.util.Collections.unmodifiableMap(auxiliary);
    }

    public List<String> auxiliaryNames() {
        return List.copyOf(auxiliary.keySet());
    }

    void setAuxiliary(Map<String, INDArray> aux) {
        auxiliary.clear();
        auxiliary.putAll(aux);
    }

    public List<Dropout> dropouts() {
        return List.copyOf(dropouts);
    }

    /** Parameters by name, in initialisation order; the arrays are live (writes change the model). */
    public Map<String, INDArray> parameters() {
        return java.util.Collections.unmodifiableMap(params);
    }

    @Override
    public long parameterCount() {
        long n = 0;
        for (INDArray a : params.values()) {
            n += a.length();
        }
        return n;
    }

    /** Copies parameter values in (same names and shapes), e.g. from a checkpoint. */
    public void setParameters(Map<String, INDArray> values) {
        for (Map.Entry<String, INDArray> e : params.entrySet()) {
            String p = e.getKey();
            INDArray v = values.get(p);
            INDArray arr = e.getValue();
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
        params.forEach((k, v) -> m.put(k, v.dup()));
        return m;
    }

    /** Logits for every row of {@code features}, in batches, without dropout. */
    public INDArray logits(INDArray features) {
        return outputs(features, List.of(LOGITS), 1000).get(LOGITS);
    }

    @Override
    public String describe() {
        return spec.describe();
    }

    @Override
    public String compact() {
        return spec.compact();
    }

    /** SHA-256 of the spec and every weight. */
    @Override
    public String fingerprint() {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            md.update(spec.compact().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            params.forEach((k, v) -> {
                md.update(k.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                float[] f = v.dup('c').data().asFloat();
                java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(f.length * 4);
                bb.asFloatBuffer().put(f);
                md.update(bb.array());
            });
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The named outputs a loss can use: {@code embedding}, {@code layer{i}}, {@code attention{i}}, {@code features}, {@code logits}. */
    @Override
    public List<String> outputNames() {
        if (outputNames == null) {
            Tape tape = Tape.inference();
            Map<String, Var> out = forward(tape, constants(tape), Nd4j.zeros(DataType.FLOAT, 1, spec.inputs()), null);
            out.forEach((k, v) -> outputShapes.put(k, Arrays.copyOfRange(v.shape(), 1, v.rank())));
            // embedding, then each layer's hidden states followed by its attention maps, features, heads, logits
            List<String> names = new ArrayList<>();
            if (out.containsKey(EMBEDDING)) {
                names.add(EMBEDDING);
            }
            for (int i = 0; out.containsKey(layer(i)); i++) {
                names.add(layer(i));
                if (out.containsKey(attention(i))) {
                    names.add(attention(i));
                }
            }
            out.keySet().stream().filter(k -> !names.contains(k)).forEach(names::add);
            outputNames = List.copyOf(names);
        }
        return outputNames;
    }

    /** The shape of one example's output {@code name}, e.g. {@code [49, 64]} for a transformer layer. */
    @Override
    public long[] outputShape(String name) {
        checkOutput(name);
        return outputShapes.get(name).clone();
    }

    /**
     * Outputs {@code names} for every row of {@code features}, without dropout, each flattened to
     * {@code [N, prod(outputShape)]} so that rows can be batched like logits.
     */
    @Override
    public Map<String, INDArray> outputs(INDArray features, List<String> names) {
        return outputs(features, names, 500);
    }

    private Map<String, INDArray> outputs(INDArray features, List<String> names, int batch) {
        names.forEach(this::checkOutput);
        int n = (int) features.rows();
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String name : names) {
            long w = 1;
            for (long d : outputShapes.get(name)) {
                w *= d;
            }
            out.put(name, Nd4j.create(DataType.FLOAT, n, w));
        }
        for (int s = 0; s < n; s += batch) {
            int e = Math.min(n, s + batch);
            INDArray x = features.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(s, e),
                    org.nd4j.linalg.indexing.NDArrayIndex.all());
            try (MemoryWorkspace ws = inferenceMemory()) {
                Map<String, Var> r = run(x);
                for (String name : names) {
                    INDArray a = r.get(name).value();
                    out.get(name).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(s, e),
                            org.nd4j.linalg.indexing.NDArrayIndex.all()).assign(a.reshape('c', a.size(0), a.length() / a.size(0)));
                }
            }
        }
        return out;
    }

    private void checkOutput(String name) {
        if (!outputNames().contains(name)) {
            throw new SpecException(spec.describe() + " has no output '" + name + "'; it has " + String.join(", ", outputNames()));
        }
    }

    /** Every named output for one batch, without dropout. */
    public Map<String, INDArray> run(INDArray batch, List<String> names) {
        names.forEach(this::checkOutput);
        Map<String, INDArray> out = new LinkedHashMap<>();
        try (MemoryWorkspace ws = inferenceMemory()) {
            Map<String, Var> r = run(batch);
            for (String name : names) {
                out.put(name, r.get(name).value().detach());
            }
        }
        return out;
    }

    /**
     * Inference batches run in a memory workspace of their own, reused batch after batch; results
     * leave it as copies. Without it every batch's activations would wait for the garbage collector.
     */
    private static MemoryWorkspace inferenceMemory() {
        return Memory.open("distillery-inference");
    }

    private Map<String, Var> run(INDArray batch) {
        Tape tape = Tape.inference();
        return forward(tape, constants(tape), batch, null);
    }

    /** Logits for one batch, without dropout. */
    public INDArray forward(INDArray batch) {
        try (MemoryWorkspace ws = inferenceMemory()) {
            return run(batch).get(LOGITS).value().detach();
        }
    }

    @Override
    public String toString() {
        return spec.describe() + " (" + String.format("%,d", parameterCount()) + " parameters)";
    }
}
