package dev.distillery.nn;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where a module writes itself as ONNX nodes: each module adds the nodes of its forward pass for
 * inference (dropout is the identity) and returns the name of the tensor it made. Names of
 * initializers are the parameters' paths, so an exported graph reads like the module tree.
 */
public interface OnnxWriter {

    /** The value a parameter holds in the network being exported. */
    INDArray value(Parameter p);

    /** {@code p}'s path in the model ({@code convs.0.weight}): the name its initializer has. */
    String name(Parameter p);

    /** {@code p}'s value as an initializer of the graph; its name. */
    String parameter(Parameter p);

    /** A float initializer of {@code value} (e.g. a parameter laid out as ONNX wants it), named after {@code hint}. */
    String tensor(String hint, INDArray value);

    /** A scalar float constant. */
    String scalar(float value);

    /** An int64 vector constant (a shape for {@code Reshape}, axes). */
    String ints(long... values);

    /**
     * Adds a node of ONNX operator {@code op} on {@code inputs}, with {@code attributes} (values: Long,
     * Float, String, long[], float[]); the name of its (first) output.
     */
    String node(String op, List<String> inputs, Map<String, Object> attributes);

    /** A node without attributes. */
    default String node(String op, String... inputs) {
        return node(op, List.of(inputs), Map.of());
    }

    /**
     * {@code x · weight} (weight {@code [in, out]}): a float {@code MatMul}, or in an int8 export the
     * weight quantised per output column and the product computed in integers.
     */
    default String matmul(String x, Parameter weight) {
        return node("MatMul", x, parameter(weight));
    }

    /**
     * A convolution kernel already laid out {@code [out, in, k, k]} ({@code oihw}, the value of
     * {@code weight}): a float initializer, or in an int8 export quantised per output channel.
     */
    default String kernel(Parameter weight, INDArray oihw) {
        return tensor(name(weight) + ".oihw", oihw);
    }

    /** Gives the tensor {@code tensor} the output name {@code name} (an Identity node). */
    String output(String name, String tensor);
}
