package dev.distillery.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.distillery.nn.Activation;
import dev.distillery.nn.Classifier;
import dev.distillery.nn.FrameEmbedding;
import dev.distillery.nn.Model;
import dev.distillery.nn.PatchEmbedding;
import dev.distillery.nn.TokenEmbedding;
import dev.distillery.nn.TransformerModel;
import dev.distillery.spec.SpecException;
import java.util.List;

/**
 * A transformer encoder. The front end turns the input into a sequence of {@code width}-wide
 * vectors, each given a learned position embedding: {@code patches} (a small ViT: an image of
 * {@code shape} C×H×W — without it, a square single-channel image of {@code inputs} pixels — cut into
 * {@code patch}×{@code patch} patches across all channels, each projected) or {@code frames} (speech features,
 * {@code frame} values per frame, each frame projected) or {@code tokens} (text: {@code inputs} token
 * ids per example from a {@code vocab}-word vocabulary, each looked up in a learned embedding table;
 * id 0 is padding, which attention ignores and pooling leaves out, and whose hidden states are
 * reported as zeros). An optional time reduction averages every
 * {@code stride} consecutive positions (FitHuBERT's sequence-length compression); when the stride
 * does not divide the length, the last {@code length mod stride} positions are dropped (98 frames
 * at stride 4 give 24 positions from the first 96 frames). The parameters do not depend on the
 * stride, so one set of weights runs at any stride ({@link #withStride}). Then {@code depth}
 * layers of multi-head self-attention and a feed-forward block ({@code width × ffnRatio} wide),
 * each with a residual connection and layer norm before (pre-norm) or after (post-norm); mean
 * pooling over patches; a linear classifier. Dropout (when set) applies to the embedding and to
 * each attention and feed-forward output before it joins the residual stream.
 */
public record TransformerSpec(
        Integer inputs,
        Integer depth,
        Integer width,
        Integer heads,
        Double ffnRatio,
        Integer patch,
        Boolean preNorm,
        Integer outputs,
        String activation,
        Double dropout,
        String input,
        Integer frame,
        Integer stride,
        Integer vocab,
        @JsonInclude(JsonInclude.Include.NON_NULL) ImageShape shape)
        implements ModelSpec {

    public static final String PATCHES = "patches";
    public static final String FRAMES = "frames";
    public static final String TOKENS = "tokens";
    /** The token id that marks padding in a {@code tokens} input (BERT's {@code [PAD]}). */
    public static final int PAD = 0;

    /** A ViT over image patches, without time reduction. */
    public TransformerSpec(
            Integer inputs,
            Integer depth,
            Integer width,
            Integer heads,
            Double ffnRatio,
            Integer patch,
            Boolean preNorm,
            Integer outputs,
            String activation,
            Double dropout) {
        this(inputs, depth, width, heads, ffnRatio, patch, preNorm, outputs, activation, dropout, null, null, null);
    }

    /** A ViT or speech transformer (no vocabulary). */
    public TransformerSpec(
            Integer inputs,
            Integer depth,
            Integer width,
            Integer heads,
            Double ffnRatio,
            Integer patch,
            Boolean preNorm,
            Integer outputs,
            String activation,
            Double dropout,
            String input,
            Integer frame,
            Integer stride) {
        this(
                inputs,
                depth,
                width,
                heads,
                ffnRatio,
                patch,
                preNorm,
                outputs,
                activation,
                dropout,
                input,
                frame,
                stride,
                null);
    }

    /** Without an image shape: square single-channel images, or not images at all. */
    public TransformerSpec(
            Integer inputs,
            Integer depth,
            Integer width,
            Integer heads,
            Double ffnRatio,
            Integer patch,
            Boolean preNorm,
            Integer outputs,
            String activation,
            Double dropout,
            String input,
            Integer frame,
            Integer stride,
            Integer vocab) {
        this(
                inputs,
                depth,
                width,
                heads,
                ffnRatio,
                patch,
                preNorm,
                outputs,
                activation,
                dropout,
                input,
                frame,
                stride,
                vocab,
                null);
    }

    /**
     * A text transformer: {@code length} token ids in (padded with {@link #PAD}), a {@code vocab}-word
     * embedding table, mean pooling over the real tokens.
     */
    public static TransformerSpec text(
            int length, int vocab, int depth, int width, int heads, double ffnRatio, int outputs) {
        return new TransformerSpec(
                length, depth, width, heads, ffnRatio, null, null, outputs, null, null, TOKENS, null, null, vocab);
    }

    public TransformerSpec {
        input = input == null ? PATCHES : input;
        if (!List.of(PATCHES, FRAMES, TOKENS).contains(input)) {
            throw new SpecException("transformer spec: input '" + input + "' is not a front end; use patches (images), "
                    + "frames (speech features) or tokens (text)");
        }
        if (shape != null && !input.equals(PATCHES)) {
            throw new SpecException("transformer spec: shape describes images (vit); a " + input + " front end reads "
                    + (input.equals(TOKENS) ? "token ids" : "frames") + ", drop shape");
        }
        if (shape != null) {
            // a square single-channel shape is the spec without one: one spec, whichever way it is written
            inputs = CnnSpec.checkShape("vit", inputs, shape);
            shape = shape.isSquareGrey() ? null : shape;
        }
        inputs =
                inputs == null && input.equals(PATCHES) ? Integer.valueOf(784) : inputs; // boxed: no unboxing of a null
        outputs = outputs == null ? 10 : outputs;
        heads = heads == null ? 4 : heads;
        ffnRatio = ffnRatio == null ? 4.0 : ffnRatio;
        patch = input.equals(PATCHES) ? (patch == null ? 4 : patch) : null;
        preNorm = preNorm == null ? Boolean.TRUE : preNorm;
        stride = stride == null ? 1 : stride;
        if (inputs == null) {
            throw new SpecException("transformer spec: a " + input + " front end needs inputs ("
                    + (input.equals(TOKENS) ? "tokens per example" : "frames × values per frame") + ")");
        }
        if (input.equals(TOKENS)) {
            ModelSpec.checkPositive("transformer", "vocab", vocab);
            if (stride != 1) {
                throw new SpecException(
                        "transformer spec: a tokens front end has no time reduction; drop stride " + stride);
            }
        } else if (vocab != null) {
            throw new SpecException("transformer spec: vocab belongs to the tokens front end, not " + input);
        }
        if (input.equals(FRAMES)) {
            ModelSpec.checkPositive("transformer", "frame", frame);
            if (inputs % frame != 0) {
                throw new SpecException("transformer spec: " + inputs + " inputs do not split into frames of " + frame);
            }
        } else if (frame != null) {
            throw new SpecException("transformer spec: frame belongs to the frames front end, not " + input);
        }
        ModelSpec.checkPositive("transformer", "stride", stride);
        ModelSpec.checkPositive("transformer", "inputs", inputs);
        ModelSpec.checkPositive("transformer", "outputs", outputs);
        ModelSpec.checkPositive("transformer", "depth", depth);
        ModelSpec.checkPositive("transformer", "width", width);
        ModelSpec.checkPositive("transformer", "heads", heads);
        if (patch != null) {
            ModelSpec.checkPositive("transformer", "patch", patch);
        }
        activation = ModelSpec.checkActivation("transformer", activation == null ? "gelu" : activation);
        dropout = ModelSpec.checkDropout("transformer", dropout);
        if (!(ffnRatio > 0)) {
            throw new SpecException("transformer spec: ffnRatio must be positive, got " + ffnRatio);
        }
        if (width % heads != 0) {
            throw new SpecException("transformer spec: width " + width + " is not divisible by " + heads
                    + " heads; pick a width that is a multiple of the head count");
        }
        int length;
        if (input.equals(PATCHES)) {
            ImageShape image = shape == null ? ImageShape.square("vit", inputs) : shape;
            if (image.height() % patch != 0 || image.width() % patch != 0) {
                throw new SpecException("transformer spec: a " + image.height() + "×" + image.width()
                        + " image does not split into " + patch + "×" + patch
                        + " patches; pick a patch size that divides both sides");
            }
            length = (image.height() / patch) * (image.width() / patch);
        } else {
            length = input.equals(TOKENS) ? inputs : inputs / frame;
        }
        if (stride > length) {
            throw new SpecException("transformer spec: stride " + stride + " is longer than the sequence of " + length
                    + " positions; pick a stride of at most " + length);
        }
    }

    /** The same model at another time-reduction stride: the same parameters, a shorter or longer sequence. */
    public TransformerSpec withStride(int newStride) {
        return new TransformerSpec(
                inputs,
                depth,
                width,
                heads,
                ffnRatio,
                patch,
                preNorm,
                outputs,
                activation,
                dropout,
                input,
                frame,
                newStride,
                vocab,
                shape);
    }

    /** The same model at another width (and head count), all else kept. */
    public TransformerSpec withWidth(int newWidth, int newHeads) {
        return new TransformerSpec(
                inputs,
                depth,
                newWidth,
                newHeads,
                ffnRatio,
                patch,
                preNorm,
                outputs,
                activation,
                dropout,
                input,
                frame,
                stride,
                vocab,
                shape);
    }

    /** The same model with {@code n} outputs (classes). */
    public TransformerSpec withOutputs(int n) {
        return new TransformerSpec(
                inputs,
                depth,
                width,
                heads,
                ffnRatio,
                patch,
                preNorm,
                n,
                activation,
                dropout,
                input,
                frame,
                stride,
                vocab,
                shape);
    }

    /** The same model at another depth. */
    public TransformerSpec withDepth(int n) {
        return new TransformerSpec(
                inputs,
                n,
                width,
                heads,
                ffnRatio,
                patch,
                preNorm,
                outputs,
                activation,
                dropout,
                input,
                frame,
                stride,
                vocab,
                shape);
    }

    public static TransformerSpec of(int depth, int width, int heads) {
        return new TransformerSpec(null, depth, width, heads, null, null, null, null, null, null);
    }

    /** The images a {@code patches} front end reads. */
    public ImageShape image() {
        return shape == null ? ImageShape.square("vit", inputs) : shape;
    }

    /** Positions the front end makes (patches per image or frames per example), before time reduction. */
    public int length() {
        if (input.equals(PATCHES)) {
            ImageShape i = image();
            return (i.height() / patch) * (i.width() / patch);
        }
        return input.equals(TOKENS) ? inputs : inputs / frame;
    }

    /** Positions the encoder layers see: {@link #length()} divided by the stride, rounded down. */
    public int sequence() {
        return length() / stride;
    }

    /**
     * Values per position the front end projects: pixels per patch over all channels, or values per frame
     * (1 for tokens: an id).
     */
    public int patchSize() {
        return input.equals(PATCHES) ? image().channels() * patch * patch : input.equals(TOKENS) ? 1 : frame;
    }

    /** The feed-forward block's inner width. */
    public int ffn() {
        return (int) Math.round(width * ffnRatio);
    }

    @Override
    public long parameterCount() {
        long d = width;
        long embedding = (input.equals(TOKENS) ? vocab * d : patchSize() * d + d) + (long) length() * d;
        long layer = 2 * d + 4 * (d * d + d) + 2 * d + d * ffn() + ffn() + ffn() * d + d;
        long finalNorm = preNorm ? 2 * d : 0;
        long head = d * outputs + outputs;
        return embedding + depth * layer + finalNorm + head;
    }

    @Override
    public Model compose(Classifier.Factory heads) {
        Activation act = Activation.of(activation);
        TransformerModel.Shape layers =
                new TransformerModel.Shape(width, depth, this.heads, ffn(), act, preNorm, dropout, stride);
        return switch (input) {
            case TOKENS ->
                new TransformerModel(inputs, new TokenEmbedding(vocab, length(), width), layers, outputs, heads);
            case FRAMES ->
                new TransformerModel(inputs, new FrameEmbedding(frame, length(), width, act), layers, outputs, heads);
            default ->
                new TransformerModel(
                        inputs,
                        new PatchEmbedding(image().channels(), image().height(), image().width(), patch, width, act),
                        layers,
                        outputs,
                        heads);
        };
    }

    @Override
    public String describe() {
        String front = switch (input) {
            case FRAMES ->
                "speech " + depth + "×" + width + " h" + heads + " ffn×" + trim(ffnRatio) + " frame " + frame;
            case TOKENS ->
                "text " + depth + "×" + width + " h" + heads + " ffn×" + trim(ffnRatio) + " length " + inputs
                        + " vocab " + vocab;
            default ->
                "vit " + depth + "×" + width + " h" + heads + " ffn×" + trim(ffnRatio) + " p" + patch
                        + (shape == null ? "" : " on " + shape);
        };
        return front + (stride > 1 ? " stride " + stride : "") + (preNorm ? "" : " post-norm");
    }

    @Override
    public String compact() {
        String kind = input.equals(FRAMES) ? "speech:" : input.equals(TOKENS) ? "text:" : "vit:";
        String s = kind + depth + "x" + width;
        if (heads != 4) s += ",heads=" + heads;
        if (ffnRatio != 4.0) s += ",ffn=" + trim(ffnRatio);
        if (input.equals(PATCHES) && patch != 4) s += ",patch=" + patch;
        if (input.equals(FRAMES)) s += ",frame=" + frame + ",length=" + (inputs / frame);
        if (input.equals(TOKENS)) s += ",length=" + inputs + ",vocab=" + vocab;
        if (stride > 1) s += ",stride=" + stride;
        if (!preNorm) s += ",norm=post";
        if (shape != null) s += ",shape=" + shape;
        else if (input.equals(PATCHES) && inputs != 784) s += ",inputs=" + inputs;
        if (outputs != 10) s += ",outputs=" + outputs;
        if (!activation.equals("gelu")) s += ",activation=" + activation;
        if (dropout > 0) s += ",dropout=" + dropout;
        return s;
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
