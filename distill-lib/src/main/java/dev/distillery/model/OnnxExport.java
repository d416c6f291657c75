package dev.distillery.model;

import dev.distillery.nn.OnnxWriter;
import dev.distillery.nn.Outputs;
import dev.distillery.nn.Parameter;
import dev.distillery.spec.AtomicFiles;
import dev.distillery.spec.SpecException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import onnx.OnnxMl;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.protobuf.ByteString;

/**
 * A network written as an ONNX model (opset {@value #OPSET}) with the protobuf classes ND4J ships
 * ({@code onnx.OnnxMl}, generated from ONNX's own schema): input {@code input} {@code [batch, inputs]}
 * with a dynamic batch dimension, output {@code logits} and, on request, other named outputs
 * ({@code layer0}, {@code features}, …). Each module writes its own nodes
 * ({@link dev.distillery.nn.Model#exportOnnx}); parameters become initializers named by their paths.
 *
 * <p>With {@code int8}, the weights of linear layers and convolutions are quantised per output
 * channel (symmetric, scale = max |w| / 127). In MLPs and CNNs a linear layer's product is computed
 * in integers ({@code DynamicQuantizeLinear} of its input, {@code MatMulInteger}, rescaled); in
 * transformers, whose activations quantised per tensor moved 2.7 % of a ViT's predictions, and in
 * every convolution, the int8 weights are dequantised ({@code DequantizeLinear}, the QDQ form): a
 * quarter of the bytes, float arithmetic. Embedding
 * tables, a transformer's input projection, the classifier, position embeddings, norms and biases stay
 * float.
 */
public final class OnnxExport implements OnnxWriter {

    public static final int OPSET = 17;
    /** ONNX IR version 8: the one opset 17 came with. */
    static final long IR_VERSION = 8;

    public static final String INPUT = "input";

    private final Map<Parameter, String> paths = new IdentityHashMap<>();
    private final Map<Parameter, INDArray> values = new IdentityHashMap<>();
    private final OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder();
    private final Map<String, Integer> used = new LinkedHashMap<>();
    private final boolean int8;
    /** Whether an int8 export multiplies linear layers in integers (else it dequantises their weights). */
    private final boolean integerMatmul;

    private OnnxExport(Network net, boolean int8) {
        this.int8 = int8;
        this.integerMatmul = !(net.model() instanceof dev.distillery.nn.TransformerModel);
        net.model().parameters().forEach((name, p) -> {
            paths.put(p, name);
            values.put(p, net.parameters().get(name));
        });
    }

    /**
     * {@code net} as ONNX bytes, with outputs {@code logits} and the {@code extra} named outputs
     * ({@link Network#outputNames()}).
     */
    public static byte[] bytes(Network net, List<String> extra) {
        return bytes(net, extra, false);
    }

    /** As above; {@code int8}: weights quantised per output channel (see the class comment). */
    public static byte[] bytes(Network net, List<String> extra, boolean int8) {
        OnnxExport w = new OnnxExport(net, int8);
        Map<String, String> made = net.model().exportOnnx(w, INPUT);
        List<String> outputs = new ArrayList<>();
        outputs.add(Outputs.LOGITS);
        for (String e : extra) {
            if (!made.containsKey(e)) {
                throw new SpecException("output '" + e + "' is not one " + net.describe() + " makes; it makes "
                        + String.join(", ", made.keySet()));
            }
            if (!outputs.contains(e)) {
                outputs.add(e);
            }
        }
        w.graph.setName(net.compact());
        w.graph.addInput(w.valueInfo(INPUT, net.spec().inputs()));
        for (String o : outputs) {
            w.graph.addOutput(OnnxMl.ValueInfoProto.newBuilder()
                    .setName(w.output(o, made.get(o)))
                    .setType(OnnxMl.TypeProto.newBuilder()
                            .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                                    .setElemType(OnnxMl.TensorProto.DataType.FLOAT_VALUE))));
        }
        return OnnxMl.ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("distillery")
                .setDocString(net.describe())
                .addOpsetImport(
                        OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(w.graph)
                .build()
                .toByteArray();
    }

    /** Writes {@code net} to {@code file} (atomically); see {@link #bytes}. */
    public static void write(Network net, Path file, List<String> extra, boolean int8) {
        byte[] model = bytes(net, extra, int8);
        try {
            AtomicFiles.write(file, out -> out.write(model));
        } catch (java.io.UncheckedIOException e) {
            throw new SpecException(
                    "cannot write the ONNX model to " + file.toAbsolutePath() + " ("
                            + e.getCause().getMessage() + "); give a path in a folder you can write to",
                    e);
        }
    }

    private OnnxMl.ValueInfoProto valueInfo(String name, int width) {
        return OnnxMl.ValueInfoProto.newBuilder()
                .setName(name)
                .setType(OnnxMl.TypeProto.newBuilder()
                        .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                                .setElemType(OnnxMl.TensorProto.DataType.FLOAT_VALUE)
                                .setShape(OnnxMl.TensorShapeProto.newBuilder()
                                        .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder()
                                                .setDimParam("batch"))
                                        .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder()
                                                .setDimValue(width)))))
                .build();
    }

    @Override
    public INDArray value(Parameter p) {
        INDArray v = values.get(p);
        if (v == null) {
            throw new IllegalStateException("parameter " + p + " is not one of the network's");
        }
        return v;
    }

    @Override
    public String name(Parameter p) {
        return paths.get(p);
    }

    @Override
    public String parameter(Parameter p) {
        String name = paths.get(p);
        if (used.containsKey(name)) {
            return name;
        }
        used.put(name, 1);
        graph.addInitializer(floats(name, value(p)));
        return name;
    }

    @Override
    public String tensor(String hint, INDArray value) {
        String name = fresh(hint);
        graph.addInitializer(floats(name, value));
        return name;
    }

    @Override
    public String scalar(float value) {
        String name = fresh("const");
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value);
        graph.addInitializer(OnnxMl.TensorProto.newBuilder()
                .setName(name)
                .setDataType(OnnxMl.TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(b.array())));
        return name;
    }

    @Override
    public String ints(long... v) {
        String name = fresh("shape");
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            b.putLong(x);
        }
        graph.addInitializer(OnnxMl.TensorProto.newBuilder()
                .setName(name)
                .setDataType(OnnxMl.TensorProto.DataType.INT64_VALUE)
                .addDims(v.length)
                .setRawData(ByteString.copyFrom(b.array())));
        return name;
    }

    @Override
    public String node(String op, List<String> inputs, Map<String, Object> attributes) {
        String out = fresh(op);
        OnnxMl.NodeProto.Builder n = OnnxMl.NodeProto.newBuilder()
                .setOpType(op)
                .setName(out)
                .addAllInput(inputs)
                .addOutput(out);
        attributes.forEach((k, v) -> n.addAttribute(attribute(k, v)));
        graph.addNode(n);
        return out;
    }

    @Override
    public String output(String name, String tensor) {
        graph.addNode(OnnxMl.NodeProto.newBuilder()
                .setOpType("Identity")
                .setName(name + "/Identity")
                .addInput(tensor)
                .addOutput(name));
        return name;
    }

    @Override
    public String matmul(String x, Parameter weight) {
        if (!int8 || keptFloat(name(weight))) {
            return OnnxWriter.super.matmul(x, weight);
        }
        Quantised q = quantised(name(weight), value(weight), 1);
        if (!integerMatmul) {
            String w = node("DequantizeLinear", List.of(q.weight(), q.scale(), q.zero()), Map.of("axis", 1L));
            return node("MatMul", x, w);
        }
        String[] dq = nodes("DynamicQuantizeLinear", List.of(x), 3);
        String product = node("MatMulInteger", dq[0], q.weight(), dq[2], q.zero());
        String scale = node("Mul", dq[1], q.scale());
        return node(
                "Mul",
                node("Cast", List.of(product), Map.of("to", (long) OnnxMl.TensorProto.DataType.FLOAT_VALUE)),
                scale);
    }

    @Override
    public String kernel(Parameter weight, INDArray oihw) {
        if (!int8) {
            return OnnxWriter.super.kernel(weight, oihw);
        }
        Quantised q = quantised(name(weight) + ".oihw", oihw, 0);
        return node("DequantizeLinear", List.of(q.weight(), q.scale(), q.zero()), Map.of("axis", 0L));
    }

    /**
     * The layers an int8 export keeps in float, as is common practice: a transformer's input projection
     * (patches or frames) and the classifier, small layers whose errors every later one inherits or that
     * decide the class directly.
     */
    private static boolean keptFloat(String path) {
        return path.startsWith("embed.") || path.startsWith("head.") || path.startsWith("heads.");
    }

    /** An int8 weight, its scale and zero point per channel, by initializer name. */
    private record Quantised(String weight, String scale, String zero) {}

    /**
     * {@code w} quantised symmetrically per channel along {@code axis} (0: rows, e.g. a kernel's output
     * channels; 1: columns, a linear layer's outputs): scale {@code max |w| / 127}, zero point 0.
     */
    private Quantised quantised(String name, INDArray w, int axis) {
        INDArray c = w.castTo(DataType.FLOAT).dup('c');
        long channels = c.size(axis);
        long per = c.length() / channels;
        float[] v = c.data().asFloat();
        float[] scale = new float[(int) channels];
        for (int i = 0; i < v.length; i++) {
            int ch = (int) (axis == 0 ? i / per : i % channels);
            scale[ch] = Math.max(scale[ch], Math.abs(v[i]) / 127f);
        }
        byte[] q = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            int ch = (int) (axis == 0 ? i / per : i % channels);
            float s = scale[ch] > 0 ? scale[ch] : 1f;
            q[i] = (byte) Math.max(-127, Math.min(127, Math.round(v[i] / s)));
        }
        for (int ch = 0; ch < scale.length; ch++) {
            scale[ch] = scale[ch] > 0 ? scale[ch] : 1f;
        }
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder()
                .setName(fresh(name + ".int8"))
                .setDataType(OnnxMl.TensorProto.DataType.INT8_VALUE)
                .setRawData(ByteString.copyFrom(q));
        for (long d : c.shape()) {
            t.addDims(d);
        }
        graph.addInitializer(t);
        String scales = tensor(name + ".scale", org.nd4j.linalg.factory.Nd4j.create(scale, new long[] {channels}));
        String zero = fresh(name + ".zero");
        graph.addInitializer(OnnxMl.TensorProto.newBuilder()
                .setName(zero)
                .setDataType(OnnxMl.TensorProto.DataType.INT8_VALUE)
                .addDims(channels)
                .setRawData(ByteString.copyFrom(new byte[(int) channels])));
        return new Quantised(t.getName(), scales, zero);
    }

    /** A node with {@code outputs} outputs; their names. */
    private String[] nodes(String op, List<String> inputs, int outputs) {
        String base = fresh(op);
        String[] out = new String[outputs];
        OnnxMl.NodeProto.Builder n =
                OnnxMl.NodeProto.newBuilder().setOpType(op).setName(base).addAllInput(inputs);
        for (int i = 0; i < outputs; i++) {
            out[i] = base + (i == 0 ? "" : ":" + i);
            n.addOutput(out[i]);
        }
        graph.addNode(n);
        return out;
    }

    private static OnnxMl.AttributeProto attribute(String name, Object v) {
        OnnxMl.AttributeProto.Builder a = OnnxMl.AttributeProto.newBuilder().setName(name);
        if (v instanceof Long l) {
            a.setType(OnnxMl.AttributeProto.AttributeType.INT).setI(l);
        } else if (v instanceof Float f) {
            a.setType(OnnxMl.AttributeProto.AttributeType.FLOAT).setF(f);
        } else if (v instanceof String s) {
            a.setType(OnnxMl.AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(s));
        } else if (v instanceof long[] ls) {
            a.setType(OnnxMl.AttributeProto.AttributeType.INTS);
            for (long l : ls) {
                a.addInts(l);
            }
        } else if (v instanceof float[] fs) {
            a.setType(OnnxMl.AttributeProto.AttributeType.FLOATS);
            for (float f : fs) {
                a.addFloats(f);
            }
        } else {
            throw new IllegalArgumentException(
                    "attribute " + name + ": " + v.getClass() + " is not an ONNX attribute type");
        }
        return a.build();
    }

    private static OnnxMl.TensorProto floats(String name, INDArray value) {
        INDArray c = value.castTo(DataType.FLOAT).dup('c');
        float[] f = c.data().asFloat();
        ByteBuffer b = ByteBuffer.allocate(4 * f.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : f) {
            b.putFloat(x);
        }
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder()
                .setName(name)
                .setDataType(OnnxMl.TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(b.array()));
        for (long d : c.shape()) {
            t.addDims(d);
        }
        return t.build();
    }

    /** A name not used yet, from {@code hint}: {@code MatMul_0}, {@code MatMul_1}, … */
    private String fresh(String hint) {
        int n = used.merge(hint, 1, Integer::sum) - 1;
        return hint + "_" + n;
    }
}
