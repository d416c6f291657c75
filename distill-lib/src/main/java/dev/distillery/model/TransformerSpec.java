package dev.distillery.model;

/**
 * A transformer encoder over image patches (a small ViT): the image is cut into square patches,
 * each projected to {@code width} and given a learned position embedding; then {@code depth}
 * layers of multi-head self-attention and a feed-forward block ({@code width × ffnRatio} wide),
 * each with a residual connection and layer norm before (pre-norm) or after (post-norm); mean
 * pooling over patches; a linear classifier. Dropout (when set) applies to the embedding and to
 * each attention and feed-forward output before it joins the residual stream.
 */
public record TransformerSpec(Integer inputs, Integer depth, Integer width, Integer heads, Double ffnRatio,
        Integer patch, Boolean preNorm, Integer outputs, String activation, Double dropout) implements ModelSpec {

    public TransformerSpec {
        inputs = inputs == null ? 784 : inputs;
        outputs = outputs == null ? 10 : outputs;
        heads = heads == null ? 4 : heads;
        ffnRatio = ffnRatio == null ? 4.0 : ffnRatio;
        patch = patch == null ? 4 : patch;
        preNorm = preNorm == null ? Boolean.TRUE : preNorm;
        ModelSpec.checkPositive("transformer", "inputs", inputs);
        ModelSpec.checkPositive("transformer", "outputs", outputs);
        ModelSpec.checkPositive("transformer", "depth", depth);
        ModelSpec.checkPositive("transformer", "width", width);
        ModelSpec.checkPositive("transformer", "heads", heads);
        ModelSpec.checkPositive("transformer", "patch", patch);
        activation = ModelSpec.checkActivation("transformer", activation == null ? "gelu" : activation);
        dropout = ModelSpec.checkDropout("transformer", dropout);
        if (!(ffnRatio > 0)) {
            throw new SpecException("transformer spec: ffnRatio must be positive, got " + ffnRatio);
        }
        if (width % heads != 0) {
            throw new SpecException("transformer spec: width " + width + " is not divisible by " + heads
                    + " heads; pick a width that is a multiple of the head count");
        }
        int side = (int) Math.round(Math.sqrt(inputs));
        if (side * side != inputs) {
            throw new SpecException("transformer spec: inputs " + inputs + " is not a square image (e.g. 784 = 28 × 28)");
        }
        if (side % patch != 0) {
            throw new SpecException("transformer spec: a " + side + "×" + side + " image does not split into "
                    + patch + "×" + patch + " patches; pick a patch size that divides " + side);
        }
    }

    public static TransformerSpec of(int depth, int width, int heads) {
        return new TransformerSpec(null, depth, width, heads, null, null, null, null, null, null);
    }

    public int side() {
        return (int) Math.round(Math.sqrt(inputs));
    }

    /** Patches per image: the sequence length. */
    public int sequence() {
        int n = side() / patch;
        return n * n;
    }

    /** Pixels per patch: the front end's input width. */
    public int patchSize() {
        return patch * patch;
    }

    /** The feed-forward block's inner width. */
    public int ffn() {
        return (int) Math.round(width * ffnRatio);
    }

    @Override
    public long parameterCount() {
        long d = width;
        long embedding = patchSize() * d + d + (long) sequence() * d;
        long layer = 2 * d + 4 * (d * d + d) + 2 * d + d * ffn() + ffn() + ffn() * d + d;
        long finalNorm = preNorm ? 2 * d : 0;
        long head = d * outputs + outputs;
        return embedding + depth * layer + finalNorm + head;
    }

    @Override
    public String describe() {
        return "vit " + depth + "×" + width + " h" + heads + " ffn×" + trim(ffnRatio) + " p" + patch
                + (preNorm ? "" : " post-norm");
    }

    @Override
    public String compact() {
        String s = "vit:" + depth + "x" + width;
        if (heads != 4) s += ",heads=" + heads;
        if (ffnRatio != 4.0) s += ",ffn=" + trim(ffnRatio);
        if (patch != 4) s += ",patch=" + patch;
        if (!preNorm) s += ",norm=post";
        if (inputs != 784) s += ",inputs=" + inputs;
        if (outputs != 10) s += ",outputs=" + outputs;
        if (!activation.equals("gelu")) s += ",activation=" + activation;
        if (dropout > 0) s += ",dropout=" + dropout;
        return s;
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
