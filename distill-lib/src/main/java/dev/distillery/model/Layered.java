package dev.distillery.model;

import dev.distillery.data.LabeledData;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A model whose named outputs a loss or a measurement can read: a {@link Network} trained here, a
 * frozen pretrained teacher run elsewhere (ONNX Runtime), or a teacher wrapping either. Names follow {@link Network}: {@code embedding},
 * {@code layer{i}}, {@code features} (the pooled representation), {@code logits} where there is a
 * classifier.
 */
public interface Layered {

    /** The outputs by name, in order. */
    List<String> outputNames();

    /** One example's shape of output {@code name}, e.g. {@code [64, 384]} for a layer. */
    long[] outputShape(String name);

    /** Outputs {@code names} for every row of {@code features}, each flattened to {@code [N, prod(shape)]}. */
    Map<String, INDArray> outputs(INDArray features, List<String> names);

    /**
     * Outputs {@code names} for every row of {@code data}; a model that keeps its outputs (a teacher's
     * cache) answers from there.
     */
    default Map<String, INDArray> outputs(LabeledData data, List<String> names) {
        return outputs(data.features(), names);
    }

    /**
     * Where in the input each position of output {@code name} lies, as {@code [start, end)} fractions
     * of the input's length, one per position; empty when the positions are the input's own frames
     * (a network trained here) or the output has none. A pretrained audio teacher whose windows
     * overlap says so here, and a features loss pools a student's frames over each window.
     */
    default java.util.Optional<double[][]> spans(String name) {
        return java.util.Optional.empty();
    }

    /** How many layers expose hidden states as {@code layer0 … layer(depth-1)}. */
    default int depth() {
        int d = 0;
        while (outputNames().contains(Network.layer(d))) {
            d++;
        }
        return d;
    }

    long parameterCount();

    /** A readable one-line description. */
    String describe();

    /** The compact form recorded with runs: a model spec, or the pretrained model's name. */
    String compact();

    /** SHA-256 (hex) that identifies the model exactly: two models with the same fingerprint give the same outputs. */
    String fingerprint();
}
