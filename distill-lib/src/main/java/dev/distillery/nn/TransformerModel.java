package dev.distillery.nn;

import dev.distillery.tensor.Var;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A transformer encoder: an input embedding ({@code embed}: tokens, image patches or frames),
 * optional time reduction, blocks {@code blocks.{i}}, a final layer norm for pre-norm blocks, mean
 * pooling over positions (real tokens only, for text), then the classifier.
 */
public final class TransformerModel extends Model {

    /** The encoder's shape: width, depth, heads, feed-forward width, activation, norm placement, dropout, stride. */
    public record Shape(
            int width,
            int depth,
            int heads,
            int ffn,
            Activation activation,
            boolean preNorm,
            double dropout,
            int stride) {}

    private final int inputs;
    private final Shape shape;
    private final SequenceEmbedding embedding;
    private final Dropout embedDrop;
    private final TimeReduction reduction;
    private final ModuleList<TransformerBlock> blocks;
    private final LayerNorm norm;
    private final MeanPooling pool;
    private final Classifier head;

    /** {@code embedding}: a {@link TokenEmbedding}, {@link PatchEmbedding} or {@link FrameEmbedding} of width {@code shape.width()}. */
    public <E extends Module & SequenceEmbedding> TransformerModel(
            int inputs, E embedding, Shape shape, int classes, Classifier.Factory heads) {
        this.inputs = inputs;
        this.shape = shape;
        this.embedding = child("embed", embedding);
        int d = shape.width();
        int s = embedding.length() / shape.stride();
        this.reduction = shape.stride() > 1 ? child("reduce", new TimeReduction(shape.stride())) : null;
        Dropout drop = Dropout.ofRate(s * d, shape.dropout());
        this.embedDrop = drop == null ? null : child("embed_drop", drop);
        this.blocks = child("blocks", new ModuleList<>());
        for (int i = 0; i < shape.depth(); i++) {
            blocks.add(new TransformerBlock(
                    d, shape.heads(), shape.ffn(), shape.activation(), shape.preNorm(), shape.dropout(), s));
        }
        this.norm = shape.preNorm() ? child("norm", new LayerNorm(d)) : null;
        this.pool = child("pool", new MeanPooling());
        Classifier c = heads.create(d, classes, shape.activation(), new long[] {classes});
        this.head = child(c.slot(), c);
    }

    @Override
    public int inputs() {
        return inputs;
    }

    public Shape shape() {
        return shape;
    }

    @Override
    public Map<String, Var> forward(Forward f, Var input) {
        Map<String, Var> out = new LinkedHashMap<>();
        Embedded e = embedding.forward(f, input);
        Var hidden = reduction == null ? e.hidden() : reduction.forward(e.hidden());
        Embedded.Padding padding = e.padding();
        out.put(Outputs.EMBEDDING, e.masked(hidden));
        hidden = Dropout.through(embedDrop, f, hidden);
        for (int i = 0; i < blocks.size(); i++) {
            TransformerBlock.Output o =
                    blocks.get(i).forward(f, hidden, padding == null ? null : padding.attentionBias());
            hidden = o.hidden();
            out.put(Outputs.attention(i), o.attention());
            out.put(Outputs.layer(i), e.masked(hidden));
        }
        if (norm != null) {
            hidden = norm.forward(f, hidden);
        }
        Var pooled = pool.forward(hidden, padding);
        out.put(Outputs.FEATURES, pooled);
        head.classify(f, pooled, out);
        return out;
    }

    @Override
    public Map<String, String> exportOnnx(OnnxWriter w, String input) {
        Map<String, String> out = new LinkedHashMap<>();
        Embedded.Onnx e = embedding.exportOnnx(w, input);
        String hidden =
                reduction == null ? e.hidden() : reduction.exportOnnx(w, e.hidden(), embedding.length(), shape.width());
        out.put(Outputs.EMBEDDING, e.masked(w, hidden));
        for (int i = 0; i < blocks.size(); i++) {
            TransformerBlock.Output.Onnx o = blocks.get(i).exportOnnx(w, hidden, e.attentionBias());
            hidden = o.hidden();
            out.put(Outputs.attention(i), o.attention());
            out.put(Outputs.layer(i), e.masked(w, hidden));
        }
        if (norm != null) {
            hidden = norm.exportOnnx(w, hidden);
        }
        String pooled = pool.exportOnnx(w, hidden, e);
        out.put(Outputs.FEATURES, pooled);
        head.exportOnnx(w, pooled, out);
        return out;
    }

    @Override
    public Map<String, Object> settings() {
        return ordered(
                "inputs",
                inputs,
                "width",
                shape.width(),
                "depth",
                shape.depth(),
                "heads",
                shape.heads(),
                "ffn",
                shape.ffn(),
                "activation",
                shape.activation(),
                "norm",
                shape.preNorm() ? "pre" : "post",
                "dropout",
                shape.dropout(),
                "stride",
                shape.stride());
    }
}
