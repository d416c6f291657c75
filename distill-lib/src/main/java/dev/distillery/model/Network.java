package dev.distillery.model;

import dev.distillery.backend.Backend;
import dev.distillery.backend.Seeds;
import dev.distillery.nn.Dropout;
import dev.distillery.nn.Forward;
import dev.distillery.nn.Init;
import dev.distillery.nn.Masks;
import dev.distillery.nn.Model;
import dev.distillery.nn.Outputs;
import dev.distillery.nn.Parameter;
import dev.distillery.spec.SpecException;
import dev.distillery.tensor.Memory;
import dev.distillery.tensor.Tape;
import dev.distillery.tensor.Var;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A trainable model: the {@link Model} a {@link ModelSpec} composes, with a value for each of its
 * parameters (named by module path, e.g. {@code blocks.0.attn.q.weight}). The forward pass runs on a
 * {@link Tape}, from input {@code [B, inputs]} to {@value #LOGITS} {@code [B, outputs]} and every
 * other named output. Training runs it with a recording tape and dropout masks drawn from
 * Distillery's seeded streams; inference runs it on a tape that records nothing.
 */
public final class Network implements Layered {

    public static final String INPUT = "input";
    public static final String LOGITS = Outputs.LOGITS;
    /** Transformer outputs by name: the embedding, layer {@code i}'s hidden states and attention maps. */
    public static final String EMBEDDING = Outputs.EMBEDDING;
    /** The representation the classifier reads: the last hidden layer, or the transformer's pooled output. */
    public static final String FEATURES = Outputs.FEATURES;

    public static String layer(int i) {
        return Outputs.layer(i);
    }

    public static String attention(int i) {
        return Outputs.attention(i);
    }

    private final ModelSpec spec;
    private final Model model;
    private final Map<String, Parameter> declared;
    private final Map<String, INDArray> params = new LinkedHashMap<>();
    private final Map<String, INDArray> auxiliary = new LinkedHashMap<>();
    private List<String> outputNames;
    private final Map<String, long[]> outputShapes = new LinkedHashMap<>();

    /** {@code shared}: the parameter arrays to use (another view of the same weights), or null for new zeros. */
    private Network(ModelSpec spec, Map<String, INDArray> shared) {
        this.spec = spec;
        this.model = spec.compose();
        this.declared = model.parameters();
        declared.forEach((name, p) ->
                params.put(name, shared != null ? shared.get(name) : Nd4j.zeros(DataType.FLOAT, p.shape())));
    }

    /**
     * Builds the spec's modules and initialises every parameter, in declaration order, from one
     * stream of {@code seed} (He-scaled before ReLU and GELU, Xavier-scaled otherwise; see {@link Init}).
     */
    public static Network build(ModelSpec spec, long seed) {
        Backend.start();
        Network n = new Network(spec, null);
        SplittableRandom rng = Seeds.stream(seed, "init", 0);
        n.declared.forEach((name, p) -> p.init().apply(n.params.get(name), rng));
        return n;
    }

    /** The modules this network runs: types, settings and parameter shapes, inspectable and printable ({@link Model#tree()}). */
    public Model model() {
        return model;
    }

    /**
     * The forward pass of {@code batch} ({@code [B, inputs]}) on {@code tape}, with the parameters
     * as {@code p} gives them by name (trainable on a recording tape, constants otherwise) and
     * dropout masks from {@code masks} (null: no dropout). Returns every named output.
     */
    public Map<String, Var> forward(Tape tape, Map<String, Var> p, INDArray batch, Masks masks) {
        if (batch.rank() != 2 || batch.columns() != spec.inputs()) {
            throw new IllegalArgumentException(spec.describe() + " takes inputs of shape [B, " + spec.inputs()
                    + "], got " + Arrays.toString(batch.shape()));
        }
        Map<Parameter, Var> values = new IdentityHashMap<>();
        declared.forEach((name, param) -> values.put(param, p.get(name)));
        Forward f = new Forward(tape, values, batch.rows(), masks);
        try {
            return model.forward(f, tape.constant(batch));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(spec.describe() + ": " + e.getMessage(), e);
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
        return new Network(t.withStride(stride), params);
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

    /** Replaces the auxiliary parameters (projections and heads that training adds), as a checkpoint restores them. */
    public void setAuxiliary(Map<String, INDArray> aux) {
        auxiliary.clear();
        auxiliary.putAll(aux);
    }

    /** The dropout sites, in the order a training step draws their masks. */
    public List<Dropout> dropouts() {
        return model.dropouts();
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

    /**
     * Copies parameter values in (same names and shapes), e.g. from a checkpoint; weights saved
     * under the names earlier versions used are recognised ({@link #withCurrentNames}).
     */
    public void setParameters(Map<String, INDArray> saved) {
        Map<String, INDArray> values = withCurrentNames(saved);
        for (Map.Entry<String, INDArray> e : params.entrySet()) {
            String p = e.getKey();
            INDArray v = values.get(p);
            INDArray arr = e.getValue();
            if (v == null) {
                throw new SpecException(
                        "parameter '" + p + "' of " + spec.describe() + " is missing from the saved weights");
            }
            if (!Arrays.equals(v.shape(), arr.shape())) {
                throw new SpecException("parameter '" + p + "' of " + spec.describe() + " has shape "
                        + Arrays.toString(arr.shape()) + " but the saved weights have " + Arrays.toString(v.shape()));
            }
            arr.assign(v);
        }
    }

    /**
     * {@code saved} with parameter names as this version gives them: weights saved before models
     * were built from modules ({@code w0}, {@code t.layer0.q.w}) are renamed by position, since both
     * versions declare parameters in the same order; other names pass through unchanged.
     */
    public Map<String, INDArray> withCurrentNames(Map<String, INDArray> saved) {
        return LegacyNames.upgrade(spec, parameterNames(), saved);
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

    /**
     * Writes this network as an ONNX model (opset {@value OnnxExport#OPSET}, dynamic batch) with output
     * {@code logits} and the {@code extra} named outputs; see {@link OnnxExport}.
     */
    public void exportOnnx(java.nio.file.Path file, String... extra) {
        OnnxExport.write(this, file, List.of(extra), false);
    }

    /** As {@link #exportOnnx}, with linear and convolution weights quantised to int8 per output channel. */
    public void exportOnnxInt8(java.nio.file.Path file, String... extra) {
        OnnxExport.write(this, file, List.of(extra), true);
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

    /**
     * Values a transformer's inference holds per position, per unit of width, per layer: measured 41
     * for a {@code text:2x64} student (0.67 MB a row of 32 tokens), every intermediate array of the
     * layer's ops, since the inference workspace frees nothing until the batch ends.
     */
    private static final long TRANSFORMER_VALUES_PER_POSITION_WIDTH_LAYER = 41;

    /** The inference workspace's aim for a transformer's batch: 16 M values (64 MB). */
    private static final long INFERENCE_BATCH_VALUES = 16L << 20;

    /**
     * Rows per inference batch: {@code most}, or for a transformer as many as keep the batch's
     * intermediate arrays near {@link #INFERENCE_BATCH_VALUES} (at least 32): validating a {@code
     * text:2x64} student on 1,000 sentences held a 671 MB inference workspace, now 66 MB. The rows per
     * batch can move a result's last digit (BLAS blocks a product by its row count), never its
     * repeatability: the same model and data always run in the same batches.
     */
    private int inferenceRows(int most) {
        if (!(spec instanceof TransformerSpec t)) {
            return most;
        }
        long perRow = TRANSFORMER_VALUES_PER_POSITION_WIDTH_LAYER * t.length() * t.width() * t.depth();
        return (int) Math.max(32, Math.min(most, INFERENCE_BATCH_VALUES / perRow));
    }

    @SuppressWarnings("try") // the workspace is entered for its scope: the body's arrays live in it
    private Map<String, INDArray> outputs(INDArray features, List<String> names, int most) {
        names.forEach(this::checkOutput);
        int batch = inferenceRows(most);
        int n = features.rows();
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
            INDArray x = features.get(
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(s, e), org.nd4j.linalg.indexing.NDArrayIndex.all());
            try (Memory.Pass pass = inferenceMemory()) {
                Map<String, Var> r = run(x);
                for (String name : names) {
                    INDArray a = r.get(name).value();
                    out.get(name)
                            .get(
                                    org.nd4j.linalg.indexing.NDArrayIndex.interval(s, e),
                                    org.nd4j.linalg.indexing.NDArrayIndex.all())
                            .assign(a.reshape('c', a.size(0), a.length() / a.size(0)));
                }
            }
        }
        return out;
    }

    private void checkOutput(String name) {
        if (!outputNames().contains(name)) {
            throw new SpecException(
                    spec.describe() + " has no output '" + name + "'; it has " + String.join(", ", outputNames()));
        }
    }

    /** Every named output for one batch, without dropout. */
    @SuppressWarnings("try") // the workspace is entered for its scope: the body's arrays live in it
    public Map<String, INDArray> run(INDArray batch, List<String> names) {
        names.forEach(this::checkOutput);
        Map<String, INDArray> out = new LinkedHashMap<>();
        try (Memory.Pass pass = inferenceMemory()) {
            Map<String, Var> r = run(batch);
            for (String name : names) {
                out.put(name, r.get(name).value().detach());
            }
        }
        return out;
    }

    /**
     * Inference batches run in a memory workspace reused batch after batch (a training step's, when
     * no step is open); results leave it as copies. Without it every batch's activations would wait
     * for the garbage collector.
     */
    private static Memory.Pass inferenceMemory() {
        return Memory.open();
    }

    private Map<String, Var> run(INDArray batch) {
        Tape tape = Tape.inference();
        return forward(tape, constants(tape), batch, null);
    }

    /** Logits for one batch, without dropout. */
    @SuppressWarnings("try") // the workspace is entered for its scope: the body's arrays live in it
    public INDArray forward(INDArray batch) {
        try (Memory.Pass pass = inferenceMemory()) {
            return run(batch).get(LOGITS).value().detach();
        }
    }

    @Override
    public String toString() {
        return spec.describe() + " (" + String.format("%,d", parameterCount()) + " parameters)";
    }
}
