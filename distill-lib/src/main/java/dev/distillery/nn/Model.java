package dev.distillery.nn;

import dev.distillery.tensor.Var;
import java.util.List;
import java.util.Map;

/**
 * A whole model: inputs {@code [B, inputs]} to its named outputs ({@link Outputs}), among them
 * {@value Outputs#LOGITS}. A network built from it holds the parameter values.
 */
public abstract class Model extends Module {

    /** Input values per example. */
    public abstract int inputs();

    /** Every named output for {@code input} ({@code [B, inputs]}), in the order the pass makes them. */
    public abstract Map<String, Var> forward(Forward f, Var input);

    /**
     * Writes this model's inference pass on {@code input} ({@code [batch, inputs]}) as ONNX nodes; its named
     * outputs (at least {@value Outputs#LOGITS}) by tensor name. Families that cannot yet say so.
     */
    public Map<String, String> exportOnnx(OnnxWriter w, String input) {
        throw new UnsupportedOperationException(type() + " does not export to ONNX yet");
    }

    /** The dropout sites, in the order a forward pass draws their masks. */
    public List<Dropout> dropouts() {
        return modules().stream()
                .filter(Dropout.class::isInstance)
                .map(Dropout.class::cast)
                .toList();
    }
}
