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

    private OnnxExport(Network net) {
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
        OnnxExport w = new OnnxExport(net);
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
    public static void write(Network net, Path file, List<String> extra) {
        byte[] model = bytes(net, extra);
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
