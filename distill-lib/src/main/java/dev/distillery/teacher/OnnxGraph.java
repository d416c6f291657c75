package dev.distillery.teacher;

import dev.distillery.spec.SpecException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough of the ONNX file format (protocol buffers, read and written at the wire level) to
 * expose intermediate tensors: list the graph's node outputs, and copy a model with some of them
 * added as graph outputs, so that ONNX Runtime returns them with the model's own outputs. The
 * shipped encoders output only {@code last_hidden_state}; their per-layer hidden states are node
 * outputs of nodes named like {@code /encoder/layer.3/output/LayerNorm/Add_1}.
 *
 * <p>Fields used: {@code ModelProto.graph} (7); {@code GraphProto.node} (1) and {@code output}
 * (12); {@code NodeProto.output} (2); {@code ValueInfoProto.name} (1) and {@code type} (2);
 * {@code TypeProto.tensor_type} (1) and its {@code elem_type} (1, FLOAT = 1); to read weights,
 * {@code GraphProto.initializer} (5) and {@code TensorProto.dims} (1), {@code data_type} (2),
 * {@code float_data} (4), {@code name} (8) and {@code raw_data} (9). Every other field is copied
 * byte for byte.
 */
public final class OnnxGraph {

    /**
     * The nodes that make a BERT export's embedding output and each layer's output (their last layer
     * norm's final addition), by the names exporters give them. The last layer's node usually writes
     * {@code last_hidden_state} itself.
     */
    public static final Pattern EMBEDDING = Pattern.compile(".*embeddings/LayerNorm/Add_1");

    public static final Pattern LAYER = Pattern.compile(".*layer\\.(\\d+)/output/LayerNorm/Add_1");
    /** Each layer's attention probabilities: its self-attention softmax. */
    public static final Pattern ATTENTION = Pattern.compile(".*layer\\.(\\d+)/attention/self/Softmax");

    private static final int MODEL_GRAPH = 7;
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_OUTPUT = 12;
    private static final int NODE_OUTPUT = 2;
    private static final int NODE_NAME = 3;
    private static final int NODE_OP_TYPE = 4;

    private static final int GRAPH_INITIALIZER = 5;

    /** A weight stored in the graph: its name, shape, ONNX data type (1 = float, 3 = int8, ...) and element count. */
    public record Initializer(String name, long[] dims, int dataType, long elements) {}

    /** Every initializer (weight) of the graph. */
    public static List<Initializer> initializers(byte[] model) {
        List<Initializer> out = new ArrayList<>();
        for (Field f : fields(model, graph(model), "the graph")) {
            if (f.number == GRAPH_INITIALIZER && f.wire == LEN) {
                Tensor t = tensor(model, f);
                long n = 1;
                for (long d : t.dims) {
                    n *= d;
                }
                out.add(new Initializer(t.name, t.dims, t.dataType, n));
            }
        }
        return out;
    }

    /** Elements in all weight initializers (float, float16, int8, uint8; not integer constants): the model's parameter count. */
    public static long parameterCount(byte[] model) {
        return initializers(model).stream()
                .filter(i -> java.util.Set.of(1, 2, 3, 10).contains(i.dataType()))
                .mapToLong(Initializer::elements)
                .sum();
    }

    /**
     * The first 2-D initializer whose name ends with {@code suffix}, as rows, or empty when there is
     * none; an error when it is not float.
     */
    public static java.util.Optional<float[][]> matrix(byte[] model, String suffix) {
        return initializers(model).stream()
                .filter(i -> i.name().endsWith(suffix) && i.dims().length == 2)
                .findFirst()
                .map(init -> {
                    float[] flat = floats(model, init.name());
                    int rows = (int) init.dims()[0];
                    int cols = (int) init.dims()[1];
                    float[][] out = new float[rows][cols];
                    for (int r = 0; r < rows; r++) {
                        System.arraycopy(flat, r * cols, out[r], 0, cols);
                    }
                    return out;
                });
    }

    /** The float initializer {@code name}, row-major, or an error naming the float initializers there are. */
    public static float[] floats(byte[] model, String name) {
        for (Field f : fields(model, graph(model), "the graph")) {
            if (f.number == GRAPH_INITIALIZER && f.wire == LEN) {
                Tensor t = tensor(model, f);
                if (!t.name.equals(name)) {
                    continue;
                }
                if (t.dataType != 1) {
                    throw new SpecException("initializer '" + name + "' holds ONNX data type " + t.dataType
                            + ", not float (a quantized model stores int8 weights; use the float model)");
                }
                long n = 1;
                for (long d : t.dims) {
                    n *= d;
                }
                float[] v = new float[Math.toIntExact(n)];
                if (t.rawLength > 0) {
                    java.nio.ByteBuffer.wrap(model, t.rawStart, t.rawLength)
                            .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                            .asFloatBuffer()
                            .get(v);
                } else if (t.floatLength > 0) {
                    java.nio.ByteBuffer.wrap(model, t.floatStart, t.floatLength)
                            .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                            .asFloatBuffer()
                            .get(v);
                }
                return v;
            }
        }
        throw new SpecException("the ONNX graph has no initializer '" + name + "'; float initializers: "
                + initializers(model).stream()
                        .filter(i -> i.dataType() == 1 && i.dims().length == 2)
                        .map(Initializer::name)
                        .limit(8)
                        .toList()
                + "…");
    }

    private record Tensor(
            String name, long[] dims, int dataType, int rawStart, int rawLength, int floatStart, int floatLength) {}

    private static Tensor tensor(byte[] model, Field f) {
        String name = "";
        List<Long> dims = new ArrayList<>();
        int type = 0;
        int rawStart = 0;
        int rawLength = 0;
        int floatStart = 0;
        int floatLength = 0;
        for (Field g : fields(model, f, "an initializer")) {
            if (g.number == 1 && g.wire == 0) {
                dims.add(readVarint(model, new int[] {g.start}, g.start + g.length, "a shape"));
            } else if (g.number == 1 && g.wire == LEN) {
                int[] pos = {g.start};
                while (pos[0] < g.start + g.length) {
                    dims.add(readVarint(model, pos, g.start + g.length, "a shape"));
                }
            } else if (g.number == 2 && g.wire == 0) {
                type = (int) readVarint(model, new int[] {g.start}, g.start + g.length, "a data type");
            } else if (g.number == 4 && g.wire == LEN) {
                floatStart = g.start;
                floatLength = g.length;
            } else if (g.number == 8 && g.wire == LEN) {
                name = new String(model, g.start, g.length, StandardCharsets.UTF_8);
            } else if (g.number == 9 && g.wire == LEN) {
                rawStart = g.start;
                rawLength = g.length;
            }
        }
        return new Tensor(
                name,
                dims.stream().mapToLong(Long::longValue).toArray(),
                type,
                rawStart,
                rawLength,
                floatStart,
                floatLength);
    }

    /** A node: its name, its operator (e.g. {@code Conv}) and its outputs. */
    public record Node(String name, String op, List<String> outputs) {}

    /** Every node of the model's graph, in order. */
    public static List<Node> nodes(byte[] model) {
        List<Node> out = new ArrayList<>();
        for (Field f : fields(model, graph(model), "the graph")) {
            if (f.number == GRAPH_NODE && f.wire == LEN) {
                String name = "";
                String op = "";
                List<String> outs = new ArrayList<>();
                for (Field g : fields(model, f, "a node")) {
                    if (g.wire != LEN) {
                        continue;
                    }
                    String v = new String(model, g.start, g.length, StandardCharsets.UTF_8);
                    if (g.number == NODE_OUTPUT) {
                        outs.add(v);
                    } else if (g.number == NODE_NAME) {
                        name = v;
                    } else if (g.number == NODE_OP_TYPE) {
                        op = v;
                    }
                }
                out.add(new Node(name, op, List.copyOf(outs)));
            }
        }
        return out;
    }

    private static final int LEN = 2;

    private OnnxGraph() {}

    /** Every node output of the model's graph, in node order. */
    public static List<String> nodeOutputs(byte[] model) {
        List<String> out = new ArrayList<>();
        nodes(model).forEach(n -> out.addAll(n.outputs()));
        return out;
    }

    /** The graph's declared outputs. */
    public static List<String> outputs(byte[] model) {
        List<String> out = new ArrayList<>();
        for (Field f : fields(model, graph(model), "the graph")) {
            if (f.number == GRAPH_OUTPUT && f.wire == LEN) {
                for (Field g : fields(model, f, "an output")) {
                    if (g.number == 1 && g.wire == LEN) {
                        out.add(new String(model, g.start, g.length, StandardCharsets.UTF_8));
                    }
                }
            }
        }
        return out;
    }

    /**
     * The hidden states of a BERT-style export in order: the embedding output, then layer 0, 1, …
     * (detected by {@link #EMBEDDING} and {@link #LAYER}).
     */
    public static List<String> hiddenStates(byte[] model) {
        String embedding = null;
        TreeMap<Integer, String> layers = new TreeMap<>();
        for (Node n : nodes(model)) {
            if (n.outputs().isEmpty()) {
                continue;
            }
            Matcher m = LAYER.matcher(n.name());
            if (m.matches()) {
                layers.put(Integer.parseInt(m.group(1)), n.outputs().get(0));
            } else if (embedding == null && EMBEDDING.matcher(n.name()).matches()) {
                embedding = n.outputs().get(0);
            }
        }
        if (embedding == null || layers.isEmpty()) {
            throw new SpecException("no hidden states found by node name (" + EMBEDDING.pattern() + ", "
                    + LAYER.pattern() + "); this export names its nodes differently");
        }
        List<String> out = new ArrayList<>();
        out.add(embedding);
        out.addAll(layers.values());
        return out;
    }

    /** Each layer's attention probabilities ({@link #ATTENTION}), layer 0 first; empty when the export names them otherwise. */
    public static List<String> attentionMaps(byte[] model) {
        TreeMap<Integer, String> maps = new TreeMap<>();
        for (Node n : nodes(model)) {
            Matcher m = ATTENTION.matcher(n.name());
            if (m.matches() && !n.outputs().isEmpty()) {
                maps.put(Integer.parseInt(m.group(1)), n.outputs().get(0));
            }
        }
        return new ArrayList<>(maps.values());
    }

    /** A copy of {@code model} whose graph also outputs {@code names} (float tensors); names it outputs already are skipped. */
    public static byte[] withOutputs(byte[] model, List<String> names) {
        return withOutputs(model, names, true);
    }

    /**
     * As {@link #withOutputs(byte[], List)}; with {@code typed} false the outputs are declared by
     * name alone and ONNX Runtime infers their types (for listing every node, integer ones included).
     */
    public static byte[] withOutputs(byte[] model, List<String> names, boolean typed) {
        Set<String> existing = new LinkedHashSet<>(outputs(model));
        Set<String> known = new LinkedHashSet<>(nodeOutputs(model));
        ByteArrayOutputStream extra = new ByteArrayOutputStream();
        for (String n : names) {
            if (!known.contains(n)) {
                throw new SpecException("the ONNX graph has no node output '" + n + "'");
            }
            if (existing.add(n)) {
                byte[] info = valueInfo(n, typed);
                key(extra, GRAPH_OUTPUT, LEN);
                varint(extra, info.length);
                extra.writeBytes(info);
            }
        }
        List<Field> fields = fields(model, 0, model.length, "the model");
        long size = model.length;
        for (Field f : fields) {
            if (f.number == MODEL_GRAPH && f.wire == LEN) {
                size += extra.size() + varintLength(f.length + extra.size()) - varintLength(f.length);
            }
        }
        ExactOutput out = new ExactOutput((int) size);
        for (Field f : fields) {
            if (f.number == MODEL_GRAPH && f.wire == LEN) {
                key(out, MODEL_GRAPH, LEN);
                varint(out, f.length + extra.size());
                out.write(model, f.start, f.length);
                out.writeBytes(extra.toByteArray());
            } else {
                out.write(model, f.keyStart, f.start + f.length - f.keyStart);
            }
        }
        return out.bytes();
    }

    /**
     * A stream written to exactly its initial size, whose array is then returned as it is: a
     * model-sized copy fewer on the heap (a 133 MB encoder's rewrite had three at once).
     */
    private static final class ExactOutput extends ByteArrayOutputStream {
        ExactOutput(int size) {
            super(size);
        }

        byte[] bytes() {
            return count == buf.length ? buf : toByteArray();
        }
    }

    /** How many bytes {@link #varint} writes for {@code v}. */
    private static int varintLength(long v) {
        int n = 1;
        while ((v >>>= 7) != 0) {
            n++;
        }
        return n;
    }

    /** {@code ValueInfoProto{name, type: tensor_type{elem_type: FLOAT}}}, or the name alone. */
    private static byte[] valueInfo(String name, boolean typed) {
        ByteArrayOutputStream tensor = new ByteArrayOutputStream();
        key(tensor, 1, 0);
        varint(tensor, 1);
        ByteArrayOutputStream type = new ByteArrayOutputStream();
        key(type, 1, LEN);
        varint(type, tensor.size());
        type.writeBytes(tensor.toByteArray());
        ByteArrayOutputStream info = new ByteArrayOutputStream();
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        key(info, 1, LEN);
        varint(info, n.length);
        info.writeBytes(n);
        if (!typed) {
            return info.toByteArray();
        }
        key(info, 2, LEN);
        varint(info, type.size());
        info.writeBytes(type.toByteArray());
        return info.toByteArray();
    }

    /** The graph field of the model (positions in {@code model}: nothing is copied). */
    private static Field graph(byte[] model) {
        for (Field f : fields(model, 0, model.length, "the model")) {
            if (f.number == MODEL_GRAPH && f.wire == LEN) {
                return f;
            }
        }
        throw new SpecException("not an ONNX model: no graph");
    }

    /** The fields inside the payload of {@code parent}. */
    private static List<Field> fields(byte[] b, Field parent, String what) {
        return fields(b, parent.start, parent.start + parent.length, what);
    }

    /**
     * One field: its number, wire type, where its key starts, and where its value (or payload)
     * starts and how long it is, all as positions in the whole file.
     */
    private record Field(int number, int wire, int keyStart, int start, int length) {}

    /** The fields between positions {@code from} and {@code to} of {@code b}. */
    private static List<Field> fields(byte[] b, int from, int to, String what) {
        List<Field> out = new ArrayList<>();
        int[] pos = {from};
        while (pos[0] < to) {
            int keyStart = pos[0];
            long key = readVarint(b, pos, to, what);
            int number = (int) (key >>> 3);
            int wire = (int) (key & 7);
            int start;
            int length;
            switch (wire) {
                case 0 -> {
                    start = pos[0];
                    readVarint(b, pos, to, what);
                    length = pos[0] - start;
                }
                case 1 -> {
                    start = pos[0];
                    length = 8;
                    pos[0] += 8;
                }
                case 2 -> {
                    long n = readVarint(b, pos, to, what);
                    start = pos[0];
                    if (n < 0 || start + n > to) {
                        throw new SpecException("not an ONNX model: " + what + " is cut short");
                    }
                    length = (int) n;
                    pos[0] += length;
                }
                case 5 -> {
                    start = pos[0];
                    length = 4;
                    pos[0] += 4;
                }
                default -> throw new SpecException("not an ONNX model: " + what + " has wire type " + wire);
            }
            if (number == 0 || pos[0] > to) {
                throw new SpecException("not an ONNX model: " + what + " is malformed");
            }
            out.add(new Field(number, wire, keyStart, start, length));
        }
        return out;
    }

    private static long readVarint(byte[] b, int[] pos, int to, String what) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos[0] >= to) {
                throw new SpecException("not an ONNX model: " + what + " ends inside a number");
            }
            byte x = b[pos[0]++];
            v |= (long) (x & 0x7f) << shift;
            if ((x & 0x80) == 0) {
                return v;
            }
        }
        throw new SpecException("not an ONNX model: " + what + " has a number longer than 10 bytes");
    }

    private static void key(ByteArrayOutputStream out, int number, int wire) {
        varint(out, ((long) number << 3) | wire);
    }

    private static void varint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
