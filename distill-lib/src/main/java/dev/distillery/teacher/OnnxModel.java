package dev.distillery.teacher;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.distillery.data.DataLocator;
import dev.distillery.model.Layered;
import dev.distillery.model.Network;
import dev.distillery.spec.SpecException;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Any ONNX model whose input is a float tensor, as a teacher: an image classifier exported from
 * PyTorch, an audio model, a tabular model. It reads a data set's rows (each row one example,
 * images as channels × height × width) through its {@link Input}: reshaped to the model's layout,
 * resized and normalised per channel as declared. Its outputs are the graph nodes named in
 * {@link Options#outputs()} under the names losses use ({@code logits}, {@code features},
 * {@code layer0}, …; by default {@code logits} is the graph's first output), each one example's
 * shape read from a run of one example when the model is loaded. Runs in ONNX Runtime.
 *
 * <p>A graph whose input holds integers (token ids) is a text encoder ({@link OnnxTeacher}); see
 * {@link #inputKind}.
 */
public final class OnnxModel implements Layered {

    /** How a model's input is laid out, one example: {@code [C, H, W]}, {@code [H, W, C]}, {@code [D]} or {@code [T, F]}. */
    public enum Layout {
        NCHW,
        NHWC,
        FLAT,
        FRAMES;

        public static Layout parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new SpecException("layout '" + s + "' is not one of nchw, nhwc (images), flat (a vector per "
                        + "example) or frames (time × features)");
            }
        }
    }

    /**
     * How to read the model: its layout (null: from the input's shape), the image size it takes
     * ({@code [H, W]}, for an input whose size is not fixed, or to resize to; null: the model's),
     * per-channel mean and std subtracted and divided after resizing (null: none), the outputs by
     * name (null: {@code logits} from the graph's first output), and ONNX Runtime threads.
     */
    public record Options(
            Layout layout, int[] size, float[] mean, float[] std, Map<String, String> outputs, int threads) {

        public static Options defaults() {
            return new Options(null, null, null, null, null, 1);
        }

        public Options layout(Layout l) {
            return new Options(l, size, mean, std, outputs, threads);
        }

        public Options size(int height, int width) {
            return new Options(layout, new int[] {height, width}, mean, std, outputs, threads);
        }

        public Options normalise(float[] channelMean, float[] channelStd) {
            return new Options(layout, size, channelMean, channelStd, outputs, threads);
        }

        /** {@code logits=NODE,features=NODE,layer0=NODE,…}: graph node outputs by the names losses use. */
        public Options outputs(Map<String, String> byName) {
            return new Options(layout, size, mean, std, new LinkedHashMap<>(byName), threads);
        }

        public Options threads(int n) {
            return new Options(layout, size, mean, std, outputs, n);
        }

        /** Parses {@code logits=NODE,features=NODE}. */
        public static Map<String, String> parseOutputs(String text) {
            Map<String, String> m = new LinkedHashMap<>();
            for (String part : text.split(",")) {
                int eq = part.indexOf('=');
                if (eq <= 0 || eq == part.length() - 1) {
                    throw new SpecException("outputs '" + text + "': '" + part + "' is not NAME=NODE; e.g. "
                            + "logits=/fc/Gemm_output_0,features=/flatten/Flatten_output_0");
                }
                m.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
            }
            return m;
        }
    }

    /** What a model reads, as resolved when it was loaded: layout, one example's shape, normalisation. */
    public record Input(String name, Layout layout, long[] shape, float[] mean, float[] std) {

        /** Channels, height and width of an image input (whatever the layout). */
        int[] chw() {
            return layout == Layout.NHWC
                    ? new int[] {(int) shape[2], (int) shape[0], (int) shape[1]}
                    : new int[] {(int) shape[0], (int) shape[1], (int) shape[2]};
        }

        long size() {
            return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        }

        String describe() {
            return layout.name().toLowerCase(Locale.ROOT) + " " + Arrays.toString(shape);
        }
    }

    /** The element type of a graph's first input: whether it is a float model or a token-id encoder. */
    public enum InputKind {
        FLOAT,
        TOKEN_IDS,
        OTHER
    }

    private final String name;
    private final String sha256;
    private final Input input;
    private final Map<String, String> outputs;
    private final Map<String, long[]> shapes = new LinkedHashMap<>();
    private final long parameters;
    private final OrtSession session;
    private final String device;
    private int batch = 64;

    private OnnxModel(
            String name,
            String sha256,
            Input input,
            Map<String, String> outputs,
            long parameters,
            OrtSession session,
            String device) {
        this.name = name;
        this.sha256 = sha256;
        this.input = input;
        this.outputs = outputs;
        this.parameters = parameters;
        this.session = session;
        this.device = device;
    }

    /** The kind of the model's first input, read from the file: float, integer token ids, or other. */
    public static InputKind inputKind(Path file) {
        byte[] bytes = read(file);
        try (OrtSession s = OrtEnvironment.getEnvironment().createSession(bytes)) {
            NodeInfo in = s.getInputInfo().values().iterator().next();
            if (!(in.getInfo() instanceof TensorInfo t)) {
                return InputKind.OTHER;
            }
            return switch (t.type) {
                case FLOAT, DOUBLE, FLOAT16, BFLOAT16 -> InputKind.FLOAT;
                case INT64, INT32 -> InputKind.TOKEN_IDS;
                default -> InputKind.OTHER;
            };
        } catch (OrtException e) {
            throw new SpecException(file + " is not an ONNX model ONNX Runtime can load (" + OrtSessions.firstLine(e)
                    + "); export the model again, or check the path");
        }
    }

    /** Loads {@code file} as the options say; the chosen nodes are run once on one example to learn their shapes. */
    public static OnnxModel load(Path file, Options o) {
        byte[] original = read(file);
        String name = file.getFileName().toString().replaceFirst("\\.onnx$", "");
        Map<String, String> outs = o.outputs();
        List<String> graphOutputs = OnnxGraph.outputs(original);
        if (outs == null || outs.isEmpty()) {
            outs = new LinkedHashMap<>();
            outs.put(Network.LOGITS, graphOutputs.get(0));
        }
        List<String> known = new ArrayList<>(graphOutputs);
        OnnxGraph.nodeOutputs(original).stream().filter(n -> !known.contains(n)).forEach(known::add);
        for (Map.Entry<String, String> e : outs.entrySet()) {
            if (!known.contains(e.getValue())) {
                throw new SpecException(file + " has no node output '" + e.getValue() + "' (asked for as "
                        + e.getKey() + "); list its nodes with --list (Java: OnnxModel.list), e.g. "
                        + String.join(", ", known.subList(Math.max(0, known.size() - 6), known.size())));
            }
        }
        byte[] exposed = OnnxGraph.withOutputs(
                original,
                outs.values().stream().filter(n -> !graphOutputs.contains(n)).toList());
        try {
            OrtSessions.Opened opened = OrtSessions.open(OrtEnvironment.getEnvironment(), exposed, o.threads());
            OrtSession s = opened.session();
            Input in = resolveInput(file, s, o);
            OnnxModel m = new OnnxModel(
                    name,
                    DataLocator.sha256(original),
                    in,
                    java.util.Collections.unmodifiableMap(new LinkedHashMap<>(outs)),
                    OnnxGraph.parameterCount(original),
                    s,
                    opened.device());
            m.learnShapes(new LinkedHashMap<>(outs));
            OrtSessions.releaseModelBytes();
            return m;
        } catch (OrtException e) {
            throw new SpecException(file + " could not be opened by ONNX Runtime (" + OrtSessions.firstLine(e) + ")");
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new SpecException("ONNX model " + file + " does not exist (working directory is "
                    + Path.of("").toAbsolutePath() + ")");
        } catch (IOException e) {
            throw new SpecException("cannot read ONNX model " + file + ": " + e.getMessage());
        }
    }

    private static Input resolveInput(Path file, OrtSession s, Options o) throws OrtException {
        Map.Entry<String, NodeInfo> first =
                s.getInputInfo().entrySet().iterator().next();
        if (!(first.getValue().getInfo() instanceof TensorInfo t) || t.type != OnnxJavaType.FLOAT) {
            throw new SpecException(file + "'s input '" + first.getKey() + "' is "
                    + first.getValue().getInfo()
                    + ", not a float tensor; a model that reads token ids is a text encoder: load it with a tokenizer "
                    + "(%teacher --onnx FILE --tokenizer tokenizer.json)");
        }
        long[] full = t.getShape();
        long[] shape = Arrays.copyOfRange(full, 1, full.length);
        Layout layout = o.layout() != null ? o.layout() : guessLayout(shape);
        if (shape.length
                != switch (layout) {
                    case NCHW, NHWC -> 3;
                    case FRAMES -> 2;
                    case FLAT -> 1;
                }) {
            throw new SpecException(file + "'s input '" + first.getKey() + "' has shape " + Arrays.toString(full)
                    + ", which is not " + layout.name().toLowerCase(Locale.ROOT) + "; give the layout that fits: "
                    + "nchw or nhwc for rank 4, frames for rank 3, flat for rank 2");
        }
        if (o.size() != null && (layout == Layout.NCHW || layout == Layout.NHWC)) {
            int h = layout == Layout.NCHW ? 1 : 0;
            for (int i = 0; i < 2; i++) {
                if (shape[h + i] > 0 && shape[h + i] != o.size()[i]) {
                    throw new SpecException(file + " takes images of " + shape[h] + " × " + shape[h + 1]
                            + " pixels; the size given, " + o.size()[0] + " × " + o.size()[1] + ", differs");
                }
                shape[h + i] = o.size()[i];
            }
        }
        for (long d : shape) {
            if (d <= 0) {
                throw new SpecException(file + "'s input '" + first.getKey() + "' has a size not fixed in the file "
                        + Arrays.toString(full) + "; give it: --size HxW for images (Java: Options.size)");
            }
        }
        int channels = layout == Layout.NCHW ? (int) shape[0] : layout == Layout.NHWC ? (int) shape[2] : 0;
        for (float[] v : java.util.Arrays.asList(o.mean(), o.std())) {
            if (v != null && v.length != channels && v.length != 1) {
                throw new SpecException("mean and std give one value per channel: " + file + " takes " + channels
                        + " channels, " + v.length + " values were given");
            }
        }
        return new Input(first.getKey(), layout, shape, o.mean(), o.std());
    }

    /** Rank 3 with 1 or 3 first is channels first; with 1 or 3 last, channels last; rank 2 frames; rank 1 flat. */
    private static Layout guessLayout(long[] shape) {
        return switch (shape.length) {
            case 1 -> Layout.FLAT;
            case 2 -> Layout.FRAMES;
            case 3 -> (shape[2] == 1 || shape[2] == 3) && !(shape[0] == 1 || shape[0] == 3) ? Layout.NHWC : Layout.NCHW;
            default ->
                throw new SpecException("an input of rank " + (shape.length + 1)
                        + " is not an image, frames or a vector; Distillery reads rank 2, 3 or 4 inputs");
        };
    }

    /** Runs one zero example through the chosen nodes: their shapes, and whether logits are class scores. */
    private void learnShapes(Map<String, String> outs) {
        run(Nd4j.zeros(DataType.FLOAT, 1, input.size()), new ArrayList<>(outs.keySet()), true);
        if (shapes.containsKey(Network.LOGITS) && shapes.get(Network.LOGITS).length != 1) {
            throw new SpecException(
                    name + ": the output mapped to logits (" + outs.get(Network.LOGITS) + ") gives "
                            + Arrays.toString(shapes.get(Network.LOGITS))
                            + " per example, not one score per class; map "
                            + "logits to the node with the class scores, or name this one features and distil it with a features loss");
        }
    }

    /** Rows per ONNX Runtime call. */
    public OnnxModel batch(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("batch must be positive, got " + n);
        }
        this.batch = n;
        return this;
    }

    public Input input() {
        return input;
    }

    /** Where ONNX Runtime runs it: {@code CPU} or {@code CUDA:0}. */
    public String device() {
        return device;
    }

    /** The graph node behind each output name. */
    public Map<String, String> nodes() {
        return outputs;
    }

    @Override
    public List<String> outputNames() {
        return new ArrayList<>(shapes.keySet());
    }

    @Override
    public long[] outputShape(String output) {
        long[] s = shapes.get(output);
        if (s == null) {
            throw new SpecException(
                    describe() + " has no output '" + output + "'; it has " + String.join(", ", shapes.keySet())
                            + (output.equals(Network.LOGITS)
                                    ? " (map the class scores with --outputs logits=NODE)"
                                    : " (map more nodes with --outputs NAME=NODE; --list shows them)"));
        }
        return s.clone();
    }

    @Override
    public Map<String, INDArray> outputs(INDArray features, List<String> names) {
        names.forEach(this::outputShape);
        long d = features.columns();
        if (features.rank() != 2 || !fits(d)) {
            throw new SpecException(describe() + " reads " + input.describe() + " per example (" + input.size()
                    + " values" + (isImage() ? ", or an image of another size to resize, or 1 channel to repeat" : "")
                    + "); the data gives " + d + " values per row" + dataShape(d)
                    + (isImage() ? "; give the model's --layout and --size" : ""));
        }
        int n = features.rows();
        Map<String, float[]> out = new LinkedHashMap<>();
        Map<String, Integer> per = new LinkedHashMap<>();
        for (String name : names) {
            int w = Math.toIntExact(Arrays.stream(shapes.get(name)).reduce(1, (a, b) -> a * b));
            per.put(name, w);
            out.put(name, new float[Math.toIntExact((long) n * w)]);
        }
        for (int s = 0; s < n; s += batch) {
            int e = Math.min(n, s + batch);
            Map<String, float[][]> b = run(
                    features.get(
                            org.nd4j.linalg.indexing.NDArrayIndex.interval(s, e),
                            org.nd4j.linalg.indexing.NDArrayIndex.all()),
                    names,
                    false);
            for (String name : names) {
                float[][] rows = b.get(name);
                for (int i = 0; i < rows.length; i++) {
                    System.arraycopy(rows[i], 0, out.get(name), (s + i) * per.get(name), per.get(name));
                }
            }
        }
        Map<String, INDArray> result = new LinkedHashMap<>();
        out.forEach((k, v) -> result.put(k, Nd4j.create(v, new long[] {n, per.get(k)}, DataType.FLOAT)));
        return result;
    }

    private boolean isImage() {
        return input.layout() == Layout.NCHW || input.layout() == Layout.NHWC;
    }

    /** Whether rows of {@code d} values can be read: the model's size, or an image this model resizes or repeats. */
    private boolean fits(long d) {
        return d == input.size() || (isImage() && imageOf(d) != null);
    }

    /** A row of {@code d} values as a square image of 1 or the model's channels: {C, H, W}, or null. */
    private int[] imageOf(long d) {
        int c = input.chw()[0];
        for (int ch : c == 1 ? new int[] {1} : new int[] {c, 1}) {
            if (d % ch == 0) {
                long side = Math.round(Math.sqrt(d / (double) ch));
                if (side * side * ch == d) {
                    return new int[] {ch, (int) side, (int) side};
                }
            }
        }
        return null;
    }

    private String dataShape(long d) {
        int[] img = isImage() ? imageOf(d) : null;
        return img == null ? "" : " (an image of " + img[0] + " × " + img[1] + " × " + img[2] + ")";
    }

    /** Runs rows {@code x} and returns each named output as one flat row per example; {@code learn} records shapes. */
    private Map<String, float[][]> run(INDArray x, List<String> names, boolean learn) {
        int n = x.rows();
        float[] prepared = prepare(x);
        long[] shape = new long[input.shape().length + 1];
        shape[0] = n;
        System.arraycopy(input.shape(), 0, shape, 1, input.shape().length);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(prepared), shape);
                OrtSession.Result r = session.run(Map.of(input.name(), t))) {
            Map<String, float[][]> out = new LinkedHashMap<>();
            for (String name : names) {
                String node = outputs.get(name);
                OnnxValue v = r.get(node).orElseThrow(() -> new SpecException("ONNX Runtime gave no '" + node + "'"));
                if (!(v instanceof OnnxTensor ot) || ot.getInfo().type != OnnxJavaType.FLOAT) {
                    throw new SpecException(describe() + ": node output '" + node + "' (" + name + ") is " + v.getInfo()
                            + ", not a float tensor; map a float node");
                }
                long[] os = ot.getInfo().getShape();
                if (os.length == 0 || os[0] != n) {
                    throw new SpecException(describe() + ": node output '" + node + "' (" + name + ") has shape "
                            + Arrays.toString(os) + ", without the batch first; map a node with one row per example");
                }
                if (learn) {
                    shapes.put(name, Arrays.copyOfRange(os, 1, os.length));
                }
                FloatBuffer fb = ot.getFloatBuffer();
                int w = fb.remaining() / n;
                float[][] rows = new float[n][w];
                for (int i = 0; i < n; i++) {
                    fb.get(rows[i]);
                }
                out.put(name, rows);
            }
            return out;
        } catch (OrtException e) {
            throw new SpecException(describe() + " failed in ONNX Runtime: " + OrtSessions.firstLine(e));
        }
    }

    /** Rows as the model reads them: images resized, channels repeated, normalised, in its layout. */
    private float[] prepare(INDArray x) {
        int n = x.rows();
        float[] rows = x.castTo(DataType.FLOAT).dup('c').data().asFloat();
        long d = x.columns();
        if (!isImage()) {
            return normalised(rows);
        }
        int[] want = input.chw();
        int[] have = d == input.size() ? want : imageOf(d);
        int plane = want[1] * want[2];
        float[] out = new float[n * want[0] * plane];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < want[0]; c++) {
                int from = (int) (i * d + (long) Math.min(c, have[0] - 1) * have[1] * have[2]);
                float[] img = have[1] == want[1] && have[2] == want[2]
                        ? Arrays.copyOfRange(rows, from, from + plane)
                        : bilinear(rows, from, have[1], have[2], want[1], want[2]);
                for (int p = 0; p < plane; p++) {
                    float v = img[p];
                    if (input.mean() != null) {
                        v -= input.mean()[input.mean().length == 1 ? 0 : c];
                    }
                    if (input.std() != null) {
                        v /= input.std()[input.std().length == 1 ? 0 : c];
                    }
                    int at = input.layout() == Layout.NCHW
                            ? (i * want[0] + c) * plane + p
                            : (i * plane + p) * want[0] + c;
                    out[at] = v;
                }
            }
        }
        return out;
    }

    private float[] normalised(float[] v) {
        if (input.mean() == null && input.std() == null) {
            return v;
        }
        for (int i = 0; i < v.length; i++) {
            if (input.mean() != null) {
                v[i] -= input.mean()[0];
            }
            if (input.std() != null) {
                v[i] /= input.std()[0];
            }
        }
        return v;
    }

    /** One channel of {@code h × w} pixels at {@code from}, resized to {@code oh × ow} (bilinear, pixel centres aligned). */
    static float[] bilinear(float[] src, int from, int h, int w, int oh, int ow) {
        float[] out = new float[oh * ow];
        for (int y = 0; y < oh; y++) {
            double sy = Math.max(0, (y + 0.5) * h / oh - 0.5);
            int y0 = Math.min((int) sy, h - 1);
            int y1 = Math.min(y0 + 1, h - 1);
            double fy = sy - y0;
            for (int x = 0; x < ow; x++) {
                double sx = Math.max(0, (x + 0.5) * w / ow - 0.5);
                int x0 = Math.min((int) sx, w - 1);
                int x1 = Math.min(x0 + 1, w - 1);
                double fx = sx - x0;
                double top = src[from + y0 * w + x0] * (1 - fx) + src[from + y0 * w + x1] * fx;
                double bottom = src[from + y1 * w + x0] * (1 - fx) + src[from + y1 * w + x1] * fx;
                out[y * ow + x] = (float) (top * (1 - fy) + bottom * fy);
            }
        }
        return out;
    }

    /**
     * Every input, output and node of {@code file} with each node output's shape from a run of one
     * zero example (read as {@code o} says), one line each: what {@code --outputs} can name.
     */
    public static String list(Path file, Options o) {
        byte[] original = read(file);
        List<String> all = OnnxGraph.nodeOutputs(original);
        byte[] exposed = OnnxGraph.withOutputs(original, all, false);
        StringBuilder s = new StringBuilder();
        try (OrtSession session = OrtEnvironment.getEnvironment().createSession(exposed)) {
            s.append("inputs:\n");
            session.getInputInfo()
                    .forEach((k, v) -> s.append("  ")
                            .append(k)
                            .append("  ")
                            .append(v.getInfo())
                            .append('\n'));
            s.append("outputs: ")
                    .append(String.join(", ", OnnxGraph.outputs(original)))
                    .append('\n');
            Input in = resolveInput(file, session, o);
            long[] shape = new long[in.shape().length + 1];
            shape[0] = 1;
            System.arraycopy(in.shape(), 0, shape, 1, in.shape().length);
            Map<String, long[]> shapes = new LinkedHashMap<>();
            try (OnnxTensor t = OnnxTensor.createTensor(
                            OrtEnvironment.getEnvironment(), FloatBuffer.wrap(new float[(int) in.size()]), shape);
                    OrtSession.Result r = session.run(Map.of(in.name(), t))) {
                for (Map.Entry<String, OnnxValue> e : r) {
                    if (e.getValue() instanceof OnnxTensor ot) {
                        shapes.put(e.getKey(), ot.getInfo().getShape());
                    }
                }
            }
            s.append("nodes (operator, name → output [its shape for a batch of one]):\n");
            for (OnnxGraph.Node n : OnnxGraph.nodes(original)) {
                for (String out : n.outputs()) {
                    long[] sh = shapes.get(out);
                    s.append(String.format(
                            "  %-18s %-36s → %s %s%n", n.op(), n.name(), out, sh == null ? "" : Arrays.toString(sh)));
                }
            }
            return s.toString();
        } catch (OrtException e) {
            throw new SpecException(
                    file + " could not be run by ONNX Runtime to list it (" + OrtSessions.firstLine(e) + ")");
        }
    }

    @Override
    public long parameterCount() {
        return parameters;
    }

    @Override
    public String describe() {
        return name + " (ONNX, reads " + input.describe() + ", outputs "
                + outputs.entrySet().stream().map(e -> e.getKey()).collect(Collectors.joining(", ")) + ")";
    }

    @Override
    public String compact() {
        return "onnx:" + name;
    }

    /** The file's SHA-256 and how it is read (input, normalisation, outputs): what decides the outputs. */
    @Override
    public String fingerprint() {
        return DataLocator.sha256(sha256 + "|" + input.describe() + "|" + Arrays.toString(input.mean()) + "|"
                + Arrays.toString(input.std()) + "|" + new java.util.TreeMap<>(outputs));
    }

    @Override
    public String toString() {
        return describe() + String.format(", %,d parameters", parameters);
    }
}
